#include "connector/pairing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "connector/client_payload.hpp"
#include "connector/stanza.hpp"
#include "protocol/jid.hpp"
#include "switchboard/whatsapp/wire/adv.pb.h"

namespace switchboard::whatsapp::connector {

namespace {

sdk::Error malformed(const std::string& what) {
  return sdk::Error::permanent("whatsapp.pairing.malformed", "pair-success: " + what);
}

std::string str(ByteView b) { return std::string(asChars(b)); }

// The prefixes the phone and we sign with (wa-protocol.md 5.1 step 8), and the hosted variant.
constexpr std::uint8_t kAccountSignaturePrefix[] = {6, 0};
constexpr std::uint8_t kDeviceSignaturePrefix[] = {6, 1};
constexpr std::uint8_t kHostedPrefix[] = {6, 5};

}  // namespace

std::string base64(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

sdk::Result<Bytes> fromBase64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return sdk::Error::permanent("whatsapp.base64", "base64 text has a length that is not a multiple of 4");
  }
  Bytes out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return sdk::Error::permanent("whatsapp.base64", "not base64");
  }
  // EVP_DecodeBlock keeps the zero bytes that padding stands for.
  std::size_t pad = 0;
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && pad < 2; --i) {
    ++pad;
  }
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string qrCodeText(const std::string& ref, const DeviceCredentials& creds) {
  return "https://wa.me/settings/linked_devices#" + ref + "," + base64(creds.noiseKey.pub) + "," +
         base64(creds.identityKey.pub) + "," + base64(creds.advSecret) + "," +
         std::to_string(kCompanionPlatformChrome);
}

sdk::Result<std::vector<std::string>> pairDeviceRefs(const Node& iq) {
  const Node* pd = iq.child("pair-device");
  if (pd == nullptr) {
    return sdk::Error::permanent("whatsapp.pairing.malformed", "pair-device iq without <pair-device>");
  }
  std::vector<std::string> refs;
  for (const auto& c : childrenOf(*pd)) {
    if (c.tag != "ref") {
      continue;
    }
    std::string ref = c.bytes() ? str(*c.bytes()) : c.text() ? *c.text() : std::string();
    // A ref goes into the comma-separated QR text: a comma or an empty ref would corrupt it.
    if (!ref.empty() && ref.size() <= 1024 && ref.find(',') == std::string::npos) {
      refs.push_back(std::move(ref));
    }
  }
  if (refs.empty()) {
    return sdk::Error::permanent("whatsapp.pairing.malformed", "pair-device iq without usable refs");
  }
  return refs;
}

