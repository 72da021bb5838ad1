// sb_wasignal's WhatsApp-side pieces: prekey nodes (upload, fetch reply, retry keys) through the
// binary codec and back into working sessions, hostile nodes, padding, addresses, key forms.

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "protocol/binary_node.hpp"
#include "signal/bundle_nodes.hpp"
#include "signal/errors.hpp"
#include "signal/padding.hpp"
#include "signal_test_support.hpp"

namespace wa = switchboard::whatsapp;
using wa::test::describe;
using wa::test::Party;

namespace {

// Through the wire codec and back, as a server or client would see it.
wa::Node overTheWire(const wa::Node& n) {
  auto bytes = wa::encodeNode(n, wa::TokenDictionary::v3());
  EXPECT_TRUE(bytes.ok());
  auto back = wa::decodeNode(*bytes, wa::TokenDictionary::v3());
  EXPECT_TRUE(back.ok()) << describe(back);
  return back.ok() ? *back : wa::Node{};
}

wa::Node* findChild(wa::Node& n, std::string_view tag) {
  auto* c = std::get_if<wa::Node::Children>(&n.content);
  if (c == nullptr) {
    return nullptr;
  }
  for (auto& child : *c) {
    if (child.tag == tag) {
      return &child;
    }
  }
  return nullptr;
}

}  // namespace

TEST(WaSignalNodes, UploadRoundTripAndLayout) {
  Party bob("15551230000:4@s.whatsapp.net", 0);
  wa::SignalProtocol sp(bob.store);
  auto spk = sp.loadSignedPreKey(bob.signedPreKeyId);
  ASSERT_TRUE(spk.ok());
  auto keys = sp.generatePreKeys(0xFFFFFE, 4);  // wraps past the 24-bit maximum
  ASSERT_TRUE(keys.ok());
  std::vector<std::uint32_t> ids;
  for (const auto& k : *keys) {
    ids.push_back(k.id);
  }
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{0xFFFFFE, 0xFFFFFF, 1, 2}));

  wa::PreKeyUpload upload{bob.identity.registrationId, bob.identity.identity.pub, *spk, *keys};
  wa::Node iq("iq", {{"xmlns", "encrypt"}, {"type", "set"}, {"to", "s.whatsapp.net"}, {"id", "1"}},
              wa::preKeyUploadNodes(upload));
  auto* children = iq.children();
  ASSERT_NE(children, nullptr);
  std::vector<std::string> order;
  for (const auto& c : *children) {
    order.push_back(c.tag);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"registration", "type", "identity", "list", "skey"}));
  EXPECT_EQ(*iq.child("registration")->bytes(),
            (wa::Bytes{static_cast<std::uint8_t>(upload.registrationId >> 24),
                       static_cast<std::uint8_t>(upload.registrationId >> 16),
                       static_cast<std::uint8_t>(upload.registrationId >> 8),
                       static_cast<std::uint8_t>(upload.registrationId)}));
  EXPECT_EQ(*iq.child("type")->bytes(), wa::Bytes{0x05});
  EXPECT_EQ(iq.child("identity")->bytes()->size(), 32u);
  const wa::Node* firstKey = iq.child("list")->child("key");
  ASSERT_NE(firstKey, nullptr);
  EXPECT_EQ(*firstKey->child("id")->bytes(), (wa::Bytes{0xFF, 0xFF, 0xFE}));

  auto parsed = wa::parsePreKeyUpload(overTheWire(iq));
  ASSERT_TRUE(parsed.ok()) << describe(parsed);
  EXPECT_EQ(*parsed, upload);
  EXPECT_TRUE(wa::verifySignedPreKey(parsed->identity, parsed->signedPreKey));
}

