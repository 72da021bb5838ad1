// Pairing crypto of the connector, checked against the simulator's phone side (an independent
// implementation): a genuine pair-success is accepted and countersigned correctly; a forged
// account signature, a wrong HMAC or malformed input are refused. Also the QR text and the
// pairing-code exchange.

#include <gtest/gtest.h>

#include "connector/pairing.hpp"
#include "connector/pairing_code.hpp"
#include "connector/stanza.hpp"
#include "simulator/adv.hpp"
#include "simulator/link_code.hpp"
#include "simulator/qr_code.hpp"
#include "switchboard/whatsapp/wire/adv.pb.h"

using namespace switchboard::whatsapp;
using namespace switchboard::whatsapp::connector;
namespace wasim = switchboard::wasim;

namespace {

DeviceCredentials companion() {
  auto c = DeviceCredentials::generate();
  c.signedPreKeyPub = KeyPair::generate().pub;
  return c;
}

Node pairSuccess(const Bytes& container, const std::string& jid = "15551230001:4@s.whatsapp.net",
                 const std::string& lid = "987650001:4@lid") {
  return Node("iq", {{"from", "@s.whatsapp.net"}, {"type", "set"}, {"id", "ps-1"}, {"t", "1700000000"}},
              Node::Children{Node("pair-success", {},
                                  Node::Children{Node("device-identity", {{"key-index", "3"}}, container),
                                                 Node("platform", {{"name", "android"}}),
                                                 Node("device", {{"jid", jid}, {"lid", lid}})})});
}

// A container whose inner identity was tampered with, re-MACed with the right secret: only the
// signature check can catch it.
Bytes remac(const wire::ADVSignedDeviceIdentity& identity, const Key32& advSecret) {
  wire::ADVSignedDeviceIdentityHMAC container;
  container.set_details(identity.SerializeAsString());
  const Key32 mac = hmacSha256(advSecret, asBytes(container.details()));
  container.set_hmac(std::string(mac.begin(), mac.end()));
  const std::string out = container.SerializeAsString();
  return Bytes(out.begin(), out.end());
}

wire::ADVSignedDeviceIdentity innerOf(const Bytes& container) {
  wire::ADVSignedDeviceIdentityHMAC c;
  EXPECT_TRUE(c.ParseFromArray(container.data(), static_cast<int>(container.size())));
  wire::ADVSignedDeviceIdentity inner;
  EXPECT_TRUE(inner.ParseFromString(c.details()));
  return inner;
}

}  // namespace

TEST(WaPairing, GenuinePairSuccessIsCountersignedAsThePhoneExpects) {
  const auto creds = companion();
  const KeyPair account = KeyPair::generate();
  const auto grant = wasim::grantDevice(account, 77, 3, 1700000000, creds.identityKey.pub, creds.advSecret);
  auto result = completePairing(pairSuccess(grant.hmacContainer), creds);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(result->jid, "15551230001:4@s.whatsapp.net");
  EXPECT_EQ(result->lid, "987650001:4@lid");
  EXPECT_EQ(result->platform, "android");
  EXPECT_EQ(result->keyIndex, 3u);

  // The reply: <iq type=result id=ps-1><pair-device-sign><device-identity key-index=3>…
  const Node& reply = result->reply;
  EXPECT_EQ(attrOr(reply, "type"), "result");
  EXPECT_EQ(attrOr(reply, "id"), "ps-1");
  const Node* sign = reply.child("pair-device-sign");
  ASSERT_NE(sign, nullptr);
  const Node* identity = sign->child("device-identity");
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(attrOr(*identity, "key-index"), "3");
  ASSERT_NE(identity->bytes(), nullptr);
  // The phone side accepts our device signature.
  auto verified = wasim::verifyDeviceSignature(*identity->bytes(), grant, account.pub, creds.identityKey.pub);
  EXPECT_TRUE(verified.ok()) << (verified.ok() ? "" : verified.error().describe());
  // The reply omits the account key; what we keep has it, for later use.
  wire::ADVSignedDeviceIdentity sent;
  ASSERT_TRUE(sent.ParseFromArray(identity->bytes()->data(), static_cast<int>(identity->bytes()->size())));
  EXPECT_FALSE(sent.has_account_signature_key());
  EXPECT_EQ(sent.device_signature().size(), 64u);
  wire::ADVSignedDeviceIdentity kept;
  ASSERT_TRUE(kept.ParseFromArray(result->account.data(), static_cast<int>(result->account.size())));
  EXPECT_EQ(kept.account_signature_key(), std::string(account.pub.begin(), account.pub.end()));
}

