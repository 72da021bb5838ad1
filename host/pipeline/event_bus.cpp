#include "pipeline/event_bus.hpp"

#include <algorithm>

namespace switchboard::host {

struct LocalEventBus::Handle final : Subscription {
  Handle(LocalEventBus& bus, std::shared_ptr<Entry> entry) : bus_(bus), entry_(std::move(entry)) {}
  ~Handle() override {
    {
      std::lock_guard lock(bus_.mutex_);
      auto& v = bus_.entries_;
      v.erase(std::remove(v.begin(), v.end(), entry_), v.end());
    }
    std::lock_guard call(entry_->callMutex);
    entry_->active = false;
  }
  LocalEventBus& bus_;
  std::shared_ptr<Entry> entry_;
};

std::unique_ptr<sdk::EventBus::Subscription> LocalEventBus::subscribe(const std::string& typePrefix,
                                                                      std::function<void(const sdk::Event&)> handler) {
  auto entry = std::make_shared<Entry>();
  entry->prefix = typePrefix;
  entry->handler = std::move(handler);
  std::lock_guard lock(mutex_);
  entries_.push_back(entry);
  return std::make_unique<Handle>(*this, entry);
}

void LocalEventBus::publish(const sdk::Event& event) {
  std::vector<std::shared_ptr<Entry>> targets;
  {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_) {
      if (event.type.compare(0, e->prefix.size(), e->prefix) == 0) {
        targets.push_back(e);
      }
    }
  }
  for (const auto& e : targets) {
    std::lock_guard call(e->callMutex);
    if (e->active) {
      e->handler(event);
    }
  }
}

}  // namespace switchboard::host
