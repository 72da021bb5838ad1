// What operators do with the connector's sessions (sdk::SessionControl through the admin API, sbctl
// and the console): list them, add an account at runtime, pair it by code, log it out, resume it.
// The answers come from the SessionBoard (what the sessions announced) and the connector's storage
// (what survives a restart).

#include <boost/asio/post.hpp>

#include <chrono>
#include <future>

#include "connector/session_manager.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::whatsapp::connector {

namespace {

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool digitsOnly(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Account ids name files (the QR image) and appear in logs: letters, digits, '.', '_', '-'.
bool validAccountId(const std::string& s) {
  return !s.empty() && s.size() <= 64 && s.front() != '.' &&
         s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
}

// How long logout waits for the session to wind down before it answers (the work goes on after).
constexpr std::chrono::milliseconds kLogoutWait{3000};

}  // namespace

std::shared_ptr<AccountSession> SessionManager::startSession(const AccountSettings& account) {
  auto session = std::make_shared<AccountSession>(*env_, account, io_);
  session->start();
  return session;
}

std::map<std::string, SessionManager::StoredAccount> SessionManager::storedAccounts() const {
  std::map<std::string, StoredAccount> out;
  if (auto stored = ctx_.connectorStorage()->accounts(); stored.ok()) {
    for (const auto& r : stored.value()) {
      out[r.id] = StoredAccount{r.jid, r.name};
    }
  }
  return out;
}

sdk::Result<AccountSettings> SessionManager::accountOf(const std::string& tenant, const std::string& account) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(account);
  if (it == accounts_.end() || it->second.tenant != tenant || !env_) {
    return sdk::Error::permanent("session.not_found", "the WhatsApp connector runs no account \"" + account + "\"");
  }
  return it->second;
}

bool SessionManager::linked(const std::string& account) const {
  auto creds = ctx_.connectorStorage()->loadCredentials(account);
  if (!creds.ok() || !creds.value()) {
    return false;
  }
  auto parsed = DeviceCredentials::parse(*creds.value());
  return parsed.ok() && parsed->paired();
}

std::vector<sdk::SessionStatus> SessionManager::listSessions(const std::string& tenant) const {
  std::vector<AccountSettings> mine;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, a] : accounts_) {
      if (a.tenant == tenant) {
        mine.push_back(a);
      }
    }
  }
  const auto stored = storedAccounts();
  std::vector<sdk::SessionStatus> out;
  for (const auto& a : mine) {
    auto it = stored.find(a.id);
    const StoredAccount record = it == stored.end() ? StoredAccount{} : it->second;
    out.push_back(board_.status(tenant, a.id, record.jid, a.pushName.empty() ? record.name : a.pushName));
  }
  return out;
}

sdk::Result<sdk::SessionStatus> SessionManager::sessionStatus(const std::string& tenant,
                                                              const std::string& account) const {
  auto a = accountOf(tenant, account);
  SB_TRY(a);
  const auto stored = storedAccounts();
  auto it = stored.find(account);
  const StoredAccount record = it == stored.end() ? StoredAccount{} : it->second;
  return board_.status(tenant, account, record.jid, a->pushName.empty() ? record.name : a->pushName);
}

sdk::Result<sdk::SessionStatus> SessionManager::createSession(const std::string& tenant, const std::string& account,
                                                              const std::string& name) {
  if (!validAccountId(account)) {
    return sdk::Error::permanent("invalid", "account id \"" + account +
                                                "\": up to 64 letters, digits, '.', '_' or '-' (usually the phone number)");
  }
  std::shared_ptr<AccountSession> running;
  std::optional<AccountSettings> existing;
  {
    std::lock_guard lock(mutex_);
    if (!env_ || stopped_) {
      return sdk::Error::retriable("whatsapp.not_started", "the WhatsApp connector is not running");
    }
    if (auto it = accounts_.find(account); it != accounts_.end()) {
      if (it->second.tenant != tenant) {
        return sdk::Error::permanent("session.exists_elsewhere", "account \"" + account + "\" is another tenant's");
      }
      existing = it->second;
      running = sessions_[account];
    }
  }
  if (existing) {
    // Asking for an account that exists resumes it: a new session after an operator's logout, a
    // reconnect for one the server logged out or the connector parked.
    if (!running) {
      AccountSettings fresh = *existing;
      fresh.pairing = PairingMethod::Qr;
      replaceSession(fresh, true);
    } else if (running->state() == SessionState::Parked || running->state() == SessionState::LoggedOut) {
      running->resume();
    }
    return sessionStatus(tenant, account);
  }
  AccountSettings a;
  a.id = account;
  a.tenant = tenant;
  a.pushName = name;
  a.phone = digitsOnly(account) ? account : std::string();
  // A new account passes the tenant's accounts quota, as every way of adding one does: the host
  // counts the tenant's stored accounts against its limit, and the accounts this connector runs
  // for the tenant that the storage does not hold yet (configured, not paired) count as well.
  std::int64_t unstored = 0;
  {
    const auto stored = storedAccounts();
    std::lock_guard lock(mutex_);
    for (const auto& [id, known] : accounts_) {
      unstored += known.tenant == tenant && stored.count(id) == 0 ? 1 : 0;
    }
  }
  if (!roomForAccounts(tenant, 1 + unstored)) {
    return sdk::Error::permanent(sdk::quota::kExceededCode,
                                 "tenant \"" + tenant + "\" has reached its accounts quota: account \"" + account +
                                     "\" not added");
  }
  // Recorded first: an account the storage does not know would be gone after a restart.
  if (auto s = ctx_.connectorStorage()->putAccount({account, tenant, "", name, "new"}); !s.ok()) {
    return sdk::Error::retriable("whatsapp.storage", "account \"" + account + "\" not recorded: " + s.error().describe());
  }
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      return sdk::Error::retriable("whatsapp.not_started", "the WhatsApp connector is stopping");
    }
    accounts_[account] = a;
    sessions_[account] = startSession(a);
  }
  ctx_.logger().info("whatsapp connector: account " + account + " added");
  return sessionStatus(tenant, account);
}