TEST(WaPairing, WrongAdvSecretIsRefusedAsHmacMismatch) {
  auto creds = companion();
  const KeyPair account = KeyPair::generate();
  Key32 otherSecret{};
  randomBytes(otherSecret);
  const auto grant = wasim::grantDevice(account, 77, 3, 1700000000, creds.identityKey.pub, otherSecret);
  auto result = completePairing(pairSuccess(grant.hmacContainer), creds);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "whatsapp.pairing.hmac_mismatch");
  const Node reply = pairingErrorReply(pairSuccess(grant.hmacContainer), result.error());
  EXPECT_EQ(attrOr(reply, "type"), "error");
  ASSERT_NE(reply.child("error"), nullptr);
  EXPECT_EQ(attrOr(*reply.child("error"), "text"), "hmac-mismatch");
  EXPECT_EQ(attrOr(*reply.child("error"), "code"), "401");

  // A flipped bit in the MAC itself is refused the same way.
  wire::ADVSignedDeviceIdentityHMAC c;
  const auto good = wasim::grantDevice(account, 77, 3, 1700000000, creds.identityKey.pub, creds.advSecret);
  ASSERT_TRUE(c.ParseFromArray(good.hmacContainer.data(), static_cast<int>(good.hmacContainer.size())));
  std::string mac = c.hmac();
  mac[5] ^= 0x01;
  c.set_hmac(mac);
  const std::string flipped = c.SerializeAsString();
  auto r2 = completePairing(pairSuccess(Bytes(flipped.begin(), flipped.end())), creds);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, "whatsapp.pairing.hmac_mismatch");
}

TEST(WaPairing, ForgedAccountSignatureIsRefusedEvenUnderACorrectHmac) {
  const auto creds = companion();
  const KeyPair account = KeyPair::generate();
  const auto grant = wasim::grantDevice(account, 77, 3, 1700000000, creds.identityKey.pub, creds.advSecret);

  // Random 64 bytes: what Baileys would accept.
  auto random = innerOf(grant.hmacContainer);
  std::string sig(64, '\0');
  randomBytes(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(sig.data()), sig.size()));
  random.set_account_signature(sig);
  auto r1 = completePairing(pairSuccess(remac(random, creds.advSecret)), creds);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, "whatsapp.pairing.signature_mismatch");

  // A real signature by another key, claiming to be the account.
  auto impostor = innerOf(grant.hmacContainer);
  const KeyPair other = KeyPair::generate();
  Bytes message{6, 0};
  append(message, asBytes(impostor.details()));
  append(message, creds.identityKey.pub);
  const Signature forged = xeddsaSign(other.priv, message);
  impostor.set_account_signature(std::string(forged.begin(), forged.end()));
  auto r2 = completePairing(pairSuccess(remac(impostor, creds.advSecret)), creds);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, "whatsapp.pairing.signature_mismatch");

  // The account's genuine signature over somebody else's identity key.
  const auto forOther = wasim::grantDevice(account, 77, 3, 1700000000, KeyPair::generate().pub, creds.advSecret);
  auto r3 = completePairing(pairSuccess(forOther.hmacContainer), creds);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, "whatsapp.pairing.signature_mismatch");

  // A short signature is refused before any verification.
  auto shortSig = innerOf(grant.hmacContainer);
  shortSig.set_account_signature(shortSig.account_signature().substr(0, 63));
  auto r4 = completePairing(pairSuccess(remac(shortSig, creds.advSecret)), creds);
  ASSERT_FALSE(r4.ok());
  EXPECT_EQ(r4.error().code, "whatsapp.pairing.signature_mismatch");
}

