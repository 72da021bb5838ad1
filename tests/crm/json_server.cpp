#include "json_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "http/client.hpp"

namespace switchboard::crm::test {
namespace {

sdk::Error serverError(const std::string& message) { return sdk::Error::permanent("test.json_server", message); }

// A port nothing listens on right now (the kernel's choice for an ephemeral bind).
std::uint16_t freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

}  // namespace

std::string JsonServer::nodeFromEnv() { return env("SB_NODE"); }
std::string JsonServer::cliFromEnv() { return env("SB_JSON_SERVER"); }

JsonServer::JsonServer(std::string node, std::string cli, std::filesystem::path dbFile,
                       std::initializer_list<const char*> collections)
    : node_(std::move(node)), cli_(std::move(cli)), db_(std::move(dbFile)) {
  nlohmann::json db = nlohmann::json::object();
  for (const auto* c : collections) {
    db[c] = nlohmann::json::array();
  }
  std::ofstream(db_) << db.dump(2);
}

JsonServer::~JsonServer() { stop(); }

sdk::Status JsonServer::start() {
  if (pid_ > 0) {
    return sdk::okStatus();
  }
  if (port_ == 0) {
    port_ = freePort();
    if (port_ == 0) {
      return serverError("no free loopback port");
    }
  }
  const std::string port = std::to_string(port_);
  const std::string log = db_.string() + ".log";
  std::vector<std::string> args = {node_, cli_, "--host", "127.0.0.1", "--port", port, db_.string()};
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  const int logFd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const pid_t pid = ::fork();
  if (pid < 0) {
    if (logFd >= 0) {
      ::close(logFd);
    }
    return serverError("fork failed");
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec. It dies with the test process.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (logFd >= 0) {
      ::dup2(logFd, STDOUT_FILENO);
      ::dup2(logFd, STDERR_FILENO);
    }
    // Nothing of the test's (listeners, connections) stays open in the server.
    for (int fd = 3; fd < 1024; ++fd) {
      ::close(fd);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (logFd >= 0) {
    ::close(logFd);
  }
  pid_ = pid;
  // Node and express take a moment; the server is up when it answers.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    if (get("/db").ok()) {
      return sdk::okStatus();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return serverError("json-server exited at start (status " + std::to_string(status) + "); see " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop();
  return serverError("json-server did not answer on port " + port + " within 30 s; see " + log);
}

void JsonServer::stop() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

sdk::Result<nlohmann::json> JsonServer::get(const std::string& path) const {
  http::ClientOptions options;
  options.timeout = std::chrono::seconds(5);
  http::ClientRequest request;
  request.url = baseUrl() + path;
  request.headers["Accept"] = "application/json";
  auto r = http::fetch(options, request);
  if (!r.ok()) {
    return r.error();
  }
  if (r->status < 200 || r->status >= 300) {
    return serverError("GET " + path + ": HTTP " + std::to_string(r->status));
  }
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) {
    return serverError("GET " + path + ": not JSON");
  }
  return j;
}

}  // namespace switchboard::crm::test
