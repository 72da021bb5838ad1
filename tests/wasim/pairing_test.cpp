// Pairing with the simulator from our own companion client: QR (refs, pair-success checked the way
// a client checks it, countersignature), forged countersignatures, expired refs, pairing codes.
#include "sim_harness.hpp"
#include "simulator/adv.hpp"
#include "simulator/base64.hpp"
#include "simulator/link_code.hpp"
#include "switchboard/whatsapp/wire/adv.pb.h"

namespace wasim_test {
namespace {

namespace wire = switchboard::whatsapp::wire;

std::vector<std::string> refsOf(const Node& pairDevice) {
  std::vector<std::string> refs;
  for (const auto* r : wasim::childrenNamed(*pairDevice.child("pair-device"), "ref")) {
    refs.emplace_back(wa::asChars(*r->bytes()));
  }
  return refs;
}

std::string qrText(const std::string& ref, const wasim::CompanionKeys& keys, const wa::Bytes& adv) {
  return "https://wa.me/settings/linked_devices#" + ref + "," + wasim::toBase64(keys.noise.pub) + "," +
         wasim::toBase64(keys.identity.pub) + "," + wasim::toBase64(adv) + ",1";
}

/// What a companion does with pair-success: check the HMAC and the account signature, then
/// countersign. @return the pair-device-sign answer, or nothing when a check fails.
std::optional<Node> answerPairSuccess(const Node& iq, const wasim::CompanionKeys& keys, const wa::Bytes& adv,
                                      bool forge = false) {
  const Node* ps = iq.child("pair-success");
  const Node* di = ps ? ps->child("device-identity") : nullptr;
  if (!di || !di->bytes()) {
    return std::nullopt;
  }
  wire::ADVSignedDeviceIdentityHMAC container;
  if (!container.ParseFromArray(di->bytes()->data(), static_cast<int>(di->bytes()->size()))) {
    return std::nullopt;
  }
  auto mac = wa::hmacSha256(adv, wa::asBytes(container.details()));
  if (container.hmac() != std::string(mac.begin(), mac.end())) {
    return std::nullopt;
  }
  wire::ADVSignedDeviceIdentity signedIdentity;
  signedIdentity.ParseFromString(container.details());
  wa::Bytes msg{0x06, 0x00};
  wa::append(msg, wa::asBytes(signedIdentity.details()));
  wa::append(msg, keys.identity.pub);
  wa::Key32 accountKey{};
  std::copy_n(signedIdentity.account_signature_key().begin(), 32, accountKey.begin());
  if (!wa::xeddsaVerify(accountKey, msg, wa::asBytes(signedIdentity.account_signature()))) {
    return std::nullopt;
  }
  wasim::AdvGrant grant;
  grant.details = wa::toBytes(signedIdentity.details());
  grant.accountSignature = wa::toBytes(signedIdentity.account_signature());
  auto countersigned = wasim::countersignGrant(grant, keys.identity, accountKey);
  if (forge) {
    countersigned[countersigned.size() - 5] ^= 0x40;  // inside the device signature
  }
  return Node("iq", {{"to", "@s.whatsapp.net"}, {"type", "result"}, {"id", attr(iq, "id")}},
              Node::Children{Node("pair-device-sign", {},
                                  Node::Children{Node("device-identity", {{"key-index", attr(*di, "key-index")}},
                                                      countersigned)})});
}

class WasimPairing : public SimHarness {};

TEST_F(WasimPairing, QrScanLinksTheCompanionWhichThenLogsIn) {
  ASSERT_TRUE(sim->createAccount("15550001111", "Dora").ok());
  auto keys = wasim::CompanionKeys::generate();
  auto reg = connect(keys, "", 0);
  auto pairDevice = reg->waitFor([](const Node& n) { return n.tag == "iq" && n.child("pair-device"); });
  ASSERT_TRUE(pairDevice);
  EXPECT_EQ(attr(*pairDevice, "type"), "set");
  auto refs = refsOf(*pairDevice);
  ASSERT_EQ(refs.size(), 6u);
  EXPECT_EQ(refs[0].rfind("2@", 0), 0u);

  auto pending = sim->pendingPairings();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].currentRef, refs[0]);
  EXPECT_EQ(pending[0].identityKey, keys.identity.pub);