TEST(WaSignalNodes, FetchReplyBuildsWorkingSessions) {
  Party alice("15550000001:1@s.whatsapp.net");
  Party bob("15550000002:0@s.whatsapp.net");
  Party carol("15550000003:5@s.whatsapp.net");
  // Server side: a reply with Bob's bundle (with a one-time prekey and a device identity),
  // Carol's without, and an error for a third device.
  wa::Node errorUser("user", {{"jid", "15550000004:1@s.whatsapp.net"}},
                     wa::Node::Children{wa::Node("error", {{"code", "404"}, {"text", "item-not-found"}})});
  wa::Node reply("iq", {{"type", "result"}, {"from", "s.whatsapp.net"}, {"id", "7"}},
                 wa::Node::Children{wa::Node(
                     "list", {},
                     wa::Node::Children{wa::preKeyBundleNode("15550000002@s.whatsapp.net", bob.bundle(3), wa::Bytes{1, 2, 3}),
                                        wa::preKeyBundleNode("15550000003:5@s.whatsapp.net", carol.bundle(0)), errorUser})});
  auto fetched = wa::parsePreKeyBundles(overTheWire(reply));
  ASSERT_TRUE(fetched.ok()) << describe(fetched);
  ASSERT_EQ(fetched->size(), 3u);
  EXPECT_EQ((*fetched)[0].jid, "15550000002@s.whatsapp.net");
  ASSERT_TRUE((*fetched)[0].bundle.ok());
  EXPECT_EQ(*(*fetched)[0].bundle, bob.bundle(3));
  ASSERT_TRUE((*fetched)[1].bundle.ok());
  EXPECT_FALSE((*fetched)[1].bundle->preKey.has_value());
  ASSERT_FALSE((*fetched)[2].bundle.ok());
  EXPECT_NE((*fetched)[2].bundle.error().message.find("404"), std::string::npos);

  // Client side: sessions from the parsed bundles work.
  std::vector<std::pair<Party*, std::size_t>> targets{{&bob, 0}, {&carol, 1}};
  for (auto& [party, index] : targets) {
    wa::SignalProtocol sp(alice.store);
    ASSERT_TRUE(sp.processBundle(party->address, *(*fetched)[index].bundle).ok());
    auto m = alice.send(party->address, "via nodes");
    EXPECT_EQ(party->receive(alice.address, m).valueOr("?"), "via nodes");
  }
}

TEST(WaSignalNodes, RetryReceiptKeysAndWrappedKeys) {
  Party alice("20:1@s.whatsapp.net");
  Party bob("21:1@s.whatsapp.net");
  auto bundle = bob.bundle(2);
  wa::Node receipt("receipt", {{"id", "ABC"}, {"type", "retry"}},
                   wa::Node::Children{wa::Node("retry", {{"count", "2"}, {"id", "ABC"}, {"v", "1"}}),
                                      wa::registrationNode(bundle.registrationId),
                                      wa::retryKeysNode(bundle, wa::Bytes(10, 0xAA))});
  auto parsed = wa::parsePreKeyBundle(overTheWire(receipt));
  ASSERT_TRUE(parsed.ok()) << describe(parsed);
  EXPECT_EQ(*parsed, bundle);
  // whatsmeow's alternative fetch layout: <user><registration/><keys>...</keys></user>.
  wa::Node user("user", {{"jid", "21:1@s.whatsapp.net"}},
                wa::Node::Children{wa::registrationNode(bundle.registrationId), wa::retryKeysNode(bundle, std::nullopt)});
  auto wrapped = wa::parsePreKeyBundle(overTheWire(user));
  ASSERT_TRUE(wrapped.ok()) << describe(wrapped);
  EXPECT_EQ(*wrapped, bundle);
}

TEST(WaSignalNodes, HostileBundleNodesAreErrors) {
  Party bob("30:1@s.whatsapp.net");
  const wa::Node good = wa::preKeyBundleNode("30:1@s.whatsapp.net", bob.bundle(1));
  ASSERT_TRUE(wa::parsePreKeyBundle(good).ok());
  struct Case {
    std::string name;
    std::function<void(wa::Node&)> mutate;
  };
  std::vector<Case> cases{
      {"registration 3 bytes", [](wa::Node& n) { findChild(n, "registration")->content = wa::Bytes{1, 2, 3}; }},
      {"identity 33 bytes", [](wa::Node& n) { findChild(n, "identity")->content = wa::Bytes(33, 5); }},
      {"identity as text", [](wa::Node& n) { findChild(n, "identity")->content = std::string(32, 'a'); }},
      {"type 6", [](wa::Node& n) { findChild(n, "type")->content = wa::Bytes{6}; }},
      {"no skey", [](wa::Node& n) { findChild(n, "skey")->tag = "skex"; }},
      {"skey id 4 bytes", [](wa::Node& n) { findChild(*findChild(n, "skey"), "id")->content = wa::Bytes{0, 0, 0, 1}; }},
      {"signature 63 bytes",
       [](wa::Node& n) { findChild(*findChild(n, "skey"), "signature")->content = wa::Bytes(63, 1); }},
      {"skey without children", [](wa::Node& n) { findChild(n, "skey")->content = wa::Bytes{1}; }},
      {"key value 31 bytes", [](wa::Node& n) { findChild(*findChild(n, "key"), "value")->content = wa::Bytes(31, 1); }},
      {"key without id", [](wa::Node& n) { findChild(*findChild(n, "key"), "id")->tag = "di"; }},
      {"no children", [](wa::Node& n) { n.content = std::monostate{}; }},
  };
  for (const auto& c : cases) {
    wa::Node n = good;
    c.mutate(n);
    auto parsed = wa::parsePreKeyBundle(n);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(wa::signalErrc(parsed.error()), wa::SignalErrc::InvalidMessage) << c.name;
  }
  EXPECT_FALSE(wa::parsePreKeyBundles(wa::Node("iq")).ok());
  EXPECT_FALSE(wa::parsePreKeyUpload(wa::Node("iq")).ok());
  // A bundle whose keys parse but whose identity is not a usable point is refused by the
  // session builder, not crashed on (0xFF..FF is not reduced mod p).
  auto bundle = bob.bundle(1);
  bundle.identity.fill(0xFF);
  Party alice("31:1@s.whatsapp.net");
  wa::SignalProtocol sp(alice.store);
  auto st = sp.processBundle(bob.address, bundle);
  EXPECT_FALSE(st.ok());
}

