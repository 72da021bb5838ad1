#include "plugin/plugin_context.hpp"

#include <filesystem>

#include <boost/asio/post.hpp>

namespace switchboard::host {
namespace {

// The bus as a plugin sees it: handlers run on the plugin's strand, and each queued call keeps the
// plugin's library loaded until it has run.
class StrandEventBus final : public sdk::EventBus {
 public:
  StrandEventBus(sdk::EventBus& bus, PluginContextImpl::Strand strand, PluginLibraryPtr library)
      : bus_(bus), strand_(std::move(strand)), library_(std::move(library)) {}

  std::unique_ptr<Subscription> subscribe(const std::string& typePrefix,
                                          std::function<void(const sdk::Event&)> handler) override {
    auto shared = std::make_shared<std::function<void(const sdk::Event&)>>(std::move(handler));
    auto alive = std::make_shared<std::atomic<bool>>(true);
    auto inner = bus_.subscribe(typePrefix, [strand = strand_, shared, alive, lib = library_](const sdk::Event& e) {
      boost::asio::post(strand, [shared, alive, lib, e] {
        if (alive->load()) {
          (*shared)(e);
        }
      });
    });
    return std::make_unique<Handle>(std::move(inner), alive);
  }
  void publish(const sdk::Event& event) override { bus_.publish(event); }

 private:
  struct Handle final : Subscription {
    Handle(std::unique_ptr<Subscription> inner, std::shared_ptr<std::atomic<bool>> alive)
        : inner_(std::move(inner)), alive_(std::move(alive)) {}
    ~Handle() override { alive_->store(false); }
    std::unique_ptr<Subscription> inner_;
    std::shared_ptr<std::atomic<bool>> alive_;
  };
  sdk::EventBus& bus_;
  PluginContextImpl::Strand strand_;
  PluginLibraryPtr library_;
};

}  // namespace

PluginContextImpl::PluginContextImpl(HostServices& services, std::string instance, sdk::ConfigValue config,
                                     PluginLibraryPtr library)
    : services_(services),
      instance_(std::move(instance)),
      config_(std::move(config)),
      logger_(instance_),
      metrics_(services.metrics, instance_),
      strand_(boost::asio::make_strand(services.io)),
      events_(std::make_unique<StrandEventBus>(services.events, strand_, std::move(library))) {}

PluginContextImpl::~PluginContextImpl() = default;

std::shared_ptr<sdk::TenantStorage> PluginContextImpl::storage(const sdk::TenantId& tenant) {
  return services_.store ? services_.store->tenant(tenant) : nullptr;
}

std::string PluginContextImpl::stateDirectory() const {
  auto dir = std::filesystem::path(services_.stateDir) / "plugins" / instance_;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir.string();
}

}  // namespace switchboard::host
