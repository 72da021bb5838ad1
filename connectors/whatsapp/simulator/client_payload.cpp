#include "simulator/client_payload.hpp"

#include <cstring>

#include "switchboard/whatsapp/wire/client_payload.pb.h"

namespace switchboard::wasim {
namespace {

namespace wire = switchboard::whatsapp::wire;
using whatsapp::protocolError;

sdk::Error bad(std::string what) { return protocolError("wasim.client_payload", std::move(what)); }

bool copyKey(const std::string& field, whatsapp::Key32& out) {
  if (field.size() != out.size()) {
    return false;
  }
  std::memcpy(out.data(), field.data(), out.size());
  return true;
}

std::uint32_t bigEndianField(const std::string& field) {
  std::uint32_t v = 0;
  for (unsigned char c : field) {
    v = (v << 8) | c;
  }
  return v;
}

}  // namespace

sdk::Result<ClientHello> parseClientPayload(whatsapp::ByteView payload) {
  wire::ClientPayload p;
  if (payload.size() > (1u << 20) || !p.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return bad("the ClientPayload does not parse");
  }
  if (p.has_username()) {
    if (p.device() > 0xFF) {
      return bad("device " + std::to_string(p.device()) + " is out of range");
    }
    return ClientHello(LoginPayload{p.username(), static_cast<std::uint16_t>(p.device()), p.passive(), p.push_name()});
  }
  if (!p.has_device_pairing_data()) {
    return bad("the ClientPayload has neither a username nor registration data");
  }
  const auto& d = p.device_pairing_data();
  RegistrationPayload r;
  if (d.e_regid().size() != 4) {
    return bad("registration id is not 4 bytes");
  }
  r.registrationId = bigEndianField(d.e_regid());
  if (d.e_keytype() != std::string(1, '\x05')) {
    return bad("key type is not 5 (Curve25519)");
  }
  if (!copyKey(d.e_ident(), r.identity)) {
    return bad("identity key is not 32 bytes");
  }
  if (d.e_skey_id().size() != 3) {
    return bad("signed prekey id is not 3 bytes");
  }
  r.signedPreKeyId = bigEndianField(d.e_skey_id());
  if (!copyKey(d.e_skey_val(), r.signedPreKey)) {
    return bad("signed prekey is not 32 bytes");
  }
  if (d.e_skey_sig().size() != r.signedPreKeySignature.size()) {
    return bad("signed prekey signature is not 64 bytes");
  }
  std::memcpy(r.signedPreKeySignature.data(), d.e_skey_sig().data(), r.signedPreKeySignature.size());
  whatsapp::Bytes signedData{0x05};
  signedData.insert(signedData.end(), r.signedPreKey.begin(), r.signedPreKey.end());
  if (!whatsapp::xeddsaVerify(r.identity, signedData, r.signedPreKeySignature)) {
    return bad("the signed prekey signature does not verify with the identity key");
  }
  if (d.has_device_props()) {
    wire::DeviceProps props;
    if (props.ParseFromString(d.device_props())) {
      r.os = props.os();
      r.platformType = props.platform_type();
    }
  }
  r.pushName = p.push_name();
  return ClientHello(std::move(r));
}

}  // namespace switchboard::wasim
