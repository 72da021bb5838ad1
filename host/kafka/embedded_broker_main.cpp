// switchboard-kafka-mock: the embedded broker in a process of its own, for tests that SIGKILL the
// daemon and need the broker (and its records) to survive. Prints the bootstrap address on the
// first line of stdout (and writes it to --bootstrap-file) once the topics exist, then runs until
// SIGTERM/SIGINT.

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "kafka/embedded_broker.hpp"

namespace {

volatile std::sig_atomic_t gStop = 0;

void onSignal(int) { gStop = 1; }

int usage() {
  std::cerr << "usage: switchboard-kafka-mock [--brokers N] [--partitions N] [--topic-prefix P]\n"
               "                              [--topic NAME]... [--bootstrap-file PATH]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  int partitions = 3;
  std::string prefix = "switchboard.";
  std::string bootstrapFile;
  std::vector<std::string> extra;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      return usage();
    }
    std::string v = argv[++i];
    if (a == "--brokers") {
      brokers = std::atoi(v.c_str());
    } else if (a == "--partitions") {
      partitions = std::atoi(v.c_str());
    } else if (a == "--topic-prefix") {
      prefix = v;
    } else if (a == "--topic") {
      extra.push_back(v);
    } else if (a == "--bootstrap-file") {
      bootstrapFile = v;
    } else {
      return usage();
    }
  }
  if (brokers < 1 || partitions < 1) {
    return usage();
  }
  switchboard::host::EmbeddedBroker broker;
  auto status = broker.start(brokers);
  if (!status.ok()) {
    std::cerr << status.error().describe() << "\n";
    return 1;
  }
  for (const char* t : {"inbound", "outbound", "results", "events", "dlq", "control"}) {
    extra.push_back(prefix + t);
  }
  for (const auto& t : extra) {
    auto s = broker.createTopic(t, partitions);
    if (!s.ok()) {
      std::cerr << s.error().describe() << "\n";
      return 1;
    }
  }
  const std::string bootstrap = broker.bootstrapServers();
  if (!bootstrapFile.empty()) {
    // Written then renamed, so a test polling for the file never reads half of it.
    std::string tmp = bootstrapFile + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    std::rename(tmp.c_str(), bootstrapFile.c_str());
  }
  std::cout << bootstrap << std::endl;
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  while (gStop == 0) {
    pause();
  }
  broker.stop();
  return 0;
}
