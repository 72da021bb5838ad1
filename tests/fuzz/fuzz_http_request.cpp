// What sb_http's server does with bytes from the network before a handler runs: Beast's request
// parser under the server's limits, then the request target (path segments, query) through the
// router, and the body through the JSON reader handlers use. Nothing here may crash or throw.

#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "http/message.hpp"
#include "http/router.hpp"
#include "http/url.hpp"

namespace sbh = switchboard::http;
namespace bhttp = boost::beast::http;

namespace {

const sbh::Router& router() {
  static const sbh::Router r = [] {
    sbh::Router built;
    auto ok = [](const sbh::Request&) { return sbh::Response::noContent(); };
    built.add("GET", "/v1/conversations/{id}", ok);
    built.add("POST", "/v1/conversations/{id}/notes", ok);
    built.add("GET", "/v1/contacts/export", ok);
    built.add("GET", "/v1/contacts/{id}", ok);
    built.addWebSocket("/v1/events", [](const sbh::Request&) -> std::variant<sbh::Response, sbh::WebSocketOpen> {
      return sbh::Response::noContent();
    });
    return built;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  // Fed in two pieces, as a socket would deliver them.
  std::size_t half = size / 2;
  std::size_t used = parser.put(boost::asio::buffer(data, half), ec);
  if (!ec || ec == bhttp::error::need_more) {
    ec = {};
    parser.put(boost::asio::buffer(data + used, size - used), ec);
  }
  if (!parser.is_header_done()) {
    return 0;
  }
  const auto& req = parser.get();
  auto target = sbh::parseTarget(std::string_view(req.target().data(), req.target().size()));
  if (target) {
    auto m = router().match(std::string(req.method_string()), target->segments, true);
    (void)m;
  }
  (void)sbh::parseUrl(std::string_view(reinterpret_cast<const char*>(data), size));
  if (parser.is_done()) {
    sbh::Request request;
    request.body = req.body();
    auto json = request.jsonBody();
    (void)json;
  }
  return 0;
}
