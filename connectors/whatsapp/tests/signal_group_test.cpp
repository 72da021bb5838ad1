// Sender keys through sb_wasignal: distribution, skmsg out of order, duplicates, forgeries, late
// joiners, and the overlay.

#include <gtest/gtest.h>

#include <random>

#include "signal/errors.hpp"
#include "signal_test_support.hpp"

namespace wa = switchboard::whatsapp;
using wa::test::describe;
using wa::test::Party;

namespace {

constexpr const char* kGroup = "120363012345678901@g.us";

wa::SenderKeyName nameOf(const Party& p) { return {kGroup, p.address}; }

wa::Bytes distribute(Party& sender) {
  wa::SignalTransaction tx(sender.store);
  wa::SignalProtocol sp(tx);
  auto skdm = sp.senderKeyDistribution(nameOf(sender));
  EXPECT_TRUE(skdm.ok()) << describe(skdm);
  EXPECT_TRUE(tx.commit().ok());
  return skdm.ok() ? *skdm : wa::Bytes{};
}

void accept(Party& receiver, const Party& sender, const wa::Bytes& skdm) {
  wa::SignalTransaction tx(receiver.store);
  wa::SignalProtocol sp(tx);
  auto st = sp.processSenderKeyDistribution(nameOf(sender), skdm);
  ASSERT_TRUE(st.ok()) << describe(st);
  ASSERT_TRUE(tx.commit().ok());
}

wa::Bytes groupSend(Party& sender, std::string_view text) {
  wa::SignalTransaction tx(sender.store);
  wa::SignalProtocol sp(tx);
  auto m = sp.groupEncrypt(nameOf(sender), wa::asBytes(text));
  EXPECT_TRUE(m.ok()) << describe(m);
  EXPECT_TRUE(tx.commit().ok());
  return m.ok() ? *m : wa::Bytes{};
}

switchboard::sdk::Result<std::string> groupReceive(Party& receiver, const Party& sender, const wa::Bytes& skmsg) {
  wa::SignalTransaction tx(receiver.store);
  wa::SignalProtocol sp(tx);
  auto plain = sp.groupDecrypt(nameOf(sender), skmsg);
  if (!plain.ok()) {
    return plain.takeError();
  }
  auto st = tx.commit();
  if (!st.ok()) {
    return st.takeError();
  }
  return std::string(wa::asChars(*plain));
}

wa::SignalErrc errcOf(const switchboard::sdk::Error& e) {
  return wa::signalErrc(e).value_or(wa::SignalErrc::Internal);
}

}  // namespace

TEST(WaSignalGroup, DistributionThenOutOfOrderDelivery) {
  Party alice("111:1@lid");
  Party bob("222:2@lid");
  Party carol("333:0@s.whatsapp.net");
  auto skdm = distribute(alice);
  ASSERT_FALSE(skdm.empty());
  EXPECT_EQ(skdm[0], 0x33);  // version byte, as it travels in axolotlSenderKeyDistributionMessage
  accept(bob, alice, skdm);
  accept(carol, alice, skdm);
  std::vector<wa::Bytes> sent;
  for (int i = 0; i < 5; ++i) {
    sent.push_back(groupSend(alice, "g" + std::to_string(i)));
    EXPECT_EQ(sent.back()[0], 0x33);
  }
  for (int i : {0, 3, 1, 4, 2}) {
    auto got = groupReceive(bob, alice, sent[i]);
    ASSERT_TRUE(got.ok()) << i << ": " << describe(got);
    EXPECT_EQ(*got, "g" + std::to_string(i));
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(groupReceive(carol, alice, sent[i]).valueOr("?"), "g" + std::to_string(i));
  }
  // Asking again gives the same key (the state exists), not a new one.
  auto again = distribute(alice);
  EXPECT_EQ(again.size(), skdm.size());
}

TEST(WaSignalGroup, DuplicateAndForgedSkmsg) {
  Party alice("1:1@lid");
  Party bob("2:1@lid");
  accept(bob, alice, distribute(alice));
  auto m0 = groupSend(alice, "zero");
  auto m1 = groupSend(alice, "one");
  ASSERT_TRUE(groupReceive(bob, alice, m0).ok());
  auto dup = groupReceive(bob, alice, m0);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(errcOf(dup.error()), wa::SignalErrc::DuplicateMessage) << dup.error().describe();
  EXPECT_FALSE(wa::wantsRetryReceipt(dup.error()));
  // A flipped bit in the signature, in the ciphertext, and in the iteration: all refused, and
  // the sender key state does not move.
  auto before = bob.store.rows();
  for (std::size_t pos : {m1.size() - 1, m1.size() - 70, std::size_t{4}}) {
    auto forged = m1;
    forged[pos] ^= 0x01;
    auto got = groupReceive(bob, alice, forged);
    ASSERT_FALSE(got.ok()) << pos;
    EXPECT_TRUE(wa::wantsRetryReceipt(got.error())) << got.error().describe();
  }
  EXPECT_EQ(bob.store.rows(), before);
  EXPECT_EQ(groupReceive(bob, alice, m1).valueOr("?"), "one");
}

