#include "connector/session_manager.hpp"

#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "switchboard/sdk/quotas.hpp"

namespace switchboard::whatsapp::connector {

namespace {

sdk::Result<std::shared_ptr<boost::asio::ssl::context>> makeTls(const ConnectorSettings& s) {
  if (s.serverUrl.rfind("wss://", 0) != 0) {
    return std::shared_ptr<boost::asio::ssl::context>();
  }
  auto tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  boost::system::error_code ec;
  tls->set_default_verify_paths(ec);
  if (!s.tlsCaFile.empty()) {
    tls->load_verify_file(s.tlsCaFile, ec);
    if (ec) {
      return sdk::Error::permanent("whatsapp.config", "tls_ca_file: cannot load " + s.tlsCaFile + ": " + ec.message());
    }
  }
  tls->set_verify_mode(s.tlsVerify ? boost::asio::ssl::verify_peer : boost::asio::ssl::verify_none);
  return tls;
}

bool digitsOnly(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

SessionManager::SessionManager(sdk::PluginContext& ctx, ConnectorSettings settings)
    : ctx_(ctx), settings_(std::move(settings)), metrics_(ctx.metrics()), board_(ctx.inbound()) {
  for (const auto& a : settings_.accounts) {
    accounts_[a.id] = a;
  }
}

SessionManager::~SessionManager() { stop(); }

bool SessionManager::roomForAccounts(const std::string& tenant, std::int64_t more) const {
  auto storage = ctx_.storage(tenant);
  if (!storage) {
    return true;
  }
  // For quota::kAccounts nothing is taken: true while stored + `more` stays within the limit.
  auto room = storage->consumeQuota(sdk::quota::kAccounts, more);
  return !room.ok() || room.value();
}

sdk::Status SessionManager::start() {
  if (ctx_.connectorStorage() == nullptr) {
    return sdk::Error::permanent("whatsapp.no_storage", "the WhatsApp connector needs the daemon's storage");
  }
  auto tls = makeTls(settings_);
  SB_TRY(tls);
  const std::string stateDir = ctx_.stateDirectory();
  std::string mediaDir = settings_.mediaDir.empty() ? (std::filesystem::path(stateDir) / "media").string()
                                                    : settings_.mediaDir;
  std::error_code ec;
  std::filesystem::create_directories(mediaDir, ec);
  if (ec) {
    return sdk::Error::permanent("whatsapp.config", "media_dir: cannot create " + mediaDir + ": " + ec.message());
  }
  env_.reset(new SessionEnvironment{settings_, ctx_.logger(), board_, *ctx_.connectorStorage(), metrics_,
                                    stateDir, mediaDir, tls.value(), nullptr, {},
                                    // One decryption per connector thread at a time, to tenants in turn.
                                    settings_.fairDecryption ? std::make_shared<TenantTurns>(static_cast<std::size_t>(
                                                                   std::max(1, settings_.threads)))
                                                             : nullptr});
  // Media go over the host's HTTP client; without one, media messages arrive without their file.
  sdk::HttpClientOptions httpOptions;
  httpOptions.caFile = settings_.mediaCaFile;
  httpOptions.maxResponseBytes = static_cast<std::size_t>(settings_.mediaMaxBytes) + 4096;
  httpOptions.timeout = std::chrono::seconds(60);
  if (auto http = ctx_.httpClient(httpOptions); http.ok()) {
    env_->http = std::move(http).value();
  } else {
    ctx_.logger().warn("whatsapp connector: no HTTP client (" + http.error().describe() +
                       "); media will be neither downloaded nor sent");
  }
  work_.emplace(io_.get_executor());
  for (int i = 0; i < settings_.threads; ++i) {
    ++running_;
    threads_.emplace_back([this] {
      io_.run();
      --running_;
    });
  }
  // Accounts added at runtime (see createSession) are the stored ones the configuration does not
  // name; one an operator logged out stays out until added again.
  auto stored = ctx_.connectorStorage()->accounts();
  if (!stored.ok()) {
    return sdk::Error::retriable("whatsapp.storage", "cannot read the connector's accounts: " + stored.error().describe());
  }
  // Accounts the configuration adds (not stored yet) pass their tenant's accounts quota like every
  // other way of adding one: an account over it is left out, with an error saying so.
  std::set<std::string> storedIds;
  for (const auto& r : stored.value()) {
    storedIds.insert(r.id);
  }
  std::map<std::string, std::int64_t> added;  // new accounts admitted so far, by tenant
  for (auto it = accounts_.begin(); it != accounts_.end();) {
    const auto& a = it->second;
    if (storedIds.count(a.id) != 0) {
      ++it;
      continue;
    }
    if (!roomForAccounts(a.tenant, added[a.tenant] + 1)) {
      ctx_.logger().error("whatsapp account=" + a.id + " not started: tenant \"" + a.tenant +
                          "\" has reached its accounts quota (quota_exceeded)");
      it = accounts_.erase(it);
      continue;
    }
    ++added[a.tenant];
    ++it;
  }
  std::lock_guard lock(mutex_);
  for (const auto& r : stored.value()) {
    if (accounts_.count(r.id) == 0 && r.state != "logged_out") {
      AccountSettings a;
      a.id = r.id;
      a.tenant = r.tenant;
      a.pushName = r.name;
      a.phone = digitsOnly(r.id) ? r.id : std::string();
      accounts_[a.id] = a;
    }
  }
  // With several daemons sharing the work, the host starts each account this daemon owns.
  for (const auto& [id, a] : accounts_) {
    sessions_[id] = ctx_.accountsPlacedByHost() ? nullptr : startSession(a);
  }
  ctx_.logger().info("whatsapp connector started accounts=" + std::to_string(sessions_.size()) +
                     " server=" + settings_.serverUrl);
  return sdk::okStatus();
}

void SessionManager::stop(std::chrono::milliseconds deadline) {
  std::map<std::string, std::shared_ptr<AccountSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      return;
    }
    stopped_ = true;
    sessions = sessions_;
  }
  if (env_ && env_->turns) {
    env_->turns->close();  // no decryption starts while the sessions stop
  }
  for (auto& [id, s] : sessions) {
    if (s) {  // null: logged out by an operator
      s->stop();
    }
  }
  sessions.clear();
  const auto end = std::chrono::steady_clock::now() + deadline;
  // The pipeline still holds `done` callbacks of ours for messages it is storing; they must have
  // run before this library may go away.
  while (env_ && env_->deliveriesInFlight.load() > 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  work_.reset();
  // The threads return once every handler has run (sockets closed, timers cancelled). A peer that
  // never answers must not hold the daemon's shutdown: past the deadline, stop the loop.
  while (running_ > 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (running_ > 0) {
    ctx_.logger().warn("whatsapp connector: connections still closing at the deadline; abandoning them");
    io_.stop();
  }
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
  std::lock_guard lock(mutex_);
  sessions_.clear();
}

bool SessionManager::handles(const std::string& tenant, const std::string& account) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(account);
  if (it == accounts_.end() || it->second.tenant != tenant) {
    return false;
  }
  // Placed by the host (several daemons): only the accounts running here; another daemon sends
  // the commands of the others.
  if (ctx_.accountsPlacedByHost()) {
    auto s = sessions_.find(account);
    return s != sessions_.end() && s->second != nullptr;
  }
  return true;
}

sdk::Status SessionManager::execute(const sdk::OutboundCommand& command) {
  if (!handles(command.tenant, command.account)) {
    return sdk::Error::permanent("whatsapp.unknown_account", "this connector does not run account \"" +
                                                                 command.account + "\" of tenant \"" +
                                                                 command.tenant + "\"");
  }
  auto s = session(command.account);
  if (!s) {
    return sdk::Error::permanent("whatsapp.logged_out", "account \"" + command.account +
                                                            "\" was logged out; add it again to link it");
  }
  s->execute(command);
  return sdk::okStatus();
}

std::shared_ptr<AccountSession> SessionManager::session(const std::string& account) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(account);
  return it == sessions_.end() ? nullptr : it->second;
}

}  // namespace switchboard::whatsapp::connector
