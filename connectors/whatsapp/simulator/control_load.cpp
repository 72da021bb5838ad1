// The control commands for load tests: start, read and stop a load of phones sending at a pace
// (load_start, load_status, load_stop), and link a companion directly from its keys
// (link_device), so a process outside the simulator can provision thousands of linked accounts
// without a pairing each.
#include "simulator/base64.hpp"
#include "simulator/control.hpp"

namespace switchboard::wasim {
namespace {

using nlohmann::json;

json errorReply(const std::string& code, const std::string& message) {
  return {{"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}
json errorReply(const sdk::Error& e) { return errorReply(e.code, e.message); }

json statusJson(const LoadStatus& s) {
  return {{"ok", true}, {"load", s.id}, {"sent", s.sent}, {"failed", s.failed}, {"done", s.done}, {"seconds", s.seconds}};
}

/// A list of strings (phones or JIDs); nothing when absent, empty or holding anything else.
std::optional<std::vector<std::string>> strings(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array() || it->empty()) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(it->size());
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return std::nullopt;
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

/// A base64 field of exactly N bytes.
template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> fixed(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return std::nullopt;
  }
  auto bytes = fromBase64(it->get<std::string>());
  if (!bytes || bytes->size() != N) {
    return std::nullopt;
  }
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

std::optional<std::uint64_t> unsignedField(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0) {
    return std::nullopt;
  }
  return it->get<std::uint64_t>();
}

json loadStart(Simulator& sim, const json& r) {
  auto senders = strings(r, "senders");
  auto recipients = strings(r, "recipients");
  if (!senders || !recipients) {
    return errorReply("wasim.bad_request", "\"load_start\" needs \"senders\" (phones) and \"recipients\" (JIDs or phones)");
  }
  LoadSpec spec;
  spec.senders = std::move(*senders);
  spec.recipients = std::move(*recipients);
  if (auto it = r.find("rate"); it != r.end()) {
    if (!it->is_number()) {
      return errorReply("wasim.bad_request", "\"rate\" is a number of messages per second");
    }
    spec.rate = it->get<double>();
  }
  if (auto it = r.find("per_phone"); it != r.end()) {
    if (!it->is_boolean()) {
      return errorReply("wasim.bad_request", "\"per_phone\" is true or false");
    }
    spec.perPhone = it->get<bool>();
  }
  if (r.contains("count")) {
    auto count = unsignedField(r, "count");
    if (!count) {
      return errorReply("wasim.bad_request", "\"count\" is a number of messages (0: until stopped)");
    }
    spec.count = *count;
  }
  if (auto it = r.find("text"); it != r.end() && it->is_string()) {
    spec.text = it->get<std::string>();
  }
  auto id = sim.startLoad(std::move(spec));
  return id ? json{{"ok", true}, {"load", *id}} : errorReply(id.error());
}

json linkDevice(Simulator& sim, const json& r) {
  auto phone = r.find("phone");
  auto noise = fixed<32>(r, "noise_key");
  auto identityPriv = fixed<32>(r, "identity_private");
  auto spk = fixed<32>(r, "signed_prekey");
  auto spkSig = fixed<64>(r, "signed_prekey_signature");
  auto regId = unsignedField(r, "registration_id");
  if (phone == r.end() || !phone->is_string() || !noise || !identityPriv || !spk || !spkSig || !regId) {
    return errorReply("wasim.bad_request",
                      "\"link_device\" needs \"phone\", \"registration_id\" and base64 \"noise_key\", "
                      "\"identity_private\", \"signed_prekey\" (32 bytes) and \"signed_prekey_signature\" (64)");
  }
  DirectLink link;
  link.noiseKey = *noise;
  link.identity = whatsapp::KeyPair::fromPrivate(*identityPriv);
  link.registrationId = static_cast<std::uint32_t>(*regId);
  link.signedPreKeyId = static_cast<std::uint32_t>(unsignedField(r, "signed_prekey_id").value_or(1));
  link.signedPreKey = *spk;
  link.signedPreKeySignature = *spkSig;
  if (auto p = r.find("platform"); p != r.end() && p->is_string()) {
    link.platform = p->get<std::string>();
  }
  auto info = sim.linkDevice(phone->get<std::string>(), link);
  if (!info) {
    return errorReply(info.error());
  }
  return {{"ok", true}, {"device", info->device}, {"jid", info->jid}, {"lid", info->lid}, {"keyIndex", info->keyIndex}};
}

}  // namespace

std::optional<json> runLoadCommand(Simulator& sim, const std::string& cmd, const json& r) {
  if (cmd == "load_start") {
    return loadStart(sim, r);
  }
  if (cmd == "load_status" || cmd == "load_stop") {
    auto id = unsignedField(r, "load");
    if (!id) {
      return errorReply("wasim.bad_request", "\"" + cmd + "\" needs \"load\" (the id load_start gave)");
    }
    if (cmd == "load_stop") {
      if (auto st = sim.stopLoad(*id); !st) {
        return errorReply(st.error());
      }
    }
    auto s = sim.loadStatus(*id);
    return s ? statusJson(*s) : errorReply(s.error());
  }
  if (cmd == "link_device") {
    return linkDevice(sim, r);
  }
  return std::nullopt;
}

}  // namespace switchboard::wasim
