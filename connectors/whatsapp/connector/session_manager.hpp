#pragma once

// The accounts of one connector instance: one AccountSession each, all on the connector's own
// io_context. Starting, stopping and routing commands to the right session; and what operators do
// with sessions (sdk::SessionControl): add an account at runtime, pair it by code, log it out,
// resume it. Accounts added at runtime are recorded in the connector's storage and run again
// after a restart.

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "connector/account_session.hpp"
#include "connector/session_board.hpp"
#include "switchboard/sdk/session_control.hpp"

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

  /// The session of an account (tests, admin): null when unknown or logged out by an operator.
  std::shared_ptr<AccountSession> session(const std::string& account) const;
  const ConnectorSettings& settings() const { return settings_; }

  // --- session control (see sdk::SessionControl for the contract of each) ---
  std::vector<sdk::SessionStatus> listSessions(const std::string& tenant) const;
  sdk::Result<sdk::SessionStatus> sessionStatus(const std::string& tenant, const std::string& account) const;
  /// Adds and starts an account (recorded in storage), or resumes a parked or logged-out one.
  sdk::Result<sdk::SessionStatus> createSession(const std::string& tenant, const std::string& account,
                                                const std::string& name);
  sdk::Result<sdk::PairingQr> pairingQr(const std::string& tenant, const std::string& account) const;
  /// Restarts the account's pairing by code for `phone` and waits (up to `wait`) for the code the
  /// connector derives once the server asked for it.
  sdk::Result<std::string> requestPairingCode(const std::string& tenant, const std::string& account,
                                              const std::string& phone, std::chrono::milliseconds wait);
  /// Ends the session, deletes its credentials and Signal state, and announces `session.logged_out`.
  sdk::Status logout(const std::string& tenant, const std::string& account);

  // --- account placement (sdk::AccountPlacement: the host decides which accounts run here) ---
  /// Starts the account's session (adding the account when it is new to this connector).
  sdk::Status runAccount(const std::string& tenant, const std::string& account);
  /// Stops the account's session, keeping its credentials, once its in-flight work is settled.
  sdk::Status releaseAccount(const std::string& tenant, const std::string& account,
                             std::chrono::milliseconds deadline);

 private:
  struct StoredAccount {
    std::string jid;
    std::string name;
  };
  /// What the connector's storage says of its accounts (linked address, display name).
  std::map<std::string, StoredAccount> storedAccounts() const;
  /// Whether `tenant`'s accounts quota leaves room for `more` accounts beyond those stored (nothing
  /// is taken). An unreadable quota does not stop the connector: the host checks it as well.
  bool roomForAccounts(const std::string& tenant, std::int64_t more) const;
  /// The account's settings when it runs for `tenant`; "session.not_found" otherwise.
  sdk::Result<AccountSettings> accountOf(const std::string& tenant, const std::string& account) const;
  /// Whether the account holds credentials of a linked device.
  bool linked(const std::string& account) const;
  /// Stops the account's session; once nothing of it runs, calls `then` (on its strand) and, when
  /// `restart`, starts a new session with `next` (null session otherwise).
  /// With `unlink`, the old session first asks the server to remove its device (an operator's logout).
  void replaceSession(const AccountSettings& next, bool restart, std::function<void()> then = {},
                      bool unlink = false);
  std::shared_ptr<AccountSession> startSession(const AccountSettings& account);

  sdk::PluginContext& ctx_;
  ConnectorSettings settings_;
  ConnectorMetrics metrics_;
  SessionBoard board_;  // between the sessions and the host's sink
  std::unique_ptr<SessionEnvironment> env_;
  // Declared after the environment: destroyed first, so handlers it still holds can use it.
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<int> running_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<AccountSession>> sessions_;
  std::map<std::string, AccountSettings> accounts_;  // configured and added at runtime
  bool stopped_ = false;
};

}  // namespace switchboard::whatsapp::connector
