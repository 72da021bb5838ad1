// Frames, WebSocket transport and NoiseSocket: our client against our server on loopback, over
// plain WebSocket and over TLS, with keepalive, clean close and failures.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <future>
#include <thread>

#include "protocol/binary_node.hpp"
#include "protocol/frame_codec.hpp"
#include "protocol/noise_socket.hpp"
#include "switchboard/whatsapp/wire/client_payload.pb.h"

namespace wa = switchboard::whatsapp;
namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(WaFrames, ReassemblesAcrossAndWithinMessages) {
  wa::Bytes stream{'W', 'A', 6, 3};
  std::vector<wa::Bytes> frames{wa::Bytes(5, 1), wa::Bytes(0), wa::Bytes(70000, 2), wa::Bytes(1, 3)};
  for (const auto& f : frames) {
    ASSERT_TRUE(wa::appendFrame(stream, f).ok());
  }
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 1000u, 100000u}) {
    wa::FrameReader reader(wa::FrameReader::Side::Server);
    std::vector<wa::Bytes> got;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      auto n = std::min(chunk, stream.size() - at);
      ASSERT_TRUE(reader.feed(wa::ByteView(stream).subspan(at, n)).ok());
      while (auto f = reader.next()) {
        got.push_back(std::move(*f));
      }
    }
    EXPECT_EQ(got, frames) << chunk;
    ASSERT_TRUE(reader.header());
    EXPECT_EQ((*reader.header())[3], 3);
    EXPECT_EQ(reader.buffered(), 0u);
  }
}

TEST(WaFrames, EdgeRoutingPrefixAndBadIntro) {
  wa::Bytes stream{'E', 'D', 0, 1, 0, 0, 3, 9, 8, 7, 'W', 'A', 6, 2};
  ASSERT_TRUE(wa::appendFrame(stream, wa::toBytes("hi")).ok());
  wa::FrameReader reader(wa::FrameReader::Side::Server);
  ASSERT_TRUE(reader.feed(stream).ok());
  auto f = reader.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(wa::asChars(*f), "hi");
  EXPECT_EQ(reader.routingInfo(), (wa::Bytes{9, 8, 7}));
  EXPECT_EQ((*reader.header())[3], 2);

  wa::FrameReader bad(wa::FrameReader::Side::Server);
  EXPECT_FALSE(bad.feed(wa::toBytes("GET / HTTP/1.1")).ok());
  EXPECT_FALSE(bad.feed(wa::toBytes("more")).ok());  // stays failed
  // An announced frame above the limit fails before its bytes are buffered.
  wa::FrameReader small(wa::FrameReader::Side::Client, 1024);
  EXPECT_FALSE(small.feed(wa::Bytes{0x00, 0x04, 0x01}).ok());
  EXPECT_FALSE(wa::appendFrame(stream, wa::Bytes(wa::kMaxFrameSize + 1)).ok());
}

namespace {

struct TestPki {
  wa::KeyPair root = wa::KeyPair::generate();
  wa::KeyPair intermediate = wa::KeyPair::generate();
  wa::KeyPair server = wa::KeyPair::generate();
  wa::Bytes chain = wa::issueCertChain(root, intermediate, server.pub,
                                       static_cast<std::uint64_t>(std::time(nullptr)));
};

// A self-signed certificate for 127.0.0.1, made here so the test needs no files.
std::pair<std::shared_ptr<asio::ssl::context>, std::shared_ptr<asio::ssl::context>> makeTls() {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, pkey);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, pkey, EVP_sha256());
  auto server = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX_use_certificate(server->native_handle(), cert);
  SSL_CTX_use_PrivateKey(server->native_handle(), pkey);
  auto client = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(client->native_handle()), cert);
  client->set_verify_mode(asio::ssl::verify_peer);
  X509_free(cert);
  EVP_PKEY_free(pkey);
  return {server, client};
}

wa::Bytes loginPayload(std::uint64_t user, std::uint32_t device) {
  wa::wire::ClientPayload p;
  p.set_username(user);
  p.set_device(device);
  p.set_passive(true);
  p.mutable_user_agent()->set_platform(wa::wire::ClientPayload::UserAgent::WEB);
  return wa::toBytes(p.SerializeAsString());
}

// Our server: echoes every node back with an "echo" attribute; records what it saw.
struct EchoServer {
  asio::io_context& io;
  TestPki& pki;
  std::shared_ptr<wa::WsAcceptor> acceptor;
  std::promise<wa::NoiseSocket::Accepted> accepted;
  std::promise<bool> closedCleanly;
  std::shared_ptr<asio::ssl::context> tls;

