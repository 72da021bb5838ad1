// Runs the bridge on the embedded broker with a real SQLite store, seeds a few inbound records
// and an event, then runs a third-party client (the command after "--", e.g. a kafkajs script)
// with SB_KAFKA_BOOTSTRAP/SB_KAFKA_FORMAT/SB_PROTO_DIR/SB_ACCOUNT set. Succeeds when the client
// exits 0 and every command it reports ("COMMANDS id..." on stdout) was dispatched exactly once.
//
//   kafka_peer_harness --format json|protobuf -- node tests/node/kafka/bridge_peer.js

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"

using namespace switchboard;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  std::string format = "json";
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--format" && i + 1 < argc) {
      format = argv[++i];
    } else if (a == "--") {
      ++i;
      break;
    }
  }
  if (i >= argc) {
    std::cerr << "usage: kafka_peer_harness [--format json|protobuf] -- command...\n";
    return 2;
  }
  const std::string account = "15550001111";
  test::TempDir dir;
  auto store = test::openTestStore(dir.path());
  test::TestSink sink(store, {account}, /*complete=*/true);
  host::MetricsRegistry metrics;
  host::KafkaBridge bridge(test::kafkaSection(format), store, sink, metrics);
  if (auto s = bridge.start(); !s.ok()) {
    std::cerr << "bridge: " << s.error().describe() << "\n";
    return 1;
  }
  std::vector<host::OutboxRecord> seed;
  for (int n = 0; n < 5; ++n) {
    sdk::InboundMessage m;
    m.account = account;
    m.id = "seed-" + std::to_string(n);
    m.networkId = "3EB0SEED" + std::to_string(n);
    m.conversation = "conv-" + std::to_string(n % 2);
    m.text = "seeded " + std::to_string(n);
    m.timestamp = host::nowMs();
    seed.push_back(host::inboundRecord(m));
  }
  sdk::Event e;
  e.type = "session.state";
  e.account = account;
  e.subject = account;
  e.attributes = {{"state", "open"}};
  e.timestamp = host::nowMs();
  seed.push_back(host::eventRecord(e));
  if (auto s = store->enqueue(seed); !s.ok()) {
    std::cerr << "seed: " << s.error().describe() << "\n";
    return 1;
  }
  bridge.notifyOutbox();

  int out[2];
  if (pipe(out) != 0) {
    return 1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    setenv("SB_KAFKA_BOOTSTRAP", bridge.bootstrapServers().c_str(), 1);
    setenv("SB_KAFKA_FORMAT", format.c_str(), 1);
    setenv("SB_PROTO_DIR", SB_SOURCE_DIR "/sdk/proto", 1);
    setenv("SB_ACCOUNT", account.c_str(), 1);
    execvp(argv[i], argv + i);
    std::perror("exec");
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(out[0], buf, sizeof(buf))) > 0) {
    text.append(buf, static_cast<size_t>(n));
    std::cout.write(buf, n);
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  bridge.stop(2s);
  if (code != 0) {
    std::cerr << "client exited with " << code << "\n";
    return 1;
  }
  auto at = text.find("COMMANDS ");
  if (at == std::string::npos) {
    std::cerr << "client reported no commands\n";
    return 1;
  }
  std::istringstream ids(text.substr(at + 9, text.find('\n', at) - at - 9));
  std::map<std::string, int> dispatched;
  for (const auto& c : sink.dispatched()) {
    ++dispatched[c.commandId];
  }
  std::string id;
  int expected = 0;
  while (ids >> id) {
    ++expected;
    if (dispatched[id] != 1) {
      std::cerr << "command " << id << " dispatched " << dispatched[id] << " times, expected once\n";
      return 1;
    }
  }
  if (static_cast<int>(sink.dispatched().size()) != expected) {
    std::cerr << "dispatched " << sink.dispatched().size() << " commands, expected " << expected << "\n";
    return 1;
  }
  std::cout << "harness: " << expected << " commands dispatched exactly once\n";
  return 0;
}
