#include "connector/session_board.hpp"

#include <algorithm>

namespace switchboard::whatsapp::connector {

namespace {

std::string attr(const sdk::Event& e, const char* key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() ? std::string() : it->second;
}

std::optional<std::int64_t> attrInt(const sdk::Event& e, const char* key) {
  const auto text = attr(e, key);
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(text);
}

}  // namespace

sdk::Status SessionBoard::deliver(sdk::InboundMessage message, Done done) {
  return next_.deliver(std::move(message), std::move(done));
}

void SessionBoard::result(const sdk::CommandResult& result) { next_.result(result); }

sdk::Status SessionBoard::deliverWithState(sdk::InboundDelivery delivery, Done done) {
  return next_.deliverWithState(std::move(delivery), std::move(done));
}

void SessionBoard::event(const sdk::Event& event) {
  if (event.type.rfind("session.", 0) == 0 && !event.account.empty()) {
    record(event);
  }
  next_.event(event);
}

void SessionBoard::record(const sdk::Event& e) {
  {
    std::lock_guard lock(mutex_);
    auto& entry = accounts_[e.account];
    if (e.type == "session.state") {
      const auto state = attr(e, "state");
      if (state != entry.state) {
        entry.since = e.timestamp;
      }
      entry.state = state;
      entry.reason = attr(e, "reason");
      if (state != "qr") {
        entry.qr.reset();
      }
    } else if (e.type == "session.qr") {
      auto code = attr(e, "code");
      auto expires = attrInt(e, "expires_at_ms");
      if (!code.empty()) {
        entry.qr = sdk::PairingQr{code, expires.value_or(e.timestamp + 20000)};
      }
    } else if (e.type == "session.qr_expired") {
      entry.qr.reset();
    } else if (e.type == "session.pairing_code") {
      auto code = attr(e, "code");
      code.erase(std::remove(code.begin(), code.end(), '-'), code.end());
      entry.pairingCode = code;
      ++entry.pairingCodes;
    } else if (e.type == "session.pairing_failed") {
      entry.pairingFailure = attr(e, "reason");
      ++entry.pairingFailures;
    } else if (e.type == "session.paired") {
      entry.jid = attr(e, "jid");
    } else if (e.type == "session.logged_out") {
      entry.jid.clear();
      entry.qr.reset();
    }
  }
  changed_.notify_all();
}

std::string SessionBoard::sdkWord(const std::string& s, bool linked) {
  if (s == "qr" || s == "pairing_code") {
    return "pairing";
  }
  if (s == "connecting" || s == "connected" || s == "disconnected" || s == "logged_out") {
    return s;
  }
  if (s == "idle") {
    return linked ? "disconnected" : "new";
  }
  return "disconnected";  // parked, stopped: credentials kept, no connection
}

sdk::SessionStatus SessionBoard::status(const std::string& tenant, const std::string& account,
                                        const std::string& linkedJid, const std::string& name) const {
  sdk::SessionStatus s;
  s.tenant = tenant;
  s.account = account;
  s.pushName = name;
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(account);
  if (it == accounts_.end()) {
    s.jid = linkedJid;
    s.state = sdkWord("idle", !linkedJid.empty());
    return s;
  }
  const auto& e = it->second;
  s.jid = e.state == "logged_out" ? std::string() : (e.jid.empty() ? linkedJid : e.jid);
  s.state = sdkWord(e.state, !s.jid.empty());
  s.since = e.since;
  // The connector's own word says more than the SDK's when they differ (parked, stopped).
  s.detail = s.state == e.state || e.reason.empty() ? e.reason : e.state + ": " + e.reason;
  if (s.state == "pairing" && e.pairingFailures > 0 && !e.pairingFailure.empty()) {
    s.detail = "pairing failed: " + e.pairingFailure;
  }
  return s;
}

sdk::Result<sdk::PairingQr> SessionBoard::qr(const std::string& account, std::int64_t nowMs) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(account);
  if (it == accounts_.end() || !it->second.qr || it->second.state != "qr" || it->second.qr->expiresAt <= nowMs) {
    const std::string state = it == accounts_.end() ? "idle" : it->second.state;
    return sdk::Error::permanent("session.not_pairing",
                                 "whatsapp account " + account + " shows no QR code now (state " + state + ")");
  }
  return *it->second.qr;
}

std::uint64_t SessionBoard::pairingCodesShown(const std::string& account) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(account);
  return it == accounts_.end() ? 0 : it->second.pairingCodes;
}

sdk::Result<std::string> SessionBoard::waitPairingCode(const std::string& account, std::uint64_t seen,
                                                       std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  std::uint64_t failuresBefore = 0;
  if (auto it = accounts_.find(account); it != accounts_.end()) {
    failuresBefore = it->second.pairingFailures;
  }
  const auto decided = [&] {
    auto it = accounts_.find(account);
    return it != accounts_.end() &&
           (it->second.pairingCodes > seen || it->second.pairingFailures > failuresBefore);
  };
  if (!changed_.wait_for(lock, timeout, decided)) {
    return sdk::Error::retriable("whatsapp.pairing_code_timeout",
                                 "whatsapp account " + account + ": the server asked for no pairing code in time");
  }
  const auto& e = accounts_.find(account)->second;
  if (e.pairingCodes > seen) {
    return e.pairingCode;
  }
  return sdk::Error::permanent("whatsapp.pairing_failed", "whatsapp account " + account + ": " + e.pairingFailure);
}

}  // namespace switchboard::whatsapp::connector