  EchoServer(asio::io_context& i, TestPki& p, std::shared_ptr<asio::ssl::context> t = nullptr, wa::WsTimeouts to = {})
      : io(i), pki(p), tls(std::move(t)) {
    auto a = wa::WsAcceptor::listen(io.get_executor(), {asio::ip::make_address("127.0.0.1"), 0}, tls, "/ws/chat", to);
    EXPECT_TRUE(a.ok());
    acceptor = *a;
    acceptor->start([this](wa::WsConnectionPtr ws) {
      auto sock = std::make_shared<std::shared_ptr<wa::NoiseSocket>>();
      wa::NoiseSocket::Handlers h;
      h.onFrame = [sock](wa::Bytes frame) {
        auto node = wa::decodeFramePayload(frame, wa::TokenDictionary::v3());
        ASSERT_TRUE(node.ok()) << node.error().describe();
        node->setAttr("echo", "1");
        auto out = wa::encodeFramePayload(*node, wa::TokenDictionary::v3());
        (*sock)->send(std::move(*out));
      };
      h.onClose = [this](switchboard::sdk::Status st) { closedCleanly.set_value(st.ok()); };
      wa::NoiseSocket::ServerConfig config;
      config.staticKey = pki.server;
      config.certChain = pki.chain;
      wa::NoiseSocket::startServer(ws, config, h, [this, sock](auto r) {
        if (r.ok()) {
          *sock = r->socket;
          accepted.set_value(*r);
        }
      });
    });
  }
  std::string url() const {
    return std::string(tls ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(acceptor->port()) + "/ws/chat";
  }
};

struct Client {
  std::shared_ptr<wa::NoiseSocket> socket;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<wa::Node> received;
  std::promise<switchboard::sdk::Status> closed;

  switchboard::sdk::Status connect(asio::io_context& io, const std::string& url, wa::TrustedRoot root,
                                   std::shared_ptr<asio::ssl::context> tls = nullptr, wa::WsTimeouts to = {}) {
    std::promise<switchboard::sdk::Status> ready;
    wa::WsClientOptions opts;
    opts.url = url;
    opts.tls = std::move(tls);
    opts.timeouts = to;
    wa::connectWebSocket(io.get_executor(), opts, [&, root](switchboard::sdk::Result<wa::WsConnectionPtr> ws) {
      if (!ws) {
        ready.set_value(ws.error());
        return;
      }
      wa::NoiseSocket::Handlers h;
      h.onFrame = [this](wa::Bytes frame) {
        auto node = wa::decodeFramePayload(frame, wa::TokenDictionary::v3());
        std::lock_guard lock(mu);
        received.push_back(node.ok() ? *node : wa::Node("decode-error"));
        cv.notify_all();
      };
      h.onClose = [this](switchboard::sdk::Status st) { closed.set_value(st); };
      wa::NoiseSocket::ClientConfig config;
      config.staticKey = wa::KeyPair::generate();
      config.root = root;
      config.clientPayload = loginPayload(15551234567, 3);
      wa::NoiseSocket::startClient(*ws, config, h,
                                   [&](auto r) {
                                     if (r.ok()) {
                                       socket = *r;
                                       ready.set_value(switchboard::sdk::okStatus());
                                     } else {
                                       ready.set_value(r.error());
                                     }
                                   });
    });
    return ready.get_future().get();
  }

  bool waitFor(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return received.size() >= n; });
  }
};

