#include "support/postgres_server.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace switchboard::testing {

namespace {

bool isExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string findBinDir() {
  if (const char* env = std::getenv("SB_PG_BIN"); env != nullptr && *env != '\0') {
    return env;
  }
  std::vector<int> versions;
  if (DIR* d = ::opendir("/usr/lib/postgresql")) {
    while (dirent* e = ::readdir(d)) {
      int v = std::atoi(e->d_name);
      if (v > 0 && isExecutable("/usr/lib/postgresql/" + std::string(e->d_name) + "/bin/initdb")) {
        versions.push_back(v);
      }
    }
    ::closedir(d);
  }
  if (versions.empty()) {
    return {};
  }
  return "/usr/lib/postgresql/" + std::to_string(*std::max_element(versions.begin(), versions.end())) + "/bin";
}

// A port that was free a moment ago (the server binds it right after).
int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// Runs argv (as `user` through runuser when given), output appended to `log`; true on exit 0.
bool run(const std::vector<std::string>& argv, const std::string& user, const std::string& log, std::string& error) {
  std::vector<std::string> full;
  if (!user.empty()) {
    full = {"runuser", "-u", user, "--"};
  }
  full.insert(full.end(), argv.begin(), argv.end());
  pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork failed: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // A server user may not be allowed into the caller's working directory.
    if (::chdir("/") != 0) {
      ::_exit(126);
    }
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    std::vector<char*> args;
    for (auto& a : full) {
      args.push_back(a.data());
    }
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    return true;
  }
  std::ifstream in(log);
  std::stringstream tail;
  tail << in.rdbuf();
  std::string text = tail.str();
  if (text.size() > 2000) {
    text = text.substr(text.size() - 2000);
  }
  std::string cmd;
  for (const auto& a : full) {
    cmd += a + " ";
  }
  error = "command failed: " + cmd + "\n" + text;
  return false;
}

bool removeTree(const std::string& dir) {
  std::string error;
  return run({"rm", "-rf", dir}, "", "/dev/null", error);
}

}  // namespace

PostgresServer* PostgresServer::shared(std::string& error) {
  static std::string startError;
  static std::unique_ptr<PostgresServer> server = start(startError);
  error = startError;
  return server.get();
}

std::unique_ptr<PostgresServer> PostgresServer::start(std::string& error) {
  std::unique_ptr<PostgresServer> pg(new PostgresServer());
  pg->bin_ = findBinDir();
  if (pg->bin_.empty()) {
    error = "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb and SB_PG_BIN unset): "
            "install Debian's postgresql package to run the PostgreSQL tests";
    return nullptr;
  }
  if (!isExecutable(pg->bin_ + "/initdb") || !isExecutable(pg->bin_ + "/pg_ctl")) {
    error = "PostgreSQL server binaries not found in " + pg->bin_ + " (no initdb/pg_ctl there)";
    return nullptr;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/sb-pg-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    error = "mkdtemp " + templ + ": " + std::strerror(errno);
    return nullptr;
  }
  pg->dir_ = buf.data();
  if (::geteuid() == 0) {
    // Postgres will not run as root: hand the directory to an unprivileged system user.
    for (const char* candidate : {"postgres", "nobody"}) {
      if (passwd* pw = ::getpwnam(candidate)) {
        if (::chown(pg->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
          error = "chown " + pg->dir_ + ": " + std::strerror(errno);
          return nullptr;
        }
        pg->user_ = candidate;
        break;
      }
    }
    if (pg->user_.empty()) {
      error = "running as root and neither a postgres nor a nobody user exists to run PostgreSQL";
      return nullptr;
    }
  }
  const std::string log = pg->dir_ + "/setup.log";
  if (!pg->user_.empty()) {
    // The log must be writable by the server user too.
    std::ofstream(log).close();
    if (passwd* pw = ::getpwnam(pg->user_.c_str())) {
      (void)::chown(log.c_str(), pw->pw_uid, pw->pw_gid);
    }
  }
  if (!run({pg->bin_ + "/initdb", "-D", pg->dir_ + "/data", "-U", "postgres", "--auth=trust", "--encoding=UTF8",
            "--locale=C", "--no-sync"},
           pg->user_, log, error)) {
    return nullptr;
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    pg->port_ = freePort();
    if (pg->pgCtl("start", error)) {
      pg->running_ = true;
      pg->startWatchdog();
      return pg;
    }
  }
  return nullptr;
}

void PostgresServer::startWatchdog() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return;  // no watchdog: the destructor still cleans up on a normal exit
  }
  // Everything the child needs, prepared before fork.
  const std::vector<std::string> stop = {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "stop"};
  const std::string user = user_, dir = dir_;
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return;
  }
  if (pid == 0) {
    ::close(fds[1]);
    char c;
    for (;;) {
      const ssize_t n = ::read(fds[0], &c, 1);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;
      }
    }
    // EOF: the test process closed its end or died. Stop the server if it still runs.
    std::string ignored;
    if (::access((dir + "/data/postmaster.pid").c_str(), F_OK) == 0) {
      (void)run(stop, user, "/dev/null", ignored);
    }
    (void)run({"rm", "-rf", dir}, "", "/dev/null", ignored);
    ::_exit(0);
  }
  ::close(fds[0]);
  watchdogFd_ = fds[1];
  watchdogPid_ = pid;
}

