#pragma once

// The accounts of one connector instance: one AccountSession each, all on the connector's own
// io_context. Starting, stopping and routing commands to the right session.

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "connector/account_session.hpp"

namespace switchboard::whatsapp::connector {

class SessionManager {
 public:
  SessionManager(sdk::PluginContext& ctx, ConnectorSettings settings);
  ~SessionManager();

  /// Prepares the environment, starts the I/O threads and every configured account.
  sdk::Status start();
  /// Stops every session and waits (up to `deadline`) for all their work to finish, then joins
  /// the threads. Nothing of ours runs after this returns.
  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(5));

  bool handles(const std::string& tenant, const std::string& account) const;
  sdk::Status execute(const sdk::OutboundCommand& command);

  /// The session of an account (tests, admin): null when unknown.
  std::shared_ptr<AccountSession> session(const std::string& account) const;
  const ConnectorSettings& settings() const { return settings_; }

 private:
  sdk::PluginContext& ctx_;
  ConnectorSettings settings_;
  ConnectorMetrics metrics_;
  std::unique_ptr<SessionEnvironment> env_;
  // Declared after the environment: destroyed first, so handlers it still holds can use it.
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<int> running_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<AccountSession>> sessions_;
  bool stopped_ = false;
};

}  // namespace switchboard::whatsapp::connector
