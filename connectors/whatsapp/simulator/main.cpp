// switchboard-wasim: runs the simulator as a process. Prints one JSON line at start (ports, root
// key, media CA file), then reads control commands as JSON lines on stdin and answers each with
// one JSON line on stdout; events are printed as JSON lines too. With --control the same commands
// are served over HTTP. See README.md.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <iostream>
#include <mutex>
#include <thread>

#include "simulator/base64.hpp"
#include "simulator/control.hpp"
#include "http/server.hpp"
#include "simulator/control_http.hpp"

namespace asio = boost::asio;
namespace wasim = switchboard::wasim;
using nlohmann::json;

namespace {

constexpr const char* kUsage =
    "usage: switchboard-wasim [--listen ADDR:PORT] [--control ADDR:PORT] [--state-dir DIR] [--threads N]\n"
    "                         [--account PHONE[:NAME]]... [--no-events] [--exit-on-stdin-eof]\n";

std::mutex outMutex;
void printLine(const json& j) {
  std::lock_guard lock(outMutex);
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
}

bool splitHostPort(const std::string& text, std::string& host, std::uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return false;
  }
  host = text.substr(0, colon);
  auto p = std::string_view(text).substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  return ec == std::errc{} && end == p.data() + p.size();
}

}  // namespace

int main(int argc, char** argv) {
  wasim::SimulatorOptions options;
  std::optional<std::string> control;
  std::vector<std::pair<std::string, std::string>> accounts;
  int threads = 2;
  std::filesystem::path caFileToRemove;
  bool events = true;
  bool exitOnEof = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) {
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    std::optional<std::string> v;
    if (arg == "--listen" && (v = value())) {
      if (!splitHostPort(*v, options.listenAddress, options.port)) {
        std::cerr << "switchboard-wasim: --listen wants ADDR:PORT, got \"" << *v << "\"\n";
        return 2;
      }
    } else if (arg == "--control" && (v = value())) {
      control = *v;
    } else if (arg == "--state-dir" && (v = value())) {
      options.stateDir = *v;
    } else if (arg == "--threads" && (v = value())) {
      threads = std::max(1, std::min(64, std::atoi(v->c_str())));
    } else if (arg == "--account" && (v = value())) {
      auto colon = v->find(':');
      accounts.emplace_back(v->substr(0, colon), colon == std::string::npos ? "" : v->substr(colon + 1));
    } else if (arg == "--no-events") {
      events = false;
    } else if (arg == "--exit-on-stdin-eof") {
      exitOnEof = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "switchboard-wasim: unknown or incomplete option \"" << arg << "\"\n" << kUsage;
      return 2;
    }
  }
  std::string controlAddress;
  std::uint16_t controlPort = 0;
  if (control && !splitHostPort(*control, controlAddress, controlPort)) {
    std::cerr << "switchboard-wasim: --control wants ADDR:PORT, got \"" << *control << "\"\n";
    return 2;
  }

  asio::io_context io(threads);
  auto sim = wasim::Simulator::start(io.get_executor(), options);
  if (!sim) {
    std::cerr << "switchboard-wasim: " << sim.error().describe() << "\n";
    return 1;
  }
  auto& simulator = **sim;
  auto feed = std::make_shared<wasim::EventFeed>();
  simulator.onEvent([feed, events](const wasim::SimEvent& e) {
    if (events) {
      printLine(wasim::eventToJson(e));
    }
    feed->publish(e);
  });
  std::shared_ptr<switchboard::http::Server> controlServer;
  if (control) {
    switchboard::http::ServerOptions o;
    o.address = controlAddress;
    o.port = controlPort;
    o.name = "wasim-control";
    auto server = switchboard::http::Server::start(io.get_executor(), o, wasim::controlRouter(simulator, feed));
    if (!server) {
      std::cerr << "switchboard-wasim: --control " << *control << ": " << server.error().describe() << "\n";
      return 1;
    }
    controlServer = std::move(*server);
  }
  for (const auto& [phone, name] : accounts) {
    auto a = simulator.createAccount(phone, name);
    if (!a && a.error().code != "wasim.exists") {
      std::cerr << "switchboard-wasim: --account " << phone << ": " << a.error().describe() << "\n";
      return 2;
    }
  }
  auto root = simulator.rootPublicKey();
  json started{{"event", "started"},
               {"port", simulator.port()},
               {"url", simulator.webSocketUrl()},
               {"rootKey", switchboard::whatsapp::toHex(root)},
               {"rootKeyBase64", wasim::toBase64(root)}};
  if (controlServer) {
    started["control"] = controlServer->baseUrl();
  }
  if (!simulator.mediaHost().empty()) {
    started["media"] = simulator.mediaHost();
    // Clients must trust the media CA; a file is what Node's NODE_EXTRA_CA_CERTS wants.
    auto caFile = options.stateDir.empty() ? std::filesystem::temp_directory_path() /
                                                 ("switchboard-wasim-" + std::to_string(::getpid()) + "-media-ca.pem")
                                           : std::filesystem::path(options.stateDir) / "media-ca.pem";
    if (options.stateDir.empty()) {
      std::ofstream(caFile) << simulator.mediaCaPem();
      caFileToRemove = caFile;
    }
    started["mediaCa"] = caFile.string();
  }
  printLine(started);

  auto shutdown = [&] {
    if (controlServer) {
      controlServer->stop();
    }
    simulator.stop();
    io.stop();
  };
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) {
      shutdown();
    }
  });

  // Control lines on stdin: a blocking reader of its own, calling the thread-safe API.
  std::thread reader([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.empty()) {
        continue;
      }
      json request = json::parse(line, nullptr, false);
      json reply = request.is_discarded()
                       ? json{{"ok", false}, {"error", {{"code", "wasim.bad_json"}, {"message", "not a JSON line"}}}}
                       : wasim::runControlCommand(simulator, request);
      if (request.is_object() && request.contains("id")) {
        reply["id"] = request["id"];
      }
      printLine(reply);
    }
    if (exitOnEof) {
      asio::post(io, shutdown);
    }
  });
  reader.detach();

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) {
    pool.emplace_back([&] { io.run(); });
  }
  io.run();
  for (auto& t : pool) {
    t.join();
  }
  if (!caFileToRemove.empty()) {
    std::error_code ec;
    std::filesystem::remove(caFileToRemove, ec);
  }
  return 0;
}
