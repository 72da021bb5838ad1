// Account placement (sdk::AccountPlacement): when several daemons share the work, the host says
// which accounts run here. Running one starts its session (adding the account if this connector
// did not know it); releasing one stops the session, keeps its credentials, and waits until what
// the session handed to the pipeline has been stored, so the next owner starts from a settled
// Signal store.

#include <chrono>
#include <future>
#include <thread>

#include "connector/session_manager.hpp"

namespace switchboard::whatsapp::connector {

sdk::Status SessionManager::runAccount(const std::string& tenant, const std::string& account) {
  std::optional<AccountSettings> known;
  {
    std::lock_guard lock(mutex_);
    if (!env_ || stopped_) {
      return sdk::Error::retriable("whatsapp.not_started", "the WhatsApp connector is not running");
    }
    if (auto it = accounts_.find(account); it != accounts_.end()) {
      if (it->second.tenant != tenant) {
        return sdk::Error::permanent("session.exists_elsewhere", "account \"" + account + "\" is another tenant's");
      }
      if (sessions_[account]) {
        return sdk::okStatus();  // runs already
      }
      known = it->second;
    }
  }
  if (!known) {
    // Another daemon may have added it since this one started: its record is in the shared storage.
    auto stored = ctx_.connectorStorage()->accounts();
    SB_TRY(stored);
    for (const auto& r : stored.value()) {
      if (r.id == account && r.tenant == tenant && r.state != "logged_out") {
        AccountSettings a;
        a.id = r.id;
        a.tenant = r.tenant;
        a.pushName = r.name;
        a.phone = r.id.find_first_not_of("0123456789") == std::string::npos ? r.id : std::string();
        known = a;
      }
    }
  }
  if (!known) {
    auto created = createSession(tenant, account, "");
    SB_TRY(created);
    return sdk::okStatus();
  }
  std::lock_guard lock(mutex_);
  if (stopped_) {
    return sdk::Error::retriable("whatsapp.not_started", "the WhatsApp connector is stopping");
  }
  accounts_[account] = *known;
  if (!sessions_[account]) {
    sessions_[account] = startSession(*known);
    ctx_.logger().info("whatsapp account=" + account + " runs here now");
  }
  return sdk::okStatus();
}

sdk::Status SessionManager::releaseAccount(const std::string& tenant, const std::string& account,
                                           std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  std::shared_ptr<AccountSession> running;
  {
    std::lock_guard lock(mutex_);
    auto it = accounts_.find(account);
    if (it == accounts_.end() || it->second.tenant != tenant) {
      return sdk::okStatus();
    }
    auto s = sessions_.find(account);
    if (s == sessions_.end() || !s->second) {
      return sdk::okStatus();
    }
    running = s->second;
    s->second = nullptr;  // no command reaches it any more
  }
  auto stopped = std::make_shared<std::promise<void>>();
  auto future = stopped->get_future();
  running->stop([stopped] { stopped->set_value(); });
  if (future.wait_until(end) != std::future_status::ready) {
    return sdk::Error::retriable("whatsapp.release_timeout",
                                 "account \"" + account + "\" did not stop within " + std::to_string(deadline.count()) +
                                     " ms");
  }
  // Messages the session handed over are being stored; the next owner must find them committed
  // (or not acked, hence redelivered to it). The count is the connector's, so this may also wait
  // for other accounts' messages: bounded by the deadline, and short under any normal load.
  while (env_->deliveriesInFlight.load() > 0) {
    if (std::chrono::steady_clock::now() >= end) {
      return sdk::Error::retriable("whatsapp.release_timeout",
                                   "account \"" + account + "\": messages still being stored at the deadline");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ctx_.logger().info("whatsapp account=" + account + " released (disconnected, in-flight work settled)");
  return sdk::okStatus();
}

}  // namespace switchboard::whatsapp::connector