TEST(WaPairing, MalformedPairSuccessIsAnErrorNotACrash) {
  const auto creds = companion();
  const KeyPair account = KeyPair::generate();
  const auto grant = wasim::grantDevice(account, 77, 3, 1700000000, creds.identityKey.pub, creds.advSecret);
  for (const Node& bad : {
           Node("iq", {{"id", "x"}}),
           pairSuccess(Bytes{1, 2, 3}),
           pairSuccess(grant.hmacContainer, "not a jid"),
           pairSuccess(grant.hmacContainer, "15551230001@s.whatsapp.net"),  // device 0 is the phone
           pairSuccess(grant.hmacContainer, "15551230001:4@s.whatsapp.net", "15551230001:4@s.whatsapp.net"),
       }) {
    auto r = completePairing(bad, creds);
    EXPECT_FALSE(r.ok()) << bad.toString();
  }
}

TEST(WaPairing, QrTextCarriesRefAndKeysAsThePhoneParsesIt) {
  const auto creds = companion();
  const std::string text = qrCodeText("2@AbCdEf==", creds);
  EXPECT_EQ(text.rfind("https://wa.me/settings/linked_devices#2@AbCdEf==,", 0), 0u) << text;
  // ref, noise key, identity key, ADV secret, platform: five fields.
  EXPECT_EQ(std::count(text.begin(), text.end(), ','), 4);
  auto parsed = wasim::parseQrCode(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->ref, "2@AbCdEf==");
  EXPECT_EQ(parsed->noiseKey, creds.noiseKey.pub);
  EXPECT_EQ(parsed->identityKey, creds.identityKey.pub);
  EXPECT_EQ(parsed->advSecret, Bytes(creds.advSecret.begin(), creds.advSecret.end()));
  EXPECT_EQ(parsed->platform, "1");
  // Base64 round trip, padding included.
  for (std::size_t n : {0u, 1u, 2u, 3u, 31u, 32u, 33u}) {
    Bytes b(n, 0x5a);
    for (std::size_t i = 0; i < n; ++i) {
      b[i] = static_cast<std::uint8_t>(i * 37 + 11);
    }
    auto back = fromBase64(base64(b));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), b);
  }
  EXPECT_FALSE(fromBase64("abc").ok());
}

TEST(WaPairing, PairDeviceRefsSkipUnusableOnes) {
  Node iqNode("iq", {{"type", "set"}, {"id", "1"}},
              Node::Children{Node("pair-device", {},
                                  Node::Children{Node("ref", {}, toBytes("2@one")), Node("ref", {}, toBytes("a,b")),
                                                 Node("ref", {}, Bytes{}), Node("ref", {}, toBytes("2@two"))})});
  auto refs = pairDeviceRefs(iqNode);
  ASSERT_TRUE(refs.ok());
  EXPECT_EQ(refs.value(), (std::vector<std::string>{"2@one", "2@two"}));
  EXPECT_FALSE(pairDeviceRefs(Node("iq", {}, Node::Children{Node("pair-device")})).ok());
}

TEST(WaPairingCode, CodeAlphabetAndKeyWrapRoundTripWithThePhone) {
  for (int i = 0; i < 50; ++i) {
    const std::string code = generatePairingCode();
    ASSERT_EQ(code.size(), 8u);
    EXPECT_EQ(code.find_first_not_of("123456789ABCDEFGHJKLMNPQRSTVWXYZ"), std::string::npos) << code;
    EXPECT_TRUE(wasim::normalizeLinkCode(code).ok());
  }
  const Key32 key = KeyPair::generate().pub;
  const std::string code = "ABCD2345";
  auto phoneReads = wasim::unwrapLinkCodeKey(code, wrapWithCode(code, key));
  ASSERT_TRUE(phoneReads.ok());
  EXPECT_EQ(phoneReads.value(), key);
  auto weRead = unwrapWithCode(code, wasim::wrapLinkCodeKey(code, key));
  ASSERT_TRUE(weRead.ok());
  EXPECT_EQ(weRead.value(), key);
  EXPECT_FALSE(unwrapWithCode(code, Bytes(79)).ok());
}

