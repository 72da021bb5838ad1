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
      field::integer("tenant_share",
                     "Percentage of inbound_queue and of outbound_queue one tenant may hold, so a burst in one "
                     "tenant leaves room for the others",
                     75)
          .range(1, 100),
  }};
}

sdk::ConfigSchema adminConfigSchema() {
  return {{
      field::boolean("enabled", "Serve the admin API (HTTP, WebSocket)", false),
      field::string("address", "Listen address (IPv4 or IPv6 literal)", std::string("127.0.0.1")),
      field::integer("port", "Listen port (0 picks a free one and logs it)", 8080).range(0, 65535),
      field::string("tls_cert", "PEM certificate chain; with tls_key, serve HTTPS", std::string("")),
      field::string("tls_key", "PEM private key of tls_cert", std::string("")),
      field::string("tokens_file", "File of extra tokens, one per line: name role tenant sha256-hex",
                    std::string("")),
      field::integer("max_body", "Largest request body accepted, in bytes", 1024 * 1024).range(1024, 256 * 1024 * 1024),
      field::real("rate_limit", "Requests per second per client address (0 turns the limit off)", 50).range(0, 1e6),
      field::real("rate_burst", "Requests a client address may make at once", 100).range(1, 1e6),
      field::real("token_rate_limit", "Requests per second per token (0 turns the limit off)", 20).range(0, 1e6),
      field::real("token_rate_burst", "Requests a token may make at once", 60).range(1, 1e6),
      field::duration("request_timeout", "Time allowed to receive a request", 30s).range(100, 600'000),
      field::integer("worker_threads", "Threads running API handlers (they wait on the database)", 2).range(1, 64),
      field::boolean("public_health", "Serve /v1/health/live and /v1/health/ready without a token", true),
      field::boolean("public_metrics", "Serve /v1/metrics without a token", false),
      field::integer("max_event_clients", "WebSocket event feeds open at once", 256).range(1, 100'000),
      field::string("tenant_export_dir", "Where a deleted tenant's data is exported, one directory per deletion",
                    std::string("tenant-exports")),
  }};
}

}  // namespace switchboard::host