  wa::Bytes adv(32, 7);
  // A QR code whose keys are not the connection's is refused.
  auto other = wasim::CompanionKeys::generate();
  EXPECT_FALSE(sim->scanQr("15550001111", qrText(refs[0], other, adv)).ok());
  EXPECT_FALSE(sim->scanQr("15559999999", qrText(refs[0], keys, adv)).ok());
  EXPECT_FALSE(sim->scanQr("15550001111", "not a qr code").ok());
  ASSERT_TRUE(sim->scanQr("15550001111", qrText(refs[0], keys, adv)).ok());

  auto success = reg->waitFor([](const Node& n) { return n.tag == "iq" && n.child("pair-success"); });
  ASSERT_TRUE(success);
  const Node* device = success->child("pair-success")->child("device");
  ASSERT_TRUE(device);
  EXPECT_EQ(attr(*device, "jid"), "15550001111:1@s.whatsapp.net");
  auto account = sim->account("15550001111");
  EXPECT_EQ(attr(*device, "lid"), account->lid + ":1@lid");
  auto answer = answerPairSuccess(*success, keys, adv);
  ASSERT_TRUE(answer) << "pair-success does not check out as a client checks it";
  reg->client->send(*answer);
  auto restart = reg->waitTag("stream:error");
  ASSERT_TRUE(restart);
  EXPECT_EQ(attr(*restart, "code"), "515");
  EXPECT_TRUE(reg->waitClosed());
  ASSERT_TRUE(waitEvent([](const auto& e) { return e.kind == wasim::SimEvent::Kind::Paired; }));

  auto devices = sim->devices("15550001111");
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].keyIndex, 1u);
  EXPECT_TRUE(sim->pendingPairings().empty());

  auto login = connect(keys, "15550001111", 1);
  auto ok = login->waitTag("success");
  ASSERT_TRUE(ok);
  EXPECT_EQ(attr(*ok, "lid"), account->lid + ":1@lid");
}

TEST_F(WasimPairing, AForgedCountersignatureLinksNothing) {
  ASSERT_TRUE(sim->createAccount("15550002222").ok());
  auto keys = wasim::CompanionKeys::generate();
  auto reg = connect(keys, "", 0);
  auto pairDevice = reg->waitFor([](const Node& n) { return n.tag == "iq" && n.child("pair-device"); });
  ASSERT_TRUE(pairDevice);
  wa::Bytes adv(32, 9);
  ASSERT_TRUE(sim->scanQr("15550002222", qrText(refsOf(*pairDevice)[0], keys, adv)).ok());
  auto success = reg->waitFor([](const Node& n) { return n.tag == "iq" && n.child("pair-success"); });
  ASSERT_TRUE(success);
  auto forged = answerPairSuccess(*success, keys, adv, /*forge=*/true);
  ASSERT_TRUE(forged);
  reg->client->send(*forged);
  auto err = reg->waitTag("stream:error");
  ASSERT_TRUE(err);
  EXPECT_EQ(attr(*err, "code"), "401");
  ASSERT_TRUE(waitEvent([](const auto& e) { return e.kind == wasim::SimEvent::Kind::PairingFailed; }));
  EXPECT_TRUE(sim->devices("15550002222")->empty());
  // And the keys that failed to pair cannot log in.
  auto login = connect(keys, "15550002222", 1);
  auto failure = login->waitTag("failure");
  ASSERT_TRUE(failure);
  EXPECT_EQ(attr(*failure, "reason"), "401");
}

class WasimShortRefs : public SimHarness {
 protected:
  wasim::SimulatorOptions options() override {
    auto o = SimHarness::options();
    o.qrFirstRefLifetime = 1000ms;
    o.qrNextRefLifetime = 1000ms;
    return o;
  }
};

TEST_F(WasimShortRefs, OnlyTheRefOnScreenCanBeScanned) {
  ASSERT_TRUE(sim->createAccount("15550003333").ok());
  auto keys = wasim::CompanionKeys::generate();
  auto reg = connect(keys, "", 0);
  auto pairDevice = reg->waitFor([](const Node& n) { return n.tag == "iq" && n.child("pair-device"); });
  ASSERT_TRUE(pairDevice);
  auto refs = refsOf(*pairDevice);
  wa::Bytes adv(32, 1);
  // Ref 6 is shown from second 5; a scan now is early.
  auto early = sim->scanQr("15550003333", qrText(refs[5], keys, adv));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "wasim.qr_expired");
  std::this_thread::sleep_for(3500ms);
  // Ref 1 was on screen for the first second (plus the slack for a scan in flight): gone now.
  auto late = sim->scanQr("15550003333", qrText(refs[0], keys, adv));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "wasim.qr_expired");
  auto pending = sim->pendingPairings();
  ASSERT_EQ(pending.size(), 1u);
  auto current = std::find(refs.begin(), refs.end(), pending[0].currentRef);
  ASSERT_NE(current, refs.end());
  EXPECT_GE(current - refs.begin(), 2);
  EXPECT_TRUE(sim->scanQr("15550003333", qrText(pending[0].currentRef, keys, adv)).ok());
}

