#include "connector/session_manager.hpp"

#include <boost/asio/ssl/context.hpp>

#include <filesystem>

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

}  // namespace

SessionManager::SessionManager(sdk::PluginContext& ctx, ConnectorSettings settings)
    : ctx_(ctx), settings_(std::move(settings)), metrics_(ctx.metrics()) {}

SessionManager::~SessionManager() { stop(); }

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
  env_.reset(new SessionEnvironment{settings_, ctx_.logger(), ctx_.inbound(), *ctx_.connectorStorage(), metrics_,
                                    stateDir, mediaDir, tls.value(), nullptr});
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
  std::lock_guard lock(mutex_);
  for (const auto& a : settings_.accounts) {
    auto session = std::make_shared<AccountSession>(*env_, a, io_);
    sessions_[a.id] = session;
    session->start();
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
  for (auto& [id, s] : sessions) {
    s->stop();
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
  for (const auto& a : settings_.accounts) {
    if (a.id == account && a.tenant == tenant) {
      return true;
    }
  }
  return false;
}

sdk::Status SessionManager::execute(const sdk::OutboundCommand& command) {
  auto s = session(command.account);
  if (!s || s->account().tenant != command.tenant) {
    return sdk::Error::permanent("whatsapp.unknown_account", "this connector does not run account \"" +
                                                                 command.account + "\" of tenant \"" +
                                                                 command.tenant + "\"");
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
