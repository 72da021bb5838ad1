#include "plugin/tenant_scope.hpp"

#include "common/logging.hpp"

namespace switchboard::host {
namespace {

sdk::Error mismatch(const std::string& own, const std::string& given, const std::string& what) {
  return sdk::Error::permanent("tenant.mismatch", what + " names tenant \"" + given + "\"; this plugin instance serves "
                                                         "only tenant \"" + own + "\"");
}

class TenantEventBus final : public sdk::EventBus {
 public:
  TenantEventBus(std::unique_ptr<sdk::EventBus> inner, std::string tenant)
      : inner_(std::move(inner)), tenant_(std::move(tenant)) {}

  std::unique_ptr<Subscription> subscribe(const std::string& typePrefix,
                                          std::function<void(const sdk::Event&)> handler) override {
    // Filtered before the hop onto the plugin's strand: another tenant's events cost it nothing.
    return inner_->subscribe(typePrefix, [tenant = tenant_, handler = std::move(handler)](const sdk::Event& e) {
      if (e.tenant == tenant) {
        handler(e);
      }
    });
  }

  void publish(const sdk::Event& event) override {
    auto tenant = scopedTenant(tenant_, event.tenant);
    if (tenant.empty()) {
      componentLogger("plugins")->warn("event of another tenant dropped type={} tenant={} instance_tenant={}",
                                       event.type, event.tenant, tenant_);
      return;
    }
    auto copy = event;
    copy.tenant = std::move(tenant);
    inner_->publish(copy);
  }

 private:
  std::unique_ptr<sdk::EventBus> inner_;
  std::string tenant_;
};

class TenantOutbound final : public sdk::Outbound {
 public:
  TenantOutbound(sdk::Outbound& inner, std::string tenant) : inner_(inner), tenant_(std::move(tenant)) {}

  sdk::Result<sdk::CommandResult> submit(const sdk::OutboundCommand& command) override {
    auto tenant = scopedTenant(tenant_, command.tenant);
    if (tenant.empty()) {
      return mismatch(tenant_, command.tenant, "command \"" + command.commandId + "\"");
    }
    auto copy = command;
    copy.tenant = std::move(tenant);
    return inner_.submit(copy);
  }

 private:
  sdk::Outbound& inner_;
  std::string tenant_;
};

class TenantInboundSink final : public sdk::InboundSink {
 public:
  TenantInboundSink(sdk::InboundSink& inner, std::string tenant) : inner_(inner), tenant_(std::move(tenant)) {}

  sdk::Status deliver(sdk::InboundMessage message, Done done) override {
    auto tenant = scopedTenant(tenant_, message.tenant);
    if (tenant.empty()) {
      return mismatch(tenant_, message.tenant, "inbound message \"" + message.networkId + "\"");
    }
    message.tenant = std::move(tenant);
    return inner_.deliver(std::move(message), std::move(done));
  }
  void event(const sdk::Event& event) override {
    auto tenant = scopedTenant(tenant_, event.tenant);
    if (tenant.empty()) {
      componentLogger("plugins")->warn("connector event of another tenant dropped type={} tenant={} instance_tenant={}",
                                       event.type, event.tenant, tenant_);
      return;
    }
    auto copy = event;
    copy.tenant = std::move(tenant);
    inner_.event(copy);
  }
  void result(const sdk::CommandResult& result) override {
    // Results answer commands the pipeline handed this instance, which were of its tenant.
    auto copy = result;
    if (auto tenant = scopedTenant(tenant_, result.tenant); !tenant.empty()) {
      copy.tenant = std::move(tenant);
    }
    inner_.result(copy);
  }
  sdk::Status deliverWithState(sdk::InboundDelivery delivery, Done done) override {
    auto tenant = scopedTenant(tenant_, delivery.message.tenant);
    if (tenant.empty()) {
      return mismatch(tenant_, delivery.message.tenant, "inbound message \"" + delivery.message.networkId + "\"");
    }
    delivery.message.tenant = std::move(tenant);
    return inner_.deliverWithState(std::move(delivery), std::move(done));
  }

 private:
  sdk::InboundSink& inner_;
  std::string tenant_;
};

}  // namespace

std::string scopedTenant(const std::string& own, const std::string& given) {
  if (given.empty() || given == sdk::kDefaultTenant || given == own) {
    return own;
  }
  return {};
}

std::unique_ptr<sdk::EventBus> makeTenantEventBus(std::unique_ptr<sdk::EventBus> inner, std::string tenant) {
  return std::make_unique<TenantEventBus>(std::move(inner), std::move(tenant));
}

std::unique_ptr<sdk::Outbound> makeTenantOutbound(sdk::Outbound& inner, std::string tenant) {
  return std::make_unique<TenantOutbound>(inner, std::move(tenant));
}

std::unique_ptr<sdk::InboundSink> makeTenantInboundSink(sdk::InboundSink& inner, std::string tenant) {
  return std::make_unique<TenantInboundSink>(inner, std::move(tenant));
}

}  // namespace switchboard::host
