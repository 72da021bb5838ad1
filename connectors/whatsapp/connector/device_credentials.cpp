#include "connector/device_credentials.hpp"

#include <nlohmann/json.hpp>

#include "protocol/jid.hpp"
#include "switchboard/whatsapp/wire/adv.pb.h"

namespace switchboard::whatsapp::connector {

namespace {

constexpr int kFormatVersion = 1;

sdk::Error corrupt(const std::string& what) {
  return sdk::Error::fatal("whatsapp.credentials", "stored device credentials are unreadable: " + what);
}

std::optional<Bytes> fromHex(std::string_view text) {
  if (text.size() % 2 != 0) {
    return std::nullopt;
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return out;
}

template <std::size_t N>
bool readFixed(const nlohmann::json& j, const char* key, std::array<std::uint8_t, N>& out) {
  if (!j.contains(key) || !j[key].is_string()) {
    return false;
  }
  auto bytes = fromHex(j[key].get<std::string>());
  if (!bytes || bytes->size() != N) {
    return false;
  }
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

}  // namespace

Bytes djbKey(const Key32& pub) {
  Bytes out;
  out.reserve(33);
  out.push_back(0x05);
  out.insert(out.end(), pub.begin(), pub.end());
  return out;
}

DeviceCredentials DeviceCredentials::generate() {
  DeviceCredentials c;
  c.noiseKey = KeyPair::generate();
  c.identityKey = KeyPair::generate();
  std::array<std::uint8_t, 4> r{};
  randomBytes(r);
  c.registrationId = 1 + (((std::uint32_t(r[0]) << 8) | r[1]) % 16380);
  randomBytes(c.advSecret);
  return c;
}

std::string DeviceCredentials::user() const {
  auto j = Jid::parse(jid);
  return j ? j->user : std::string();
}

std::uint16_t DeviceCredentials::device() const {
  auto j = Jid::parse(jid);
  return j ? j->device : 0;
}

sdk::Result<Bytes> DeviceCredentials::deviceIdentityForPeers() const {
  wire::ADVSignedDeviceIdentity identity;
  if (account.empty() || !identity.ParseFromArray(account.data(), static_cast<int>(account.size()))) {
    return sdk::Error::permanent("whatsapp.not_paired", "no signed device identity: the device is not paired");
  }
  identity.clear_account_signature_key();
  const std::string out = identity.SerializeAsString();
  return Bytes(out.begin(), out.end());
}

std::string DeviceCredentials::serialize() const {
  nlohmann::json j;
  j["version"] = kFormatVersion;
  j["noise_priv"] = toHex(noiseKey.priv);
  j["identity_priv"] = toHex(identityKey.priv);
  j["registration_id"] = registrationId;
  j["signed_prekey_id"] = signedPreKeyId;
  j["signed_prekey_pub"] = toHex(signedPreKeyPub);
  j["signed_prekey_sig"] = toHex(signedPreKeySignature);
  j["adv_secret"] = toHex(advSecret);
  j["jid"] = jid;
  j["lid"] = lid;
  j["platform"] = platform;
  j["business_name"] = businessName;
  j["account"] = toHex(account);
  j["key_index"] = keyIndex;
  j["next_prekey_id"] = nextPreKeyId;
  j["uploaded_prekey_id"] = uploadedPreKeyId;
  return j.dump();
}

sdk::Result<DeviceCredentials> DeviceCredentials::parse(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return corrupt("not JSON");
  }
  if (j.value("version", 0) != kFormatVersion) {
    return corrupt("unknown format version");
  }
  DeviceCredentials c;
  Key32 noise{}, identity{};
  if (!readFixed(j, "noise_priv", noise) || !readFixed(j, "identity_priv", identity) ||
      !readFixed(j, "signed_prekey_pub", c.signedPreKeyPub) || !readFixed(j, "signed_prekey_sig", c.signedPreKeySignature) ||
      !readFixed(j, "adv_secret", c.advSecret)) {
    return corrupt("a key is missing or malformed");
  }
  c.noiseKey = KeyPair::fromPrivate(noise);
  c.identityKey = KeyPair::fromPrivate(identity);
  try {
    c.registrationId = j.at("registration_id").get<std::uint32_t>();
    c.signedPreKeyId = j.at("signed_prekey_id").get<std::uint32_t>();
    c.jid = j.value("jid", "");
    c.lid = j.value("lid", "");
    c.platform = j.value("platform", "");
    c.businessName = j.value("business_name", "");
    c.keyIndex = j.value("key_index", 0u);
    c.nextPreKeyId = j.value("next_prekey_id", 1u);
    c.uploadedPreKeyId = j.value("uploaded_prekey_id", 0u);
    auto account = fromHex(j.value("account", ""));
    if (!account) {
      return corrupt("account is not hex");
    }
    c.account = std::move(*account);
  } catch (const nlohmann::json::exception& e) {
    return corrupt(e.what());
  }
  if (!c.jid.empty() && !Jid::parse(c.jid)) {
    return corrupt("jid \"" + c.jid + "\" is not a JID");
  }
  return c;
}

}  // namespace switchboard::whatsapp::connector
