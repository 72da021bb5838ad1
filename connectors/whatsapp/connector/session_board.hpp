#pragma once

// What the connector's sessions look like to operators: every `session.*` event a session emits
// passes through here on its way to the host, and leaves behind the account's state, its linked
// address, the QR code on show and the last pairing code. The SessionControl answers of the
// connector (admin API, sbctl, console) are read from it, so the sessions need no query interface
// of their own. Thread-safe: sessions emit from the connector's threads, the host asks on its own.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/session_control.hpp"

namespace switchboard::whatsapp::connector {

class SessionBoard final : public sdk::InboundSink {
 public:
  /// Forwards everything to `next` (the host's sink).
  explicit SessionBoard(sdk::InboundSink& next) : next_(next) {}

  // sdk::InboundSink: recorded (events), then forwarded.
  sdk::Status deliver(sdk::InboundMessage message, Done done) override;
  void event(const sdk::Event& event) override;
  void result(const sdk::CommandResult& result) override;
  sdk::Status deliverWithState(sdk::InboundDelivery delivery, Done done) override;

  /// The account's status as the SDK words it; `linkedJid` and `name` fill what no event told
  /// (an account linked before the daemon started announces no `session.paired`).
  sdk::SessionStatus status(const std::string& tenant, const std::string& account, const std::string& linkedJid,
                            const std::string& name) const;
  /// The QR code on show; "session.not_pairing" when none is (or the last one expired).
  sdk::Result<sdk::PairingQr> qr(const std::string& account, std::int64_t nowMs) const;

  /// How many pairing codes the account has shown so far (to wait for the next one).
  std::uint64_t pairingCodesShown(const std::string& account) const;
  /// Waits until the account shows a pairing code after the `seen`-th, or its pairing fails, or
  /// `timeout` passes. Returns the code's 8 characters, or why there is none.
  sdk::Result<std::string> waitPairingCode(const std::string& account, std::uint64_t seen,
                                           std::chrono::milliseconds timeout) const;

  /// The SDK's state word for a connector state word (qr and pairing_code are "pairing", parked
  /// and stopped are "disconnected", idle is "new" until the account is linked).
  static std::string sdkWord(const std::string& connectorState, bool linked);

 private:
  struct Entry {
    std::string state = "idle";  // the connector's word
    std::string reason;
    std::string jid;
    std::int64_t since = 0;
    std::optional<sdk::PairingQr> qr;
    std::string pairingCode;
    std::uint64_t pairingCodes = 0;
    std::string pairingFailure;
    std::uint64_t pairingFailures = 0;
  };
  void record(const sdk::Event& e);

  sdk::InboundSink& next_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, Entry> accounts_;
};

}  // namespace switchboard::whatsapp::connector