sdk::Result<sdk::PairingQr> SessionManager::pairingQr(const std::string& tenant, const std::string& account) const {
  SB_TRY(accountOf(tenant, account));
  return board_.qr(account, nowMs());
}

sdk::Result<std::string> SessionManager::requestPairingCode(const std::string& tenant, const std::string& account,
                                                            const std::string& phone, std::chrono::milliseconds wait) {
  auto a = accountOf(tenant, account);
  SB_TRY(a);
  if (!digitsOnly(phone) || phone.size() > 20) {
    return sdk::Error::permanent("invalid", "phone must be the number's digits in international form, without '+'");
  }
  if (linked(account)) {
    return sdk::Error::permanent("session.not_pairing", "whatsapp account " + account + " is already linked");
  }
  // The code exists only once the server has asked this device to pair (pair-device) on a new
  // registration connection: the session starts over pairing by code, and we wait for its code.
  const auto seen = board_.pairingCodesShown(account);
  AccountSettings next = a.value();
  next.phone = phone;
  next.pairing = PairingMethod::Code;
  replaceSession(next, true);
  return board_.waitPairingCode(account, seen, wait);
}

sdk::Status SessionManager::logout(const std::string& tenant, const std::string& account) {
  auto a = accountOf(tenant, account);
  SB_TRY(a);
  auto current = session(account);
  const std::string previous = current ? std::string(toString(current->state())) : std::string("logged_out");
  auto finished = std::make_shared<std::promise<void>>();
  auto future = finished->get_future();
  replaceSession(a.value(), false, [this, account, tenant, previous, finished] {
    if (auto s = env_->storage.deleteCredentials(account); !s.ok()) {
      ctx_.logger().error("whatsapp account=" + account + " logged out, but its credentials could not be deleted: " +
                          s.error().describe());
    }
    (void)env_->storage.putAccount({account, tenant, "", "", "logged_out"});
    const std::string reason = "logged out by an operator";
    sdk::Event e;
    e.tenant = tenant;
    e.account = account;
    e.subject = account;
    e.timestamp = nowMs();
    e.type = "session.logged_out";
    e.attributes = {{"reason", reason}};
    board_.event(e);
    e.type = "session.state";
    e.attributes = {{"state", "logged_out"}, {"previous", previous}, {"reason", reason}};
    board_.event(e);
    ctx_.logger().info("whatsapp account=" + account + " " + reason);
    finished->set_value();
  }, /*unlink=*/true);
  if (future.wait_for(kLogoutWait) != std::future_status::ready) {
    ctx_.logger().warn("whatsapp account=" + account + " logout still winding down the session");
  }
  return sdk::okStatus();
}

void SessionManager::replaceSession(const AccountSettings& next, bool restart, std::function<void()> then,
                                    bool unlink) {
  std::shared_ptr<AccountSession> old;
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || !env_) {
      return;
    }
    accounts_[next.id] = next;
    old = sessions_[next.id];
  }
  auto proceed = [this, next, restart, then = std::move(then)] {
    if (then) {
      then();
    }
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      sessions_[next.id] = restart ? startSession(next) : nullptr;
    }
  };
  if (old && unlink) {
    old->unlinkThenStop(std::move(proceed));
  } else if (old) {
    old->stop(std::move(proceed));  // the new session connects only once the old one let go
  } else {
    boost::asio::post(io_, std::move(proceed));
  }
}

}  // namespace switchboard::whatsapp::connector
