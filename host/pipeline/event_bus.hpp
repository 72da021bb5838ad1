#pragma once

// In-process publish/subscribe. Handlers are called on the publisher's thread; plugins see it
// through a wrapper that moves each call onto their strand (plugin_context.cpp).

#include <memory>
#include <mutex>
#include <vector>

#include "switchboard/sdk/context.hpp"

namespace switchboard::host {

class LocalEventBus final : public sdk::EventBus {
 public:
  std::unique_ptr<Subscription> subscribe(const std::string& typePrefix,
                                          std::function<void(const sdk::Event&)> handler) override;
  void publish(const sdk::Event& event) override;

 private:
  struct Entry {
    std::string prefix;
    std::function<void(const sdk::Event&)> handler;
    std::mutex callMutex;  // held during a call, so unsubscribing waits for it
    bool active = true;
  };
  struct Handle;
  std::mutex mutex_;
  std::vector<std::shared_ptr<Entry>> entries_;
};

}  // namespace switchboard::host
