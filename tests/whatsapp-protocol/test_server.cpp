// Test peer for tests/node/waproto/baileys-handshake.mjs: our server side (WebSocket acceptor,
// Noise responder, certificate chain from a test root) for a Baileys client to connect to.
// Prints JSON lines: first {"port","root"}, then one event per thing that happens. After the
// handshake it sends the pair-device iq a registering client expects, answers keepalive pings,
// and reports every node it decrypts. Exits when stdin closes.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "protocol/binary_node.hpp"
#include "protocol/noise_socket.hpp"
#include "switchboard/whatsapp/wire/client_payload.pb.h"

namespace wa = switchboard::whatsapp;
namespace asio = boost::asio;
using nlohmann::json;

namespace {

std::mutex outMutex;
void emit(const json& j) {
  std::lock_guard lock(outMutex);
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
}

wa::Bytes frameOf(const wa::Node& n, const wa::TokenDictionary& dict) { return *wa::encodeFramePayload(n, dict); }

}  // namespace

int main() {
  asio::io_context io;
  auto root = wa::KeyPair::generate();
  auto intermediate = wa::KeyPair::generate();
  auto server = wa::KeyPair::generate();
  auto chain = wa::issueCertChain(root, intermediate, server.pub, static_cast<std::uint64_t>(std::time(nullptr)));
  auto acceptor = wa::WsAcceptor::listen(io.get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
  if (!acceptor) {
    std::cerr << acceptor.error().describe() << "\n";
    return 1;
  }
  (*acceptor)->start([&](wa::WsConnectionPtr ws) {
    auto socket = std::make_shared<std::shared_ptr<wa::NoiseSocket>>();
    auto dict = std::make_shared<const wa::TokenDictionary*>(&wa::TokenDictionary::v3());
    wa::NoiseSocket::Handlers handlers;
    handlers.onFrame = [socket, dict](wa::Bytes frame) {
      auto node = wa::decodeFramePayload(frame, **dict);
      if (!node) {
        emit({{"event", "bad-node"}, {"error", node.error().describe()}});
        return;
      }
      emit({{"event", "node"}, {"tag", node->tag}, {"xml", node->toString()},
            {"type", node->attr("type").value_or("")}, {"id", node->attr("id").value_or("")}});
      // Keepalive: answer w:p pings as the server does.
      if (node->tag == "iq" && node->attr("xmlns") == "w:p" && node->attr("type") == "get") {
        wa::Node pong("iq", {{"id", std::string(node->attr("id").value_or(""))}, {"type", "result"},
                             {"from", "s.whatsapp.net"}});
        (*socket)->send(frameOf(pong, **dict));
      }
    };
    handlers.onClose = [](switchboard::sdk::Status st) {
      emit({{"event", "closed"}, {"clean", st.ok()}, {"reason", st.ok() ? "" : st.error().describe()}});
    };
    wa::NoiseSocket::ServerConfig config;
    config.staticKey = server;
    config.certChain = chain;
    wa::NoiseSocket::startServer(ws, config, handlers, [&io, socket, dict](switchboard::sdk::Result<wa::NoiseSocket::Accepted> r) {
      if (!r) {
        emit({{"event", "handshake-failed"}, {"error", r.error().describe()}});
        return;
      }
      *socket = r->socket;
      int version = r->header[3];
      if (const auto* d = wa::TokenDictionary::forVersion(version)) {
        *dict = d;
      }
      wa::wire::ClientPayload payload;
      bool parsed = payload.ParseFromArray(r->clientPayload.data(), static_cast<int>(r->clientPayload.size()));
      emit({{"event", "handshake"},
            {"dict", version},
            {"clientStatic", wa::toHex(r->clientStatic)},
            {"payloadParsed", parsed},
            {"passive", payload.passive()},
            {"registration", payload.has_device_pairing_data()},
            {"identity", wa::toHex(wa::asBytes(payload.device_pairing_data().e_ident()))},
            {"platform", static_cast<int>(payload.user_agent().platform())}});
      // A registering client waits for pair-device; its refs become the QR code.
      wa::Node::Children refs;
      for (int i = 1; i <= 3; ++i) {
        refs.emplace_back("ref", std::vector<wa::Node::Attribute>{}, wa::toBytes("2@switchboard-test-ref-" + std::to_string(i)));
      }
      wa::Node pair("iq", {{"from", "@s.whatsapp.net"}, {"type", "set"}, {"id", "pair-1"}, {"xmlns", "md"}},
                    wa::Node::Children{wa::Node("pair-device", {}, std::move(refs))});
      // Baileys (6 and 7) switches its noise state to transport only after the WebSocket reports
      // ClientFinish as sent; on loopback our first frame can arrive before that and is then
      // misread. A real server is a round trip away; here we wait a little instead.
      auto timer = std::make_shared<asio::steady_timer>(io);
      timer->expires_after(std::chrono::milliseconds(250));
      timer->async_wait([timer, socket, dict, frame = frameOf(pair, **dict)](boost::system::error_code ec) mutable {
        if (!ec) {
          (*socket)->send(std::move(frame));
        }
      });
    });
  });
  emit({{"port", (*acceptor)->port()}, {"root", wa::toHex(root.pub)}});

  std::thread stdinWatcher([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    (*acceptor)->stop();
    io.stop();
  });
  io.run();
  stdinWatcher.join();
  return 0;
}