bool PostgresServer::pgCtl(const std::string& action, std::string& error) {
  std::vector<std::string> argv = {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w",
                                   "-t", "60"};
  if (action == "start") {
    // fsync off: a test cluster need not survive a power cut, and tests get much faster.
    argv.push_back("-o");
    argv.push_back("-p " + std::to_string(port_) + " -k " + dir_ +
                   " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                   " -c max_connections=200");
    argv.push_back("start");
  } else {
    argv.push_back("-m");
    argv.push_back(action == "kill" ? "immediate" : "fast");
    argv.push_back("stop");
  }
  return run(argv, user_, dir_ + "/setup.log", error);
}

PostgresServer::~PostgresServer() {
  std::string error;
  if (running_) {
    (void)pgCtl("kill", error);
  }
  if (!dir_.empty()) {
    removeTree(dir_);
  }
  if (watchdogFd_ >= 0) {
    ::close(watchdogFd_);
    int status = 0;
    while (::waitpid(watchdogPid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

bool PostgresServer::execute(const std::string& database, const std::string& sql, std::string& error) {
  PGconn* conn = PQconnectdb(url(database).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
    PQfinish(conn);
    return false;
  }
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  PGresult* res = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
  if (!ok) {
    error = PQerrorMessage(conn);
  }
  PQclear(res);
  PQfinish(conn);
  return ok;
}

bool PostgresServer::createDatabase(const std::string& name, std::string& error) {
  return execute("postgres", "DROP DATABASE IF EXISTS \"" + name + "\"", error) &&
         execute("postgres", "CREATE DATABASE \"" + name + "\"", error);
}

bool PostgresServer::stop(std::string& error) {
  if (!running_) {
    return true;
  }
  if (!pgCtl("stop", error)) {
    return false;
  }
  running_ = false;
  return true;
}

bool PostgresServer::restart(std::string& error) {
  if (running_) {
    return true;
  }
  if (!pgCtl("start", error)) {
    return false;
  }
  running_ = true;
  return true;
}

}  // namespace switchboard::testing

// SOCI 4.0.3's PostgreSQL backend loses the parameter buffers of a prepared statement whose
// execution fails on the server (a deadlock, a constraint): not ours to fix, and tests provoke such
// failures on purpose. Weak, so a test binary can define its own list instead.
extern "C" __attribute__((weak)) const char* __lsan_default_suppressions() {
  return "leak:libsoci_postgresql.so\n";
}
