#pragma once

/// @file
/// @brief The host context: every service a plugin may use. No globals, no Kafka or SQL handles.

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/connector_storage.hpp"
#include "switchboard/sdk/http_client.hpp"
#include "switchboard/sdk/http_routes.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/storage.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::sdk {

enum class LogLevel { Trace, Debug, Info, Warn, Error, Critical };

/// @brief A logger tagged with the plugin instance. Thread-safe. Never log secrets.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
  virtual bool enabled(LogLevel level) const = 0;
  void trace(std::string_view m) { log(LogLevel::Trace, m); }
  void debug(std::string_view m) { log(LogLevel::Debug, m); }
  void info(std::string_view m) { log(LogLevel::Info, m); }
  void warn(std::string_view m) { log(LogLevel::Warn, m); }
  void error(std::string_view m) { log(LogLevel::Error, m); }
};

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  virtual ~Counter() = default;
  virtual void inc(double by = 1) = 0;
};
class Gauge {
 public:
  virtual ~Gauge() = default;
  virtual void set(double value) = 0;
  virtual void add(double by) = 0;
};
class Histogram {
 public:
  virtual ~Histogram() = default;
  virtual void observe(double value) = 0;
};

/// @brief Prometheus-style metrics. Names get the `switchboard_` prefix and a `plugin` label.
/// The returned references live as long as the registry (the whole process). Thread-safe.
class Metrics {
 public:
  virtual ~Metrics() = default;
  virtual Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {}) = 0;
  virtual Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {}) = 0;
  virtual Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {}) = 0;
};

/// @brief Publish/subscribe inside the process. Handlers run on the subscriber's executor.
class EventBus {
 public:
  /// @brief Dropping the subscription unsubscribes (after any handler call in progress).
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };
  virtual ~EventBus() = default;
  /// @param typePrefix events whose type starts with it ("" for all).
  virtual std::unique_ptr<Subscription> subscribe(const std::string& typePrefix,
                                                  std::function<void(const Event&)> handler) = 0;
  virtual void publish(const Event& event) = 0;
};

/// @brief The one way to make something happen on a network: stored first (idempotent by
/// command id), then executed by the account's connector; results arrive as "command.result" events.
class Outbound {
 public:
  virtual ~Outbound() = default;
  /// @return Accepted (or the earlier result of the same command id), or why it was refused.
  virtual Result<CommandResult> submit(const OutboundCommand& command) = 0;
};

/// @brief How a connector hands received messages to the pipeline.
class InboundSink {
 public:
  virtual ~InboundSink() = default;
  /// @brief Called once the message is durably stored (ack it upstream then), or with the error.
  using Done = std::function<void(Status)>;
  /// @brief Queue a message for storage. Applies backpressure: when the pipeline is full this returns
  /// a Retriable error at once and the connector must not ack (the network will redeliver).
  virtual Status deliver(InboundMessage message, Done done) = 0;
  /// @brief Report a network event (receipt, session state, QR code) to the bus and to Kafka.
  virtual void event(const Event& event) = 0;
  /// @brief Report the outcome of a command this connector executed.
  virtual void result(const CommandResult& result) = 0;
  /// @brief Like deliver(), with what decrypting the message changed (SDK 1.1): the message, the
  /// Signal writes and the ciphertext hash are committed in ONE transaction, and `done` fires after
  /// that commit (ack upstream only then). A message already stored (same account and network id)
  /// is reported done without applying its Signal writes. Backpressure as for deliver().
  virtual Status deliverWithState(InboundDelivery delivery, Done done) = 0;
};

/// @brief Services given to a plugin instance. Owned by the host; outlives the plugin.
class PluginContext {
 public:
  virtual ~PluginContext() = default;
  virtual const std::string& instanceName() const = 0;
  /// @brief The plugin's validated configuration: every declared key present, secrets resolved.
  virtual const ConfigValue& config() const = 0;
  virtual Logger& logger() = 0;
  virtual Metrics& metrics() = 0;
  /// @brief A strand of the host's thread pool: handlers posted here never run concurrently.
  /// Use it for timers too (`boost::asio::steady_timer t(ctx.executor())`).
  virtual boost::asio::any_io_executor executor() = 0;
  /// @brief Storage scoped to one tenant.
  virtual std::shared_ptr<TenantStorage> storage(const TenantId& tenant = kDefaultTenant) = 0;
  virtual EventBus& events() = 0;
  virtual Outbound& outbound() = 0;
  /// @brief Where connectors deliver; other kinds may ignore it.
  virtual InboundSink& inbound() = 0;
  /// @brief A directory the plugin may write to (under the daemon's state directory).
  virtual std::string stateDirectory() const = 0;
  /// @brief Credentials, Signal state, accounts and sent messages of a connector (SDK 1.1).
  /// @return null when the daemon runs without storage. Owned by the context; same lifetime.
  virtual ConnectorStorage* connectorStorage() = 0;

  // ---- SDK 1.2 (appended; a host older than 1.2 refuses plugins built against it) ----
  // Not pure: a context that lacks them reports "http.unsupported".

  /// @brief An HTTP(S) client on the host's implementation; responses arrive on the plugin's strand.
  virtual Result<std::shared_ptr<HttpClient>> httpClient(const HttpClientOptions& options) {
    (void)options;
    return Error::permanent("http.unsupported", "this host offers plugins no HTTP client");
  }
  /// @brief Serves POST `/v1/hooks/<instanceName()>/<name>` on the admin API's listener while the
  /// returned handle lives. `name` is one path segment ([A-Za-z0-9._-]). Errors: "http.unsupported",
  /// "http.route_invalid", "http.route_exists".
  virtual Result<std::unique_ptr<HttpRoute>> addHttpRoute(const std::string& name, HttpRouteHandler handler) {
    (void)name, (void)handler;
    return Error::permanent("http.unsupported", "this host serves no plugin routes");
  }

  // ---- SDK 1.3 (appended; a host older than 1.3 refuses plugins built against it) ----

  /// @brief True when the host decides which accounts this daemon runs (several daemons share the
  /// work; see account_placement.hpp): a connector then starts no account until the host asks it
  /// to through sdk::AccountPlacement. False (the default) on a daemon that runs every account.
  virtual bool accountsPlacedByHost() const { return false; }
};

}  // namespace switchboard::sdk
