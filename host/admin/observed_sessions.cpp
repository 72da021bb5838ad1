#include "admin/observed_sessions.hpp"

#include <charconv>

namespace switchboard::admin {
namespace {

std::optional<std::int64_t> parseInt(const std::map<std::string, std::string>& attrs, const char* key) {
  auto it = attrs.find(key);
  if (it == attrs.end()) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  const auto* end = it->second.data() + it->second.size();
  auto [ptr, ec] = std::from_chars(it->second.data(), end, v);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return v;
}

std::string attr(const std::map<std::string, std::string>& attrs, const char* key) {
  auto it = attrs.find(key);
  return it == attrs.end() ? std::string() : it->second;
}

}  // namespace

std::string ObservedSessions::statusWord(const std::string& s, bool linked) {
  if (s == "qr" || s == "pairing_code" || s == "pairing") {
    return "pairing";
  }
  if (s == "connecting" || s == "connected" || s == "logged_out" || s == "disconnected") {
    return s;
  }
  if (s == "idle" || s == "new") {
    return linked ? "disconnected" : "new";
  }
  return "disconnected";  // parked, stopped, and words this version does not know
}

void ObservedSessions::observe(const sdk::Event& e) {
  if (e.type.rfind("session.", 0) != 0 || e.account.empty()) {
    return;
  }
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(e.tenant, e.account);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) {
    if (sessions_.size() >= kMaxSessions) {
      return;
    }
    it = sessions_.emplace(key, Entry{}).first;
    it->second.status.tenant = e.tenant;
    it->second.status.account = e.account;
    it->second.status.since = e.timestamp;
  }
  auto& entry = it->second;
  auto enter = [&](const std::string& word, const std::string& detail) {
    if (entry.status.state != word) {
      entry.status.since = e.timestamp;
    }
    entry.status.state = word;
    entry.status.detail = detail;
    if (word != "pairing") {
      entry.qr.reset();
    }
  };
  if (e.type == "session.state") {
    const auto state = attr(e.attributes, "state");
    const auto reason = attr(e.attributes, "reason");
    const auto word = statusWord(state, !entry.status.jid.empty());
    enter(word, word == state || reason.empty() ? reason : state + ": " + reason);
  } else if (e.type == "session.qr") {
    auto code = attr(e.attributes, "code");
    if (code.empty()) {
      code = attr(e.attributes, "qr");
    }
    auto expires = parseInt(e.attributes, "expires_at_ms");
    if (!expires) {
      expires = e.timestamp + parseInt(e.attributes, "expires_in_ms").value_or(20000);
    }
    enter("pairing", "");
    if (!code.empty()) {
      entry.qr = sdk::PairingQr{code, *expires};
    }
  } else if (e.type == "session.qr_expired") {
    entry.qr.reset();
  } else if (e.type == "session.pairing_code") {
    enter("pairing", "");
  } else if (e.type == "session.paired") {
    entry.status.jid = attr(e.attributes, "jid");
  } else if (e.type == "session.logged_out") {
    entry.status.jid.clear();
    enter("logged_out", attr(e.attributes, "reason"));
  } else if (e.type == "session.pairing_failed") {
    entry.status.detail = "pairing failed: " + attr(e.attributes, "reason");
  }
}

std::vector<sdk::SessionStatus> ObservedSessions::list(const std::string& tenant) const {
  std::lock_guard lock(mutex_);
  std::vector<sdk::SessionStatus> out;
  for (auto it = sessions_.lower_bound({tenant, std::string()}); it != sessions_.end() && it->first.first == tenant;
       ++it) {
    out.push_back(it->second.status);
  }
  return out;
}

std::optional<sdk::SessionStatus> ObservedSessions::find(const std::string& tenant, const std::string& account) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find({tenant, account});
  if (it == sessions_.end()) {
    return std::nullopt;
  }
  return it->second.status;
}

sdk::Result<sdk::PairingQr> ObservedSessions::qr(const std::string& tenant, const std::string& account,
                                                 std::int64_t nowMs) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find({tenant, account});
  if (it == sessions_.end()) {
    return sdk::Error::permanent("session.not_found", "no account \"" + account + "\"");
  }
  const auto& e = it->second;
  if (!e.qr || e.status.state != "pairing" || e.qr->expiresAt <= nowMs) {
    return sdk::Error::permanent("session.not_pairing", "account \"" + account + "\" shows no QR code now (state " +
                                                            e.status.state + ")");
  }
  return *e.qr;
}

}  // namespace switchboard::admin
