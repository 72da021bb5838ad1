#include "simulator/adv.hpp"

#include "switchboard/whatsapp/wire/adv.pb.h"

namespace switchboard::wasim {
namespace {

namespace wire = switchboard::whatsapp::wire;
using whatsapp::append;
using whatsapp::asBytes;
using whatsapp::Bytes;

sdk::Error bad(std::string what) { return sdk::Error::permanent("wasim.adv", std::move(what)); }

}  // namespace

AdvGrant grantDevice(const whatsapp::KeyPair& accountKey, std::uint32_t rawId, std::uint32_t keyIndex,
                     std::uint64_t timestamp, const whatsapp::Key32& companionIdentity, whatsapp::ByteView advSecret) {
  wire::ADVDeviceIdentity identity;
  identity.set_raw_id(rawId);
  identity.set_timestamp(timestamp);
  identity.set_key_index(keyIndex);
  identity.set_account_type(wire::E2EE);
  identity.set_device_type(wire::E2EE);
  AdvGrant grant;
  grant.keyIndex = keyIndex;
  grant.details = whatsapp::toBytes(identity.SerializeAsString());

  Bytes toSign{0x06, 0x00};
  append(toSign, grant.details);
  append(toSign, companionIdentity);
  auto sig = whatsapp::xeddsaSign(accountKey.priv, toSign);
  grant.accountSignature.assign(sig.begin(), sig.end());

  wire::ADVSignedDeviceIdentity signedIdentity;
  signedIdentity.set_details(std::string(whatsapp::asChars(grant.details)));
  signedIdentity.set_account_signature_key(accountKey.pub.data(), accountKey.pub.size());
  signedIdentity.set_account_signature(std::string(whatsapp::asChars(grant.accountSignature)));
  std::string signedBytes = signedIdentity.SerializeAsString();

  auto mac = whatsapp::hmacSha256(advSecret, asBytes(signedBytes));
  wire::ADVSignedDeviceIdentityHMAC container;
  container.set_details(signedBytes);
  container.set_hmac(mac.data(), mac.size());
  grant.hmacContainer = whatsapp::toBytes(container.SerializeAsString());
  return grant;
}

sdk::Result<Bytes> verifyDeviceSignature(whatsapp::ByteView signedIdentity, const AdvGrant& grant,
                                         const whatsapp::Key32& accountKey,
                                         const whatsapp::Key32& companionIdentity) {
  wire::ADVSignedDeviceIdentity got;
  if (signedIdentity.size() > 4096 ||
      !got.ParseFromArray(signedIdentity.data(), static_cast<int>(signedIdentity.size()))) {
    return bad("the signed device identity does not parse");
  }
  if (asBytes(got.details()).size() != grant.details.size() || whatsapp::toBytes(got.details()) != grant.details) {
    return bad("the signed device identity's details differ from those the phone signed");
  }
  if (whatsapp::toBytes(got.account_signature()) != grant.accountSignature) {
    return bad("the signed device identity's account signature differs from the phone's");
  }
  if (got.has_account_signature_key() &&
      whatsapp::toBytes(got.account_signature_key()) != Bytes(accountKey.begin(), accountKey.end())) {
    return bad("the signed device identity names another account key");
  }
  if (got.device_signature().size() != 64) {
    return bad("the device signature is not 64 bytes");
  }
  Bytes signedData{0x06, 0x01};
  append(signedData, grant.details);
  append(signedData, companionIdentity);
  append(signedData, accountKey);
  if (!whatsapp::xeddsaVerify(companionIdentity, signedData, asBytes(got.device_signature()))) {
    return bad("the device signature does not verify with the companion's identity key");
  }
  // Peers get the identity without the account key, as the companion itself sends it.
  got.clear_account_signature_key();
  return whatsapp::toBytes(got.SerializeAsString());
}

Bytes countersignGrant(const AdvGrant& grant, const whatsapp::KeyPair& companionIdentity,
                       const whatsapp::Key32& accountKey) {
  Bytes signedData{0x06, 0x01};
  append(signedData, grant.details);
  append(signedData, companionIdentity.pub);
  append(signedData, accountKey);
  auto sig = whatsapp::xeddsaSign(companionIdentity.priv, signedData);
  wire::ADVSignedDeviceIdentity out;
  out.set_details(std::string(whatsapp::asChars(grant.details)));
  out.set_account_signature(std::string(whatsapp::asChars(grant.accountSignature)));
  out.set_device_signature(sig.data(), sig.size());
  return whatsapp::toBytes(out.SerializeAsString());
}

}  // namespace switchboard::wasim