TEST(WaSignalGroup, WithoutDistributionThereIsNoSession) {
  Party alice("5:1@lid");
  Party bob("6:1@lid");
  auto m = [&] {
    distribute(alice);
    return groupSend(alice, "x");
  }();
  auto got = groupReceive(bob, alice, m);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(errcOf(got.error()), wa::SignalErrc::NoSession) << got.error().describe();
  // Encrypting with no sender key of our own is an error, not a crash.
  wa::SignalProtocol sp(bob.store);
  auto enc = sp.groupEncrypt(nameOf(bob), wa::asBytes("x"));
  EXPECT_FALSE(enc.ok());
}

TEST(WaSignalGroup, LateJoinerAndSeveralSenders) {
  Party alice("7:1@lid");
  Party bob("8:1@lid");
  Party dave("9:1@lid");
  accept(bob, alice, distribute(alice));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(groupReceive(bob, alice, groupSend(alice, "early")).ok());
  }
  // Dave joins after three messages: the SKDM he gets starts at iteration 3.
  accept(dave, alice, distribute(alice));
  auto m = groupSend(alice, "after join");
  EXPECT_EQ(groupReceive(dave, alice, m).valueOr("?"), "after join");
  EXPECT_EQ(groupReceive(bob, alice, m).valueOr("?"), "after join");
  // Bob sends too; the two sender keys in the group stay apart.
  accept(alice, bob, distribute(bob));
  accept(dave, bob, distribute(bob));
  auto fromBob = groupSend(bob, "bob here");
  EXPECT_EQ(groupReceive(alice, bob, fromBob).valueOr("?"), "bob here");
  EXPECT_EQ(groupReceive(dave, bob, fromBob).valueOr("?"), "bob here");
  // Decrypting Bob's message as if Alice sent it fails.
  EXPECT_FALSE(groupReceive(dave, alice, fromBob).ok());
  EXPECT_EQ(dave.store.size(wa::SignalTable::SenderKey), 2u);
}

TEST(WaSignalGroup, DiscardedDecryptLeavesStateAndRetrySucceeds) {
  Party alice("10:1@lid");
  Party bob("11:1@lid");
  accept(bob, alice, distribute(alice));
  auto m = groupSend(alice, "twice");
  auto before = bob.store.rows();
  {
    wa::SignalTransaction tx(bob.store);
    wa::SignalProtocol sp(tx);
    ASSERT_TRUE(sp.groupDecrypt(nameOf(alice), m).ok());
    EXPECT_FALSE(tx.empty());
  }
  EXPECT_EQ(bob.store.rows(), before);
  EXPECT_EQ(groupReceive(bob, alice, m).valueOr("?"), "twice");
}

TEST(WaSignalGroup, HostileSkdmAndSkmsgAreErrors) {
  Party alice("12:1@lid");
  Party bob("13:1@lid");
  auto skdm = distribute(alice);
  auto m = groupSend(alice, "real");
  accept(bob, alice, skdm);
  auto before = bob.store.rows();
  std::mt19937 rng(99);
  int errors = 0;
  for (int i = 0; i < 600; ++i) {
    const wa::Bytes& base = i % 2 == 0 ? skdm : m;
    wa::Bytes bad = base;
    switch (i % 3) {
      case 0:
        bad.resize(rng() % base.size());
        break;
      case 1:
        bad[rng() % bad.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        break;
      default:
        for (auto& b : bad) {
          b = static_cast<std::uint8_t>(rng());
        }
        bad[0] = 0x33;
    }
    wa::SignalTransaction tx(bob.store);
    wa::SignalProtocol sp(tx);
    if (i % 2 == 0) {
      // A mutated SKDM may still parse (a different chain key is a valid SKDM); it must not crash.
      (void)sp.processSenderKeyDistribution(nameOf(alice), bad);
    } else {
      auto got = sp.groupDecrypt(nameOf(alice), bad);
      if (!got.ok()) {
        ++errors;
        EXPECT_NE(errcOf(got.error()), wa::SignalErrc::Internal) << got.error().describe();
      }
    }
  }
  EXPECT_GE(errors, 290);
  EXPECT_EQ(bob.store.rows(), before);
  EXPECT_EQ(groupReceive(bob, alice, m).valueOr("?"), "real");
}
