#include "config/daemon_config.hpp"

#include <chrono>

namespace switchboard::host {

using namespace std::chrono_literals;
namespace field = sdk::field;

sdk::ConfigSchema daemonConfigSchema() {
  return {{
      field::integer("threads", "Worker threads of the I/O pool (sessions are strands on it)", 2).range(1, 256),
      field::duration("shutdown_deadline", "How long SIGTERM waits for in-flight work before giving up", 10s)
          .range(100, 600'000),
      field::string("log_level", "trace, debug, info, warn, error, critical or off", std::string("info"))
          .oneOf({"trace", "debug", "info", "warn", "error", "critical", "off"}),
      field::string("plugin_dir", "Where plugin libraries are looked up (empty: the built-in directory)",
                    std::string("")),
      field::string("state_dir", "Directory for state files; under systemd use StateDirectory",
                    std::string("/var/lib/switchboard")),
      field::string("instance_id", "Name of this daemon among several sharing Kafka and PostgreSQL",
                    std::string("switchboard")),
  }};
}

sdk::ConfigSchema pipelineConfigSchema() {
  return {{
      field::integer("inbound_queue", "Messages waiting for storage before connectors are pushed back", 10'000)
          .range(16, 10'000'000),
      field::integer("batch_size", "Messages stored per transaction at most", 256).range(1, 100'000),
      field::duration("batch_linger", "How long the store stage waits to fill a batch", 2ms).range(0, 1000),
      field::integer("outbound_queue", "Commands waiting for a connector", 10'000).range(16, 10'000'000),
      field::duration("retry_backoff", "First delay before retrying a failed store or send (doubles up to 30s)", 200ms)
          .range(10, 60'000),
  }};
}

}  // namespace switchboard::host