class Loop {
 public:
  Loop() : guard_(asio::make_work_guard(io)), thread_([this] { io.run(); }) {}
  ~Loop() {
    guard_.reset();
    io.stop();
    thread_.join();
  }
  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

void exchangeAndClose(Loop& loop, TestPki& pki, std::shared_ptr<asio::ssl::context> serverTls,
                      std::shared_ptr<asio::ssl::context> clientTls) {
  EchoServer server(loop.io, pki, serverTls);
  Client client;
  auto st = client.connect(loop.io, server.url(), {pki.root.pub, 0}, clientTls);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  auto accepted = server.accepted.get_future().get();
  wa::wire::ClientPayload payload;
  ASSERT_TRUE(payload.ParseFromArray(accepted.clientPayload.data(), static_cast<int>(accepted.clientPayload.size())));
  EXPECT_EQ(payload.username(), 15551234567u);
  EXPECT_EQ(payload.device(), 3u);
  EXPECT_EQ(accepted.header[3], 3);

  constexpr int kFrames = 50;
  for (int i = 0; i < kFrames; ++i) {
    wa::Node n("iq", {{"id", std::to_string(i)}, {"type", "get"}, {"xmlns", "w:p"}},
               wa::Node::Children{wa::Node("ping", {}, wa::Bytes(static_cast<std::size_t>(i) * 997, 0x5A))});
    client.socket->send(*wa::encodeFramePayload(n, wa::TokenDictionary::v3()));
  }
  ASSERT_TRUE(client.waitFor(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    const auto& n = client.received[static_cast<std::size_t>(i)];
    EXPECT_EQ(n.attr("id"), std::to_string(i));  // in order
    EXPECT_EQ(n.attr("echo"), "1");
    ASSERT_NE(n.child("ping"), nullptr);
    EXPECT_EQ(n.child("ping")->bytes()->size(), static_cast<std::size_t>(i) * 997);
  }
  client.socket->close();
  EXPECT_TRUE(client.closed.get_future().get().ok());
  EXPECT_TRUE(server.closedCleanly.get_future().get());
  server.acceptor->stop();
}

}  // namespace

TEST(WaTransport, OurClientWithOurServerOverWebSocket) {
  Loop loop;
  TestPki pki;
  exchangeAndClose(loop, pki, nullptr, nullptr);
}

TEST(WaTransport, OurClientWithOurServerOverTls) {
  Loop loop;
  TestPki pki;
  auto [serverTls, clientTls] = makeTls();
  exchangeAndClose(loop, pki, serverTls, clientTls);
}

TEST(WaTransport, ClientRefusesAServerItDoesNotTrust) {
  Loop loop;
  TestPki pki;
  EchoServer server(loop.io, pki);
  Client client;
  auto st = client.connect(loop.io, server.url(), wa::TrustedRoot{});  // WhatsApp's root, not ours
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "wa.noise.cert");
  server.acceptor->stop();
}

TEST(WaTransport, WrongPathAndNoServer) {
  Loop loop;
  TestPki pki;
  EchoServer server(loop.io, pki);
  Client client;
  auto st = client.connect(loop.io, "ws://127.0.0.1:" + std::to_string(server.acceptor->port()) + "/elsewhere",
                           {pki.root.pub, 0});
  EXPECT_FALSE(st.ok());
  server.acceptor->stop();
  Client other;
  EXPECT_FALSE(other.connect(loop.io, "ws://127.0.0.1:1/ws/chat", {pki.root.pub, 0}).ok());
  EXPECT_FALSE(other.connect(loop.io, "http://x/", {pki.root.pub, 0}).ok());
}

TEST(WaTransport, KeepalivePingsHoldAnIdleConnection) {
  Loop loop;
  TestPki pki;
  wa::WsTimeouts fast;
  fast.idle = 2s;  // a ping after 1 s of silence; closed after 2 s without any traffic
  EchoServer server(loop.io, pki, nullptr, fast);
  Client client;
  ASSERT_TRUE(client.connect(loop.io, server.url(), {pki.root.pub, 0}, nullptr, fast).ok());
  auto closed = client.closed.get_future();
  EXPECT_EQ(closed.wait_for(4500ms), std::future_status::timeout) << "the idle connection was dropped";
  client.socket->send(*wa::encodeFramePayload(wa::Node("iq", {{"id", "after-idle"}}), wa::TokenDictionary::v3()));
  ASSERT_TRUE(client.waitFor(1));
  EXPECT_EQ(client.received[0].attr("id"), "after-idle");
  client.socket->close();
  EXPECT_TRUE(closed.get().ok());
  server.acceptor->stop();
}

TEST(WaTransport, GarbageFromTheClientClosesTheConnection) {
  Loop loop;
  TestPki pki;
  EchoServer server(loop.io, pki);
  std::promise<switchboard::sdk::Status> closed;
  std::promise<wa::WsConnectionPtr> conn;
  wa::WsClientOptions opts;
  opts.url = server.url();
  wa::connectWebSocket(loop.io.get_executor(), opts, [&](switchboard::sdk::Result<wa::WsConnectionPtr> ws) {
    ASSERT_TRUE(ws.ok());
    (*ws)->start([](wa::Bytes) {}, [&](switchboard::sdk::Status st) { closed.set_value(st); });
    (*ws)->send(wa::toBytes("not the WhatsApp header"));
    conn.set_value(*ws);
  });
  auto ws = conn.get_future().get();
  auto done = closed.get_future();
  EXPECT_EQ(done.wait_for(5s), std::future_status::ready) << "the server kept a connection that sent garbage";
  server.acceptor->stop();
}