sdk::Result<PairingResult> completePairing(const Node& iq, const DeviceCredentials& creds) {
  const Node* success = iq.child("pair-success");
  if (success == nullptr) {
    return malformed("no <pair-success>");
  }
  const Node* identityNode = success->child("device-identity");
  const Node* device = success->child("device");
  if (identityNode == nullptr || identityNode->bytes() == nullptr || device == nullptr) {
    return malformed("<device-identity> bytes and <device> are required");
  }
  PairingResult out;
  out.jid = attrOr(*device, "jid");
  out.lid = attrOr(*device, "lid");
  auto jid = Jid::parse(out.jid);
  if (!jid || jid->user.empty() || jid->server != kUserServer || jid->device == 0) {
    return malformed("device jid \"" + out.jid + "\" is not a companion device JID");
  }
  if (!out.lid.empty()) {
    auto lid = Jid::parse(out.lid);
    if (!lid || lid->server != kLidServer) {
      return malformed("device lid \"" + out.lid + "\" is not a LID");
    }
  }
  if (const Node* platform = success->child("platform")) {
    out.platform = attrOr(*platform, "name");
  }
  if (const Node* biz = success->child("biz")) {
    out.businessName = attrOr(*biz, "name");
  }

  // 1. The container's HMAC proves the phone knows the secret from our QR code (or code pairing).
  const Bytes& container = *identityNode->bytes();
  wire::ADVSignedDeviceIdentityHMAC hmacContainer;
  if (!hmacContainer.ParseFromArray(container.data(), static_cast<int>(container.size())) ||
      !hmacContainer.has_details() || !hmacContainer.has_hmac()) {
    return malformed("device identity container is not an ADVSignedDeviceIdentityHMAC");
  }
  const bool hosted = hmacContainer.account_type() == wire::HOSTED;
  Bytes macInput;
  if (hosted) {
    append(macInput, kHostedPrefix);
  }
  append(macInput, asBytes(hmacContainer.details()));
  const Key32 expected = hmacSha256(creds.advSecret, macInput);
  if (hmacContainer.hmac().size() != expected.size() ||
      CRYPTO_memcmp(expected.data(), hmacContainer.hmac().data(), expected.size()) != 0) {
    return sdk::Error::permanent("whatsapp.pairing.hmac_mismatch",
                                 "pair-success: the device identity HMAC does not verify under our ADV secret");
  }

  // 2. The account (the phone's identity key) signs our identity key.
  wire::ADVSignedDeviceIdentity signedIdentity;
  if (!signedIdentity.ParseFromString(hmacContainer.details()) || !signedIdentity.has_details()) {
    return malformed("signed device identity is unreadable");
  }
  if (signedIdentity.account_signature_key().size() != 32 || signedIdentity.account_signature().size() != 64) {
    return sdk::Error::permanent("whatsapp.pairing.signature_mismatch",
                                 "pair-success: account signature key must be 32 bytes and the signature 64");
  }
  Key32 accountKey{};
  std::copy_n(signedIdentity.account_signature_key().begin(), 32, accountKey.begin());
  Bytes signedMessage;
  append(signedMessage, hosted ? ByteView(kHostedPrefix) : ByteView(kAccountSignaturePrefix));
  append(signedMessage, asBytes(signedIdentity.details()));
  append(signedMessage, creds.identityKey.pub);
  if (!xeddsaVerify(accountKey, signedMessage, asBytes(signedIdentity.account_signature()))) {
    return sdk::Error::permanent("whatsapp.pairing.signature_mismatch",
                                 "pair-success: the account signature over our identity key does not verify");
  }

  wire::ADVDeviceIdentity deviceIdentity;
  if (!deviceIdentity.ParseFromString(signedIdentity.details())) {
    return malformed("device identity details are unreadable");
  }
  out.keyIndex = deviceIdentity.key_index();

  // 3. We sign the same details, our key and the account key.
  Bytes deviceMessage;
  append(deviceMessage, kDeviceSignaturePrefix);
  append(deviceMessage, asBytes(signedIdentity.details()));
  append(deviceMessage, creds.identityKey.pub);
  append(deviceMessage, accountKey);
  const Signature deviceSignature = xeddsaSign(creds.identityKey.priv, deviceMessage);
  signedIdentity.set_device_signature(std::string(deviceSignature.begin(), deviceSignature.end()));
  const std::string full = signedIdentity.SerializeAsString();
  out.account.assign(full.begin(), full.end());

  wire::ADVSignedDeviceIdentity forServer = signedIdentity;
  forServer.clear_account_signature_key();
  const std::string replyBytes = forServer.SerializeAsString();
  Node identityReply("device-identity", {{"key-index", std::to_string(out.keyIndex)}},
                     Bytes(replyBytes.begin(), replyBytes.end()));
  out.reply = Node("iq", {{"to", kServerJid}, {"type", "result"}, {"id", attrOr(iq, "id")}},
                   Node::Children{Node("pair-device-sign", {}, Node::Children{std::move(identityReply)})});
  return out;
}

Node pairingErrorReply(const Node& iq, const sdk::Error& error) {
  std::string text = "internal-error";
  if (error.code == "whatsapp.pairing.hmac_mismatch") {
    text = "hmac-mismatch";
  } else if (error.code == "whatsapp.pairing.signature_mismatch") {
    text = "signature-mismatch";
  }
  return Node("iq", {{"to", kServerJid}, {"type", "error"}, {"id", attrOr(iq, "id")}},
              Node::Children{Node("error", {{"code", error.code == "whatsapp.pairing.malformed" ? "500" : "401"},
                                            {"text", text}})});
}

}  // namespace switchboard::whatsapp::connector
