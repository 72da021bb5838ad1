#include <gtest/gtest.h>

#include <random>

#include "protocol/binary_node.hpp"
#include "protocol/jid.hpp"

namespace wa = switchboard::whatsapp;

namespace {

const wa::TokenDictionary& v3 = wa::TokenDictionary::v3();

wa::Bytes hex(std::string_view h) {
  wa::Bytes out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

wa::Node roundTrip(const wa::Node& n, const wa::TokenDictionary& dict = v3) {
  auto bytes = wa::encodeNode(n, dict);
  EXPECT_TRUE(bytes.ok());
  auto back = wa::decodeNode(*bytes, dict);
  EXPECT_TRUE(back.ok()) << back.error().describe();
  return back.ok() ? *back : wa::Node{};
}

}  // namespace

TEST(WaJid, ParsesAndPrintsEveryForm) {
  for (std::string_view text : {"123@s.whatsapp.net", "123:4@s.whatsapp.net", "123-456@g.us", "99:2@lid", "99@lid",
                                "status@broadcast", "@s.whatsapp.net", "5:7@hosted", "5:7@hosted.lid",
                                "12_5:3@s.whatsapp.net", "u:300@msgr", "7-u:3@interop"}) {
    auto j = wa::Jid::parse(text);
    ASSERT_TRUE(j) << text;
    EXPECT_EQ(j->toString(), text);
  }
  EXPECT_FALSE(wa::Jid::parse("no-at-sign"));
  EXPECT_FALSE(wa::Jid::parse("1:x@s.whatsapp.net"));
  EXPECT_FALSE(wa::Jid::parse("1:256@s.whatsapp.net"));  // AD devices are one byte
  EXPECT_FALSE(wa::Jid::parse("1:01@s.whatsapp.net"));   // would not survive the number round trip
  auto lid = wa::Jid::parse("99:2@lid");
  EXPECT_EQ(lid->domainType(), static_cast<std::uint8_t>(wa::JidDomain::Lid));
}

TEST(WaCodec, KnownEncodings) {
  // <iq id="12345" type="get"/>: list of 5, then tokens; "12345" is nibble-packed (odd: 0x80 | 3 bytes).
  wa::Node iq("iq", {{"id", "12345"}, {"type", "get"}});
  auto bytes = wa::encodeNode(iq, v3);
  ASSERT_TRUE(bytes.ok());
  auto idx = [](std::string_view s) { return v3.find(s)->index; };
  wa::Bytes want{248, 5, idx("iq"), idx("id"), 255, 0x83, 0x12, 0x34, 0x5F, idx("type"), idx("get")};
  EXPECT_EQ(*bytes, want);

  // An AD JID, a JID pair with no user, a hex string and binary content.
  wa::Node n("message", {{"to", "123:4@lid"}, {"from", "@s.whatsapp.net"}, {"x", "ABC"}}, wa::Bytes{1, 2, 3});
  bytes = wa::encodeNode(n, v3);
  ASSERT_TRUE(bytes.ok());
  auto back = wa::decodeNode(*bytes, v3);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, n);
  std::string h = wa::toHex(*bytes);
  EXPECT_NE(h.find("f70104ff82123f"), std::string::npos) << h;  // AD_JID lid, device 4, nibble "123"
  EXPECT_NE(h.find("fa00"), std::string::npos) << h;            // JID_PAIR, LIST_EMPTY user
  EXPECT_NE(h.find("fb82abcf"), std::string::npos) << h;        // HEX_8 "ABC"
}

TEST(WaCodec, LengthClassesAndLists) {
  for (std::size_t len : {0u, 1u, 255u, 256u, (1u << 20) - 1, 1u << 20}) {
    wa::Node n("enc", {}, wa::Bytes(len, 0xAB));
    auto bytes = wa::encodeNode(n, v3);
    ASSERT_TRUE(bytes.ok());
    std::uint8_t expectTag = len < 256 ? wa::tags::kBinary8 : len < (1u << 20) ? wa::tags::kBinary20 : wa::tags::kBinary32;
    EXPECT_EQ((*bytes)[bytes->size() - len - (len < 256 ? 2 : len < (1u << 20) ? 4 : 5)], expectTag) << len;
    EXPECT_EQ(roundTrip(n), n);
  }
  for (std::size_t count : {0u, 1u, 255u, 256u, 1000u}) {
    wa::Node::Children kids(count, wa::Node("item"));
    wa::Node n("list", {}, kids);
    EXPECT_EQ(roundTrip(n), n) << count;
  }
  // Packed strings up to 127 characters; 128 goes raw.
  for (std::size_t len : {1u, 2u, 127u, 128u}) {
    wa::Node n("x", {{"n", std::string(len, '7')}, {"h", std::string(len, 'E')}});
    EXPECT_EQ(roundTrip(n), n);
  }
  EXPECT_FALSE(wa::encodeNode(wa::Node("x", {}, wa::Node::Children(70000, wa::Node("y"))), v3).ok());
}