TEST(WaPairingCode, BothSidesDeriveTheSameAdvSecret) {
  auto creds = companion();
  const std::string code = "ZXCV5678";
  CodePairing pairing("15551230001", code);
  const Node hello = pairing.helloRequest("h1", creds, "Switchboard");
  const Node* reg = hello.child("link_code_companion_reg");
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(attrOr(*reg, "stage"), "companion_hello");
  EXPECT_EQ(attrOr(*reg, "jid"), "15551230001@s.whatsapp.net");
  const Bytes* wrappedCompanion = childBytes(*reg, "link_code_pairing_wrapped_companion_ephemeral_pub");
  ASSERT_NE(wrappedCompanion, nullptr);
  auto companionEphemeral = wasim::unwrapLinkCodeKey(code, *wrappedCompanion);
  ASSERT_TRUE(companionEphemeral.ok());

  // The phone answers with its ephemeral key under the same code and its identity.
  const KeyPair primaryEphemeral = KeyPair::generate();
  const KeyPair primaryIdentity = KeyPair::generate();
  Node notification(
      "notification", {{"type", "link_code_companion_reg"}, {"id", "n1"}},
      Node::Children{Node("link_code_companion_reg", {},
                          Node::Children{Node("link_code_pairing_ref", {}, toBytes("ref-1")),
                                         Node("primary_identity_pub", {},
                                              Bytes(primaryIdentity.pub.begin(), primaryIdentity.pub.end())),
                                         Node("link_code_pairing_wrapped_primary_ephemeral_pub", {},
                                              wasim::wrapLinkCodeKey(code, primaryEphemeral.pub))})});
  const Key32 before = creds.advSecret;
  auto finish = pairing.onPrimaryHello(notification, "f1", creds);
  ASSERT_TRUE(finish.ok()) << finish.error().describe();
  EXPECT_NE(creds.advSecret, before);
  const Node* fin = finish->child("link_code_companion_reg");
  ASSERT_NE(fin, nullptr);
  EXPECT_EQ(attrOr(*fin, "stage"), "companion_finish");
  ASSERT_NE(childBytes(*fin, "link_code_pairing_ref"), nullptr);
  EXPECT_EQ(*childBytes(*fin, "link_code_pairing_ref"), toBytes("ref-1"));
  const Bytes* bundle = childBytes(*fin, "link_code_pairing_wrapped_key_bundle");
  ASSERT_NE(bundle, nullptr);
  auto phoneSecret = wasim::openLinkCodeBundle(primaryEphemeral, companionEphemeral.value(), primaryIdentity,
                                               creds.identityKey.pub, *bundle);
  ASSERT_TRUE(phoneSecret.ok()) << phoneSecret.error().describe();
  EXPECT_EQ(phoneSecret.value(), Bytes(creds.advSecret.begin(), creds.advSecret.end()));

  // A phone that used another code cannot be unwrapped into a working agreement.
  CodePairing other("15551230001", "QQQQ2222");
  auto wrong = other.onPrimaryHello(notification, "f2", creds);
  if (wrong.ok()) {
    auto secret = wasim::openLinkCodeBundle(primaryEphemeral, companionEphemeral.value(), primaryIdentity,
                                            creds.identityKey.pub, *childBytes(*wrong->child("link_code_companion_reg"),
                                                                               "link_code_pairing_wrapped_key_bundle"));
    EXPECT_FALSE(secret.ok()) << "a bundle made under the wrong code must not open";
  }
}
