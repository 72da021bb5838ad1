// media_conn replies, download and upload URLs, upload replies, and the retry rounds of
// fetchWithRetry against a scripted HTTP client.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <deque>

#include "connector/media_conn.hpp"
#include "connector/media_fetch.hpp"
#include "connector/stanza.hpp"

namespace sb = switchboard::sdk;
namespace wa = switchboard::whatsapp;
namespace wc = switchboard::whatsapp::connector;
using namespace std::chrono_literals;

namespace {

wa::Node mediaConnReply(std::string auth, std::string ttl, std::vector<std::string> hosts) {
  wa::Node::Children hostNodes;
  for (auto& h : hosts) {
    hostNodes.push_back(wa::Node("host", {{"hostname", h}}));
  }
  return wa::Node("iq", {{"type", "result"}},
                  wa::Node::Children{wa::Node("media_conn", {{"auth", auth}, {"ttl", ttl}}, std::move(hostNodes))});
}

// Answers each request with the next scripted outcome, synchronously, and records the URLs.
class ScriptedClient : public sb::HttpClient {
 public:
  std::deque<sb::Result<sb::HttpReply>> script;
  std::vector<std::string> urls;
  void request(sb::HttpCall call, Done done) override {
    urls.push_back(call.url);
    auto next = std::move(script.front());
    script.pop_front();
    done(std::move(next));
  }
};

sb::HttpReply status(unsigned s, std::string body = {}) {
  sb::HttpReply r;
  r.status = s;
  r.body = std::move(body);
  return r;
}

wc::FetchOutcome run(ScriptedClient& client, std::vector<std::string> urls, int rounds) {
  boost::asio::io_context io;
  std::atomic<int> inFlight{0};
  wc::FetchPolicy policy;
  policy.rounds = rounds;
  policy.firstPause = 1ms;
  std::optional<wc::FetchOutcome> out;
  auto shared = std::shared_ptr<sb::HttpClient>(&client, [](sb::HttpClient*) {});
  wc::fetchWithRetry(io.get_executor(), shared, std::move(urls), sb::HttpCall{}, policy, &inFlight,
                     [&](wc::FetchOutcome o) { out = std::move(o); });
  io.run();
  EXPECT_EQ(inFlight.load(), 0);
  EXPECT_TRUE(out.has_value());
  return out ? std::move(*out) : wc::FetchOutcome{sb::Error::permanent("test", "no outcome"), 0};
}

}  // namespace

