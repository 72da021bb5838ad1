#include "admin/command_waiter.hpp"

#include <openssl/rand.h>

#include <condition_variable>
#include <mutex>

namespace switchboard::admin {

std::string commandIdFor(const std::string& given) {
  if (!given.empty()) {
    return given;
  }
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "admin-";
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

sdk::Result<Submitted> submitCommand(AdminServices& services, const sdk::OutboundCommand& command,
                                     std::chrono::milliseconds wait) {
  struct Watch {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<std::string> stage, reason, networkId;
  };
  auto watch = std::make_shared<Watch>();
  std::unique_ptr<sdk::EventBus::Subscription> sub;
  if (wait.count() > 0 && services.events != nullptr) {
    // Subscribed before submitting, so a result published at once is not missed.
    sub = services.events->subscribe("command.result", [watch, tenant = command.tenant, id = command.commandId](const sdk::Event& e) {
      if (e.tenant != tenant || e.subject != id) {
        return;
      }
      auto stage = e.attributes.count("stage") ? e.attributes.at("stage") : "";
      if (stage != "sent" && stage != "failed") {
        return;
      }
      std::lock_guard lock(watch->mutex);
      watch->stage = stage;
      watch->reason = e.attributes.count("reason") ? e.attributes.at("reason") : "";
      watch->networkId = e.attributes.count("network_id") ? e.attributes.at("network_id") : "";
      watch->cv.notify_all();
    });
  }
  auto accepted = services.outbound->submit(command);
  if (!accepted) {
    return accepted.takeError();
  }
  Submitted out{accepted.value(), accepted->stage == sdk::ResultStage::Sent || accepted->stage == sdk::ResultStage::Failed};
  if (sub && !out.final) {
    std::unique_lock lock(watch->mutex);
    if (watch->cv.wait_for(lock, wait, [&] { return watch->stage.has_value(); })) {
      out.final = true;
      out.result.stage = *watch->stage == "sent" ? sdk::ResultStage::Sent : sdk::ResultStage::Failed;
      out.result.reason = *watch->reason;
      out.result.networkId = *watch->networkId;
    }
  }
  return out;
}

}  // namespace switchboard::admin
