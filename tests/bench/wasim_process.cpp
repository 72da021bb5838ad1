#include "wasim_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace switchboard::bench {
namespace {

sdk::Result<std::string> readLine(std::FILE* f) {
  std::string line;
  int c;
  while ((c = std::fgetc(f)) != EOF && c != '\n') {
    line.push_back(static_cast<char>(c));
  }
  if (c == EOF && line.empty()) {
    return sdk::Error::permanent("bench.wasim", "the simulator closed its output");
  }
  return line;
}

}  // namespace

sdk::Result<std::unique_ptr<WasimProcess>> WasimProcess::start(const std::string& binary, const std::vector<std::string>& args) {
  int toChild[2], fromChild[2];
  if (::pipe(toChild) != 0 || ::pipe(fromChild) != 0) {
    return sdk::Error::permanent("bench.wasim", std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<std::string> all{binary, "--exit-on-stdin-eof", "--no-events"};
  all.insert(all.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  if (pid < 0) {
    return sdk::Error::permanent("bench.wasim", std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::dup2(toChild[0], 0);
    ::dup2(fromChild[1], 1);
    ::close(toChild[1]);
    ::close(fromChild[0]);
    std::vector<char*> argv;
    for (auto& a : all) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    std::fprintf(stderr, "exec %s: %s\n", binary.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(toChild[0]);
  ::close(fromChild[1]);
  std::unique_ptr<WasimProcess> p(new WasimProcess());
  p->pid_ = pid;
  p->in_ = ::fdopen(toChild[1], "w");
  p->out_ = ::fdopen(fromChild[0], "r");
  auto line = readLine(p->out_);
  if (!line) {
    return line.takeError();
  }
  p->info_ = nlohmann::json::parse(*line, nullptr, false);
  if (!p->info_.is_object() || p->info_.value("event", "") != "started") {
    return sdk::Error::permanent("bench.wasim", "unexpected first line: " + *line);
  }
  return p;
}

sdk::Result<nlohmann::json> WasimProcess::command(nlohmann::json request) {
  const long id = nextId_++;
  request["id"] = id;
  const auto text = request.dump() + "\n";
  if (std::fwrite(text.data(), 1, text.size(), in_) != text.size() || std::fflush(in_) != 0) {
    return sdk::Error::permanent("bench.wasim", "cannot write to the simulator");
  }
  for (;;) {
    auto line = readLine(out_);
    if (!line) {
      return line.takeError();
    }
    auto reply = nlohmann::json::parse(*line, nullptr, false);
    if (!reply.is_object() || reply.contains("event") || reply.value("id", -1L) != id) {
      continue;  // an event line, or a reply to an earlier command
    }
    if (!reply.value("ok", false)) {
      return sdk::Error::permanent("bench.wasim", request.value("cmd", "") + ": " + reply["error"].dump());
    }
    return reply;
  }
}

double WasimProcess::cpuSeconds() const {
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
  auto close = text.rfind(')');
  if (close == std::string::npos) {
    return -1;
  }
  std::istringstream rest(text.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) {
      utime = std::strtoull(field.c_str(), nullptr, 10);
    } else if (i == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

void WasimProcess::stop() {
  if (in_) {
    std::fclose(in_);
    in_ = nullptr;
  }
  if (pid_ > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (out_) {
    std::fclose(out_);
    out_ = nullptr;
  }
}

WasimProcess::~WasimProcess() { stop(); }

}  // namespace switchboard::bench