TEST_F(WasimPairing, PairingCodeLinksWithTheDerivedSecret) {
  ASSERT_TRUE(sim->createAccount("15550004444").ok());
  auto keys = wasim::CompanionKeys::generate();
  auto reg = connect(keys, "", 0);
  ASSERT_TRUE(reg->waitFor([](const Node& n) { return n.tag == "iq" && n.child("pair-device"); }));

  const std::string code = "ABCD1234";
  auto ephemeral = wa::KeyPair::generate();
  Node hello("link_code_companion_reg", {{"jid", "15550004444@s.whatsapp.net"}, {"stage", "companion_hello"}},
             Node::Children{wasim::bytesNode("link_code_pairing_wrapped_companion_ephemeral_pub",
                                             wasim::wrapLinkCodeKey(code, ephemeral.pub)),
                            wasim::bytesNode("companion_server_auth_key_pub",
                                             wa::Bytes(keys.noise.pub.begin(), keys.noise.pub.end())),
                            Node("companion_platform_id", {}, std::string("1")),
                            Node("companion_platform_display", {}, std::string("Chrome (Linux)"))});
  auto reply = reg->query(Node("iq", {{"to", "@s.whatsapp.net"}, {"type", "set"}, {"xmlns", "md"}},
                               Node::Children{hello}));
  ASSERT_TRUE(reply);
  ASSERT_EQ(attr(*reply, "type"), "result");
  const wa::Bytes* ref = wasim::childBytes(*reply->child("link_code_companion_reg"), "link_code_pairing_ref");
  ASSERT_TRUE(ref);

  EXPECT_FALSE(sim->confirmPairingCode("15550004444", "ABC").ok());  // not a code
  ASSERT_TRUE(sim->confirmPairingCode("15550004444", "abcd-1234").ok());
  auto note = reg->waitFor([](const Node& n) { return n.tag == "notification"; });
  ASSERT_TRUE(note);
  const Node* body = note->child("link_code_companion_reg");
  ASSERT_TRUE(body);
  auto primaryEphemeral = wasim::unwrapLinkCodeKey(code, *wasim::childBytes(*body, "link_code_pairing_wrapped_primary_ephemeral_pub"));
  ASSERT_TRUE(primaryEphemeral.ok());
  wa::Key32 primaryIdentity{};
  const wa::Bytes* pid = wasim::childBytes(*body, "primary_identity_pub");
  ASSERT_TRUE(pid && pid->size() == 32);
  std::copy(pid->begin(), pid->end(), primaryIdentity.begin());
  EXPECT_EQ(primaryIdentity, sim->account("15550004444")->identityKey);

  auto finish = wasim::sealLinkCodeBundle(ephemeral, *primaryEphemeral, keys.identity, primaryIdentity);
  ASSERT_TRUE(finish.ok());
  Node fin("link_code_companion_reg", {{"jid", "15550004444@s.whatsapp.net"}, {"stage", "companion_finish"}},
           Node::Children{wasim::bytesNode("link_code_pairing_wrapped_key_bundle", finish->wrappedBundle),
                          wasim::bytesNode("companion_identity_public",
                                           wa::Bytes(keys.identity.pub.begin(), keys.identity.pub.end())),
                          wasim::bytesNode("link_code_pairing_ref", *ref)});
  auto finReply = reg->query(Node("iq", {{"to", "@s.whatsapp.net"}, {"type", "set"}, {"xmlns", "md"}},
                                  Node::Children{fin}));
  ASSERT_TRUE(finReply);
  EXPECT_EQ(attr(*finReply, "type"), "result");
  auto success = reg->waitFor([](const Node& n) { return n.tag == "iq" && n.child("pair-success"); });
  ASSERT_TRUE(success);
  auto answer = answerPairSuccess(*success, keys, finish->advSecret);
  ASSERT_TRUE(answer) << "pair-success is not keyed with the secret both sides derived";
  reg->client->send(*answer);
  ASSERT_TRUE(waitEvent([](const auto& e) { return e.kind == wasim::SimEvent::Kind::Paired; }));
  EXPECT_EQ(sim->devices("15550004444")->size(), 1u);
}

}  // namespace
}  // namespace wasim_test