TEST(WaSignalPadding, PadsOneToFifteenAndUnpadsStrictly) {
  std::set<std::size_t> seen;
  wa::Bytes msg{1, 2, 3};
  for (int i = 0; i < 2000; ++i) {
    auto padded = wa::padMessage(msg);
    std::size_t n = padded.size() - msg.size();
    ASSERT_GE(n, 1u);
    ASSERT_LE(n, 15u);
    seen.insert(n);
    auto back = wa::unpadMessage(padded);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, msg);
  }
  EXPECT_EQ(seen.size(), 15u);
  // Baileys pads up to 16.
  wa::Bytes sixteen(msg);
  sixteen.insert(sixteen.end(), 16, 16);
  EXPECT_EQ(wa::unpadMessage(sixteen).valueOr({}), msg);
  // The whole plaintext may be padding.
  EXPECT_EQ(wa::unpadMessage(wa::Bytes{2, 2}).valueOr({9}), wa::Bytes{});
  for (const auto& bad : {wa::Bytes{}, wa::Bytes{1, 2, 0}, wa::Bytes{1, 4, 3, 3}, wa::Bytes{3, 3}, wa::Bytes{9, 2, 3}}) {
    auto r = wa::unpadMessage(bad);
    ASSERT_FALSE(r.ok()) << wa::toHex(bad);
    EXPECT_EQ(wa::signalErrc(r.error()), wa::SignalErrc::InvalidPadding);
    EXPECT_TRUE(wa::wantsRetryReceipt(r.error()));
  }
}

TEST(WaSignalAddress, FromJidFollowsTheClients) {
  auto a = [](std::string_view jid) {
    auto r = wa::SignalAddress::fromJid(jid);
    EXPECT_TRUE(r.ok()) << jid;
    return r.ok() ? r->toString() : std::string("?");
  };
  EXPECT_EQ(a("15551234567:3@s.whatsapp.net"), "15551234567.3");
  EXPECT_EQ(a("15551234567@s.whatsapp.net"), "15551234567.0");
  EXPECT_EQ(a("987654321:3@lid"), "987654321_1.3");
  EXPECT_EQ(a("987654321@lid"), "987654321_1.0");
  EXPECT_EQ(a("555:2@hosted"), "555_128.2");
  EXPECT_EQ(a("555:2@hosted.lid"), "555_129.2");
  EXPECT_FALSE(wa::SignalAddress::fromJid("not a jid").ok());
  EXPECT_FALSE(wa::SignalAddress::fromJid("@s.whatsapp.net").ok());
  wa::SenderKeyName n{"120363000000000001@g.us", *wa::SignalAddress::fromJid("987654321:3@lid")};
  EXPECT_EQ(n.toString(), "120363000000000001@g.us::987654321_1.3");
}

TEST(WaSignalKeys, FormsAndIdentityRecord) {
  auto id = wa::LocalIdentity::generate();
  EXPECT_GE(id.registrationId, 1u);
  EXPECT_LE(id.registrationId, 16380u);
  auto parsed = wa::LocalIdentity::parse(id.serialize());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, id);
  EXPECT_FALSE(wa::LocalIdentity::parse(wa::Bytes(68, 1)).ok());
  auto k33 = wa::toSignalKey(id.identity.pub);
  EXPECT_EQ(k33[0], 0x05);
  EXPECT_EQ(wa::fromSignalKey(k33).valueOr({}), id.identity.pub);
  k33[0] = 0x06;
  EXPECT_FALSE(wa::fromSignalKey(k33).ok());
  EXPECT_FALSE(wa::fromSignalKey(wa::ByteView(id.identity.pub)).ok());
  EXPECT_EQ(wa::nextPreKeyId(1), 2u);
  EXPECT_EQ(wa::nextPreKeyId(0xFFFFFF), 1u);
  // Operations that need our identity say so when it is missing.
  wa::MemorySignalStore empty;
  wa::SignalProtocol sp(empty);
  auto spk = sp.generateSignedPreKey(1);
  ASSERT_FALSE(spk.ok());
  EXPECT_EQ(wa::signalErrc(spk.error()), wa::SignalErrc::Store);
  EXPECT_FALSE(sp.generatePreKeys(0, 1).ok());
  EXPECT_FALSE(sp.loadSignedPreKey(9).ok());
  EXPECT_FALSE(sp.loadPreKey(9).valueOr(wa::PreKeyPublic{}).has_value());
}
