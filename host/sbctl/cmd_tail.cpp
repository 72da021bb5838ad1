// sbctl tail [--types PREFIX,...]: live events over the admin API's WebSocket until Ctrl-C.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>

#include "http/url.hpp"
#include "sbctl/commands.hpp"
#include "sbctl/table.hpp"

namespace switchboard::sbctl {
namespace {

// One line per event for humans: time, type, account, conversation, subject, attributes.
std::string describe(const json& e) {
  std::string line = formatTime(e.value("timestamp", 0LL)) + "  " + field(e, "type");
  for (const auto* key : {"account", "conversation", "subject"}) {
    if (auto v = field(e, key); !v.empty()) {
      line += std::string("  ") + key + "=" + v;
    }
  }
  if (e.contains("attributes") && e["attributes"].is_object()) {
    for (const auto& [k, v] : e["attributes"].items()) {
      if (v.is_string() && !v.get<std::string>().empty()) {
        line += "  " + k + "=" + v.get<std::string>();
      }
    }
  }
  return line;
}

}  // namespace

int cmdTail(Invocation& in) {
  namespace asio = boost::asio;
  asio::io_context io;
  auto client = http::Client::create(io.get_executor(), in.api.connection().client);
  if (!client) {
    return ApiSession::reportTransport(client.error());
  }
  std::string path = "/v1/events";
  if (auto types = in.args.value("types")) {
    path += "?types=" + http::percentEncode(*types);
  }
  auto url = in.api.url(path);
  if (url.rfind("http", 0) == 0) {
    url.replace(0, 4, "ws");  // http:// -> ws://, https:// -> wss://
  }
  http::Headers headers;
  if (!in.api.connection().token.empty()) {
    headers["Authorization"] = "Bearer " + in.api.connection().token;
  }
  int exitCode = kOk;
  bool stopping = false;
  http::WebSocketPtr socket;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) {
      return;
    }
    stopping = true;
    if (socket) {
      socket->close();
    } else {
      io.stop();
    }
  });
  (*client)->connectWebSocket(url, headers, [&](sdk::Result<http::WebSocketPtr> r) {
    if (!r.ok()) {
      std::cerr << "sbctl: " << r.error().message << "\n";
      const auto& m = r.error().message;
      exitCode = m.find("status 401") != std::string::npos || m.find("status 403") != std::string::npos ? kAuth
                 : r.error().code == "http.websocket"                                                     ? kApiError
                                                                                                          : kUnreachable;
      signals.cancel();
      return;
    }
    socket = r.value();
    socket->start(
        [&](std::string message, bool) {
          auto e = json::parse(message, nullptr, false);
          if (in.json || !e.is_object()) {
            std::cout << message << std::endl;
          } else if (field(e, "type") == "feed.open") {
            std::cerr << "tailing events of tenant " << field(e, "tenant") << " (Ctrl-C stops)\n";
          } else {
            std::cout << describe(e) << std::endl;
          }
        },
        [&](sdk::Status s) {
          if (!stopping) {
            std::cerr << "sbctl: the event feed ended" << (s.ok() ? "" : ": " + s.error().message) << "\n";
            exitCode = kUnreachable;
          }
          signals.cancel();
        });
  });
  io.run();
  return exitCode;
}

}  // namespace switchboard::sbctl
