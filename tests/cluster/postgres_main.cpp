// sb-test-postgres: the tests' throwaway PostgreSQL (tests/support/postgres_server.hpp) as a process,
// for test scripts whose daemons share one database. Creates the database named by the first
// argument (default "switchboard"), prints its URL on the first line of stdout, and stops the
// server and removes its files when stdin closes or on SIGTERM/SIGINT.
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <string>

#include "support/postgres_server.hpp"

namespace {
volatile std::sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }
}  // namespace

int main(int argc, char** argv) {
  const std::string database = argc > 1 ? argv[1] : "switchboard";
  std::string error;
  auto pg = switchboard::testing::PostgresServer::start(error);
  if (!pg) {
    std::cerr << "sb-test-postgres: " << error << "\n";
    return 1;
  }
  if (!pg->createDatabase(database, error)) {
    std::cerr << "sb-test-postgres: " << error << "\n";
    return 1;
  }
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  std::cout << pg->url(database) << std::endl;
  pollfd in{STDIN_FILENO, POLLIN, 0};
  char buf[256];
  while (gStop == 0) {
    if (::poll(&in, 1, 200) > 0) {
      if (::read(STDIN_FILENO, buf, sizeof buf) <= 0) {
        break;  // stdin closed: the test is gone
      }
    }
  }
  return 0;
}
