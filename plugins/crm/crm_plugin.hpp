#pragma once

// The CRM sync plugin (a Sync plugin): bus events about contacts and conversations become outbox
// items, delivered to the CRM by the Deliverer; CRM-side changes arrive on a signed webhook served
// on the admin API's listener. Built on the SDK alone (HTTP through PluginContext::httpClient and
// addHttpRoute).

#include <functional>
#include <memory>
#include <string>

#include "crm_config.hpp"
#include "deliverer.hpp"
#include "dialect.hpp"
#include "outbox.hpp"
#include "remote_changes.hpp"
#include "switchboard/sdk/plugin.hpp"
#include "webhook_guard.hpp"

namespace switchboard::crm {

class CrmPlugin final : public sdk::Plugin, public sdk::Sync {
 public:
  explicit CrmPlugin(sdk::PluginContext& context);
  CrmPlugin(sdk::PluginContext& context, Clock clock);
  ~CrmPlugin() override;

  static sdk::ConfigSchema schema() { return configSchema(); }

  sdk::Status start() override;
  void stop() override;
  sdk::Sync* asSync() override { return this; }
  sdk::Status onEvent(const sdk::Event& event) override;

  /// Answers one webhook call (the registered route's handler; on the plugin's strand).
  void onWebhook(const sdk::HttpRouteRequest& request, const std::function<void(sdk::HttpRouteResponse)>& respond);

  /// The queue and dead-letter table (null before start()).
  Outbox* outbox() { return outbox_.get(); }
  /// Where the webhook is served ("" when off).
  std::string webhookPath() const { return route_ ? route_->path() : std::string(); }

 private:
  // Accepted webhook signatures, kept in the plugin's state as wh/<signature> = forget-after (ms).
  static constexpr const char* kAcceptedPrefix = "wh/";
  std::string stateNamespace() const { return "crm:" + context_.instanceName(); }
  sdk::Status loadAcceptedSignatures();
  /// The item an event becomes, or nullopt when there is nothing to send.
  sdk::Result<std::optional<OutboxItem>> itemFor(const sdk::Event& event);
  sdk::Result<std::string> summaryOf(const sdk::ConversationId& conversation);

  sdk::PluginContext& context_;
  Clock clock_;
  Settings settings_;
  std::shared_ptr<sdk::TenantStorage> storage_;
  std::unique_ptr<Dialect> dialect_;
  std::unique_ptr<Outbox> outbox_;
  std::shared_ptr<Deliverer> deliverer_;
  std::unique_ptr<WebhookGuard> guard_;
  std::unique_ptr<RemoteChanges> remote_;
  std::unique_ptr<sdk::HttpRoute> route_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // route calls check it (strand only)
  bool running_ = false;
};

}  // namespace switchboard::crm