TEST(WaMediaConn, ReadsAuthHostsAndABoundedTtl) {
  const auto now = wc::MediaConn::Clock::now();
  auto conn = wc::parseMediaConn(mediaConnReply("tok", "300", {"mmg.whatsapp.net", "127.0.0.1:8443"}), now);
  ASSERT_TRUE(conn.ok()) << conn.error().describe();
  EXPECT_EQ(conn->auth, "tok");
  EXPECT_EQ(conn->hosts, (std::vector<std::string>{"mmg.whatsapp.net", "127.0.0.1:8443"}));
  EXPECT_TRUE(conn->fresh(now + 299s));
  EXPECT_FALSE(conn->fresh(now + 301s));
  // A huge or zero ttl is bounded; hosts that could smuggle a path or userinfo are dropped.
  auto odd = wc::parseMediaConn(mediaConnReply("tok", "999999999", {"evil.com/x", "a@b", "ok.host"}), now);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->hosts, std::vector<std::string>{"ok.host"});
  EXPECT_FALSE(odd->fresh(now + 86'401s));
  EXPECT_TRUE(wc::parseMediaConn(mediaConnReply("tok", "0", {"h"}), now)->fresh(now + 59s));
  EXPECT_FALSE(wc::parseMediaConn(mediaConnReply("", "300", {"h"}), now).ok());
  EXPECT_FALSE(wc::parseMediaConn(mediaConnReply("tok", "300", {"bad host"}), now).ok());
  EXPECT_FALSE(wc::parseMediaConn(wa::Node("iq"), now).ok());
}

TEST(WaMediaConn, DownloadUrlsPutMediaHostsFirstAndRefuseRedirectingPaths) {
  wc::MediaLocator l;
  l.directPath = "/v/t62/abc.enc?ccb=1";
  l.url = "https://mmg.whatsapp.net/v/t62/abc.enc?ccb=1";
  EXPECT_EQ(wc::downloadUrls(l, {"h1:443", "h2"}),
            (std::vector<std::string>{"https://h1:443/v/t62/abc.enc?ccb=1", "https://h2/v/t62/abc.enc?ccb=1",
                                      "https://mmg.whatsapp.net/v/t62/abc.enc?ccb=1"}));
  l.directPath = "//evil.com/x";
  l.url = "https://user@evil.com/x";
  EXPECT_TRUE(wc::downloadUrls(l, {"h1"}).empty());
  l.url = "http://plain.example/x";
  EXPECT_TRUE(wc::downloadUrls(l, {}).empty());
}

TEST(WaMediaConn, UploadUrlCarriesUnpaddedBase64UrlTokenAndEncodedAuth) {
  const wa::Bytes hash(32, 0xfb);  // base64 has '+', '/' and '=' to replace
  const std::string url = wc::uploadUrl("h:1", wc::mmsTypeOf("sticker"), hash, "a/b=");
  EXPECT_EQ(url, "https://h:1/mms/image/-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s?auth=a%2Fb%3D&token="
                 "-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s");
  EXPECT_EQ(wc::parseUploadReply(R"({"url":"https://h/x","direct_path":"/x?a=1"})")->directPath, "/x?a=1");
  EXPECT_FALSE(wc::parseUploadReply(R"({"handle":"1"})").ok());
  EXPECT_FALSE(wc::parseUploadReply("not json").ok());
  EXPECT_FALSE(wc::parseUploadReply(R"({"url":5})").ok());
}

TEST(WaMediaFetch, TransientFailuresAreRetriedAcrossHostsUntilOneAnswers) {
  ScriptedClient client;
  client.script = {sb::Error::retriable("http.connect", "refused"), status(503), status(200, "bytes")};
  auto out = run(client, {"https://a/x", "https://b/x"}, 3);
  ASSERT_TRUE(out.reply.ok());
  EXPECT_EQ(out.reply->body, "bytes");
  EXPECT_EQ(out.requests, 3);
  EXPECT_EQ(client.urls, (std::vector<std::string>{"https://a/x", "https://b/x", "https://a/x"}));
}

TEST(WaMediaFetch, DefiniteAnswersEndTheTransferAfterOneRound) {
  ScriptedClient client;
  client.script = {status(404), status(403)};
  auto out = run(client, {"https://a/x", "https://b/x"}, 4);
  ASSERT_FALSE(out.reply.ok());
  EXPECT_FALSE(out.reply.error().isRetriable());
  EXPECT_EQ(out.requests, 2);
}

TEST(WaMediaFetch, GivesUpAfterTheLastRoundWithTheLastError) {
  ScriptedClient client;
  client.script = {status(500), status(429), status(502)};
  auto out = run(client, {"https://a/x"}, 3);
  ASSERT_FALSE(out.reply.ok());
  EXPECT_TRUE(out.reply.error().isRetriable());
  EXPECT_NE(out.reply.error().message.find("502"), std::string::npos);
  EXPECT_EQ(out.requests, 3);
  EXPECT_EQ(wc::fetchPause(wc::FetchPolicy{}, 1), 500ms);
  EXPECT_EQ(wc::fetchPause(wc::FetchPolicy{}, 3), 2000ms);
  EXPECT_EQ(wc::fetchPause(wc::FetchPolicy{}, 30), 8000ms);
}

TEST(WaMediaFetch, NoUsableUrlIsAnErrorWithoutRequests) {
  ScriptedClient client;
  auto out = run(client, {}, 3);
  ASSERT_FALSE(out.reply.ok());
  EXPECT_EQ(out.requests, 0);
}
