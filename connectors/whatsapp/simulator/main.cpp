// switchboard-wasim: runs the simulator as a process. Prints one JSON line at start (ports and
// root key), then reads control commands as JSON lines on stdin and answers each with one JSON
// line on stdout; events are printed as JSON lines too. See README.md.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "simulator/base64.hpp"
#include "simulator/control.hpp"

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
  if (control) {
    std::cerr << "switchboard-wasim: the HTTP control API is not built into this version; use the stdin protocol\n";
    return 2;
  }

  asio::io_context io(threads);
  auto sim = wasim::Simulator::start(io.get_executor(), options);
  if (!sim) {
    std::cerr << "switchboard-wasim: " << sim.error().describe() << "\n";
    return 1;
  }
  auto& simulator = **sim;
  if (events) {
    simulator.onEvent([](const wasim::SimEvent& e) { printLine(wasim::eventToJson(e)); });
  }
  for (const auto& [phone, name] : accounts) {
    auto a = simulator.createAccount(phone, name);
    if (!a && a.error().code != "wasim.exists") {
      std::cerr << "switchboard-wasim: --account " << phone << ": " << a.error().describe() << "\n";
      return 2;
    }
  }
  auto root = simulator.rootPublicKey();
  printLine({{"event", "started"},
             {"port", simulator.port()},
             {"url", simulator.webSocketUrl()},
             {"rootKey", switchboard::whatsapp::toHex(root)},
             {"rootKeyBase64", wasim::toBase64(root)}});

  auto shutdown = [&] {
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
  return 0;
}
