#include "signal/keys.hpp"

#include "signal/errors.hpp"

#include <algorithm>
#include <string>

namespace switchboard::whatsapp {

namespace {
constexpr std::uint8_t kIdentityFormat = 1;
constexpr std::size_t kIdentitySize = 1 + 4 + 32 + 32;
}  // namespace

Key33 toSignalKey(const Key32& raw) {
  Key33 out{};
  out[0] = kDjbKeyType;
  std::copy(raw.begin(), raw.end(), out.begin() + 1);
  return out;
}

sdk::Result<Key32> fromSignalKey(ByteView signalKey) {
  if (signalKey.size() != 33 || signalKey[0] != kDjbKeyType) {
    return signalError(SignalErrc::InvalidKey, "a Signal public key must be 33 bytes starting with 0x05, got " +
                                                   std::to_string(signalKey.size()) + " bytes");
  }
  Key32 out{};
  std::copy(signalKey.begin() + 1, signalKey.end(), out.begin());
  return out;
}

sdk::Result<Key32> key32(ByteView raw, std::string_view what) {
  if (raw.size() != 32) {
    return signalError(SignalErrc::InvalidKey, std::string(what) + " must be 32 bytes, got " + std::to_string(raw.size()));
  }
  Key32 out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

std::uint32_t nextPreKeyId(std::uint32_t id) { return id >= kMaxPreKeyId ? 1 : id + 1; }

LocalIdentity LocalIdentity::generate() {
  LocalIdentity out;
  out.identity = KeyPair::generate();
  std::array<std::uint8_t, 4> r{};
  randomBytes(r);
  std::uint32_t v = (std::uint32_t{r[0]} << 24) | (std::uint32_t{r[1]} << 16) | (std::uint32_t{r[2]} << 8) | r[3];
  out.registrationId = 1 + v % 16380;
  return out;
}

Bytes LocalIdentity::serialize() const {
  Bytes out;
  out.reserve(kIdentitySize);
  out.push_back(kIdentityFormat);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(registrationId >> shift));
  }
  out.insert(out.end(), identity.pub.begin(), identity.pub.end());
  out.insert(out.end(), identity.priv.begin(), identity.priv.end());
  return out;
}

sdk::Result<LocalIdentity> LocalIdentity::parse(ByteView data) {
  if (data.size() != kIdentitySize || data[0] != kIdentityFormat) {
    return signalError(SignalErrc::Store, "stored local identity has an unknown format (" +
                                                      std::to_string(data.size()) + " bytes)");
  }
  LocalIdentity out;
  out.registrationId = (std::uint32_t{data[1]} << 24) | (std::uint32_t{data[2]} << 16) |
                       (std::uint32_t{data[3]} << 8) | data[4];
  std::copy_n(data.begin() + 5, 32, out.identity.pub.begin());
  std::copy_n(data.begin() + 37, 32, out.identity.priv.begin());
  return out;
}

bool LocalIdentity::operator==(const LocalIdentity& other) const {
  return registrationId == other.registrationId && identity.pub == other.identity.pub &&
         identity.priv == other.identity.priv;
}

bool verifySignedPreKey(const Key32& identity, const SignedPreKeyPublic& signedPreKey) {
  Key33 signedKey = toSignalKey(signedPreKey.pub);
  return xeddsaVerify(identity, signedKey, signedPreKey.signature);
}

}  // namespace switchboard::whatsapp
