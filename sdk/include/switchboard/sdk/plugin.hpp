#pragma once

/// @file
/// @brief The plugin interfaces: a Plugin, and the kinds it may provide (Connector, Router,
/// Responder, Sync). One library may provide several kinds. Interfaces grow by appending only.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::sdk {

/// @brief A messaging network (WhatsApp). Executes commands for the accounts it runs and delivers
/// what it receives through PluginContext::inbound().
class Connector {
 public:
  virtual ~Connector() = default;
  /// @brief Does this connector run the account (so commands for it may be routed here)?
  virtual bool handlesAccount(const TenantId& tenant, const AccountId& account) const = 0;
  /// @brief Execute a stored command. Must eventually report Sent or Failed through
  /// InboundSink::result. A Retriable error returned here makes the host retry later.
  virtual Status execute(const OutboundCommand& command) = 0;
};

/// @brief What a router decides about.
struct RoutingRequest {
  Conversation conversation;
  std::optional<Contact> contact;
  InboundMessage message;      ///< The message that opened or reopened the conversation.
  std::vector<Agent> agents;   ///< The tenant's agents, with status and open-conversation counts.
};

/// @brief A routing decision: an agent, or none (left queued for a person to assign).
struct RoutingDecision {
  std::optional<AgentId> agent;
  std::string strategy;        ///< Which strategy decided, for the assignment event.
  std::string reason;
};

class Router {
 public:
  virtual ~Router() = default;
  /// @brief Called for each conversation without an assignee, on the plugin's strand.
  virtual Result<RoutingDecision> route(const RoutingRequest& request) = 0;
};

/// @brief Answers automatically. Sends through PluginContext::outbound(), marking commands automatic.
class Responder {
 public:
  virtual ~Responder() = default;
  /// @brief Called after a message is stored and routed, on the plugin's strand. Return quickly;
  /// do slow work (HTTP) asynchronously on the executor.
  virtual Status onInbound(const InboundMessage& message, const Conversation& conversation) = 0;
};

/// @brief Mirrors contacts and conversations to another system (a CRM).
class Sync {
 public:
  virtual ~Sync() = default;
  /// @brief Called for each bus event (contact.*, conversation.*), on the plugin's strand.
  virtual Status onEvent(const Event& event) = 0;
};

/// @brief A plugin instance. Created by its factory with the host context, which outlives it.
class Plugin {
 public:
  virtual ~Plugin() = default;
  /// @brief Begin work (connect, schedule timers). Called once, on the plugin's strand.
  virtual Status start() = 0;
  /// @brief Finish in-flight work and stop. Called once before destruction; should complete
  /// within the host's shutdown deadline.
  virtual void stop() = 0;

  virtual Connector* asConnector() { return nullptr; }
  virtual Router* asRouter() { return nullptr; }
  virtual Responder* asResponder() { return nullptr; }
  virtual Sync* asSync() { return nullptr; }
};

/// @brief Creates instances of one plugin type. One per library, returned by the factory symbol.
class PluginFactory {
 public:
  virtual ~PluginFactory() = default;
  virtual const char* name() const = 0;
  virtual const char* version() const = 0;
  /// @brief The keys of the plugin's configuration section, validated before create().
  virtual ConfigSchema configSchema() const = 0;
  /// @brief Make an instance. May return an error (bad combination of settings, ...).
  virtual Result<std::unique_ptr<Plugin>> create(PluginContext& context) const = 0;
};

/// @brief A factory for a plugin class T with `static ConfigSchema schema()` and `T(PluginContext&)`.
template <typename T>
class SimplePluginFactory final : public PluginFactory {
 public:
  SimplePluginFactory(const char* name, const char* version) : name_(name), version_(version) {}
  const char* name() const override { return name_; }
  const char* version() const override { return version_; }
  ConfigSchema configSchema() const override { return T::schema(); }
  Result<std::unique_ptr<Plugin>> create(PluginContext& context) const override {
    return std::unique_ptr<Plugin>(std::make_unique<T>(context));
  }

 private:
  const char* name_;
  const char* version_;
};

}  // namespace switchboard::sdk