TEST(WaCodec, BothDictionaries) {
  // "signature" is single-byte token 3 in dictionary 2 and a different token in 3.
  wa::Node n("signature", {{"type", "pkmsg"}});
  auto b2 = wa::encodeNode(n, wa::TokenDictionary::v2());
  auto b3 = wa::encodeNode(n, v3);
  ASSERT_TRUE(b2.ok() && b3.ok());
  EXPECT_NE(*b2, *b3);
  EXPECT_EQ(roundTrip(n, wa::TokenDictionary::v2()), n);
  EXPECT_EQ(roundTrip(n, v3), n);
}

TEST(WaCodec, CompressedFrame) {
  // zlib stream of b"\xf8\x01\x19" (<iq/> in dictionary 3), made with Python's zlib.compress.
  wa::Node iq("iq");
  auto plain = wa::encodeNode(iq, v3);
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(*plain, (wa::Bytes{248, 1, v3.find("iq")->index}));
  wa::Bytes frame = hex("02789cfbc128090003060113");
  auto n = wa::decodeFramePayload(frame, v3);
  ASSERT_TRUE(n.ok()) << n.error().describe();
  EXPECT_EQ(n->tag, "iq");
  // A bomb is refused at the limit instead of being inflated.
  wa::DecodeLimits tight;
  tight.maxInflatedSize = 2;
  EXPECT_FALSE(wa::decodeFramePayload(frame, v3, tight).ok());
  EXPECT_FALSE(wa::decodeFramePayload(hex("02789c"), v3).ok());
  EXPECT_FALSE(wa::decodeFramePayload({}, v3).ok());
}

TEST(WaCodec, HostileInputIsAnErrorValue) {
  // Truncations and lengths that point past the end.
  for (std::string_view h : {"", "f8", "f805", "f80219fc", "f80219fcff00", "f80219fdffffff", "f80219feffffffff",
                             "f9ffff19", "f802f0", "f802ec", "f80219ff85", "f80219f8ff", "f80219fa0000", "f80319fa00",
                             "f80219f7", "f80219fafafa0303", "f800", "00", "f80300"}) {
    auto n = wa::decodeNode(hex(h), v3);
    EXPECT_FALSE(n.ok()) << h;
  }
  // Deep nesting stops at the depth limit, not at the stack's end.
  wa::Bytes deep;
  for (int i = 0; i < 10000; ++i) {
    deep.insert(deep.end(), {248, 2, 25, 248, 1});
  }
  EXPECT_FALSE(wa::decodeNode(deep, v3).ok());
  // A list that claims 65535 children in a few bytes is refused before anything is reserved.
  EXPECT_FALSE(wa::decodeNode(hex("f80219f9ffff"), v3).ok());
  // Many tiny children: refused at the element limit instead of costing ~30x their size in memory.
  wa::Bytes wide{248, 2, 25, 249, 0xFF, 0xFF};
  for (int i = 0; i < 0xFFFF; ++i) {
    wide.insert(wide.end(), {248, 1, 25});
  }
  EXPECT_TRUE(wa::decodeNode(wide, v3).ok());
  wa::DecodeLimits few;
  few.maxElements = 1000;
  auto limited = wa::decodeNode(wide, v3, few);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, "wa.codec.too_many");
  // Trailing bytes after the node are an error.
  EXPECT_FALSE(wa::decodeNode(hex("f8011900"), v3).ok());
}

TEST(WaCodec, RandomMutationsNeverCrash) {
  std::mt19937 rng(42);
  wa::Node base("message", {{"to", "123:4@s.whatsapp.net"}, {"id", "3EB0ABCDEF"}, {"type", "text"}},
                wa::Node::Children{wa::Node("enc", {{"v", "2"}, {"type", "pkmsg"}}, wa::Bytes(300, 7)),
                                   wa::Node("participants", {}, wa::Node::Children{wa::Node("to", {{"jid", "1@lid"}})})});
  auto good = wa::encodeNode(base, v3);
  ASSERT_TRUE(good.ok());
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    wa::Bytes b = *good;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 3) {
        case 0: b[rng() % b.size()] = static_cast<std::uint8_t>(rng()); break;
        case 1: b.resize(rng() % b.size()); break;
        default: b.insert(b.begin() + static_cast<long>(rng() % (b.size() + 1)), static_cast<std::uint8_t>(rng())); break;
      }
      if (b.empty()) {
        break;
      }
    }
    decoded += wa::decodeNode(b, v3).ok();
  }
  // Most mutations break the structure; some land in content and still decode.
  EXPECT_GT(decoded, 0);
  EXPECT_LT(decoded, 20000);
}
