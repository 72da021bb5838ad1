// Pairwise Signal sessions through sb_wasignal: X3DH from WhatsApp-form bundles both ways,
// ratchet rounds with reordering, duplicates, the write-set overlay (discard and commit), trust,
// store failures and hostile ciphertexts.

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "signal/errors.hpp"
#include "signal_test_support.hpp"

namespace wa = switchboard::whatsapp;
using wa::test::describe;
using wa::test::Party;

namespace {

wa::SignalErrc errcOf(const switchboard::sdk::Error& e) {
  auto errc = wa::signalErrc(e);
  EXPECT_TRUE(errc.has_value()) << e.describe();
  return errc.value_or(wa::SignalErrc::Internal);
}

// Alice starts a session from Bob's bundle and sends; Bob answers; each side then decrypts.
void establish(Party& alice, Party& bob, std::uint32_t bobPreKey = 1) {
  {
    wa::SignalProtocol sp(alice.store);
    ASSERT_TRUE(sp.processBundle(bob.address, bob.bundle(bobPreKey)).ok());
  }
  auto first = alice.send(bob.address, "hello bob");
  ASSERT_EQ(first.type, wa::CipherType::PkMsg);
  auto got = bob.receive(alice.address, first);
  ASSERT_TRUE(got.ok()) << describe(got);
  EXPECT_EQ(*got, "hello bob");
  auto reply = bob.send(alice.address, "hello alice");
  EXPECT_EQ(reply.type, wa::CipherType::Msg);
  auto back = alice.receive(bob.address, reply);
  ASSERT_TRUE(back.ok()) << describe(back);
  EXPECT_EQ(*back, "hello alice");
}

}  // namespace

TEST(WaSignalSession, X3dhFromBundleBothWays) {
  Party alice("15550001111:2@s.whatsapp.net");
  Party bob("987654321:3@lid");
  EXPECT_EQ(bob.address.name, "987654321_1");
  establish(alice, bob);
  // After the answer, Alice's messages are plain `msg`s.
  auto next = alice.send(bob.address, "second");
  EXPECT_EQ(next.type, wa::CipherType::Msg);
  EXPECT_EQ(bob.receive(alice.address, next).valueOr("?"), "second");
  // Bob's one-time prekey 1 is used up; the others stay.
  EXPECT_FALSE(bob.store.get(wa::SignalTable::PreKey, "1")->has_value());
  EXPECT_TRUE(bob.store.get(wa::SignalTable::PreKey, "2")->has_value());

  // The other direction, Bob starting from Alice's bundle (a fresh pair of devices).
  Party carol("15550002222@s.whatsapp.net");
  Party dave("15550003333:7@s.whatsapp.net");
  establish(dave, carol, 3);
}

TEST(WaSignalSession, BundleWithoutOneTimePreKeyAndLargeRegistrationId) {
  Party alice("111:1@s.whatsapp.net");
  Party bob("222:1@s.whatsapp.net");
  // whatsmeow registration ids span the whole uint32 range.
  bob.identity.registrationId = 4000000000u;
  ASSERT_TRUE(wa::saveLocalIdentity(bob.store, bob.identity).ok());
  auto bundle = bob.bundle(0);
  EXPECT_EQ(bundle.registrationId, 4000000000u);
  EXPECT_FALSE(bundle.preKey.has_value());
  wa::SignalProtocol sp(alice.store);
  ASSERT_TRUE(sp.processBundle(bob.address, bundle).ok());
  auto m = alice.send(bob.address, "no opk");
  EXPECT_EQ(m.type, wa::CipherType::PkMsg);
  EXPECT_EQ(bob.receive(alice.address, m).valueOr("?"), "no opk");
  EXPECT_EQ(bob.store.size(wa::SignalTable::PreKey), 5u);  // nothing consumed
}

TEST(WaSignalSession, OutOfOrderAcrossRatchetSteps) {
  Party alice("100:1@s.whatsapp.net");
  Party bob("200:1@s.whatsapp.net");
  {
    wa::SignalProtocol sp(alice.store);
    ASSERT_TRUE(sp.processBundle(bob.address, bob.bundle(2)).ok());
  }
  // Three pkmsgs before any answer, delivered 2, 1, 3.
  std::vector<wa::CipherMessage> pk;
  for (int i = 0; i < 3; ++i) {
    pk.push_back(alice.send(bob.address, "pk" + std::to_string(i)));
    EXPECT_EQ(pk.back().type, wa::CipherType::PkMsg);
  }
  for (int i : {1, 0, 2}) {
    auto got = bob.receive(alice.address, pk[i]);
    ASSERT_TRUE(got.ok()) << i << ": " << describe(got);
    EXPECT_EQ(*got, "pk" + std::to_string(i));
  }
  // Rounds of bursts; each burst delivered in a shuffled order, one message of each burst held
  // back and delivered after the next ratchet step.
  std::mt19937 rng(7);
  std::optional<std::pair<wa::CipherMessage, std::string>> heldForBob;
  for (int round = 0; round < 6; ++round) {
    Party& from = round % 2 == 0 ? bob : alice;
    Party& to = round % 2 == 0 ? alice : bob;
    std::vector<std::pair<wa::CipherMessage, std::string>> burst;
    for (int i = 0; i < 4; ++i) {
      std::string text = "r" + std::to_string(round) + "m" + std::to_string(i);
      burst.emplace_back(from.send(to.address, text), text);
    }
    std::shuffle(burst.begin(), burst.end(), rng);
    auto late = burst.back();
    burst.pop_back();
    for (auto& [m, text] : burst) {
      auto got = to.receive(from.address, m);
      ASSERT_TRUE(got.ok()) << text << ": " << describe(got);
      EXPECT_EQ(*got, text);
    }
    if (&to == &bob && heldForBob) {
      // A message from an older receiving chain, after the chain moved on.
      auto got = bob.receive(alice.address, heldForBob->first);
      ASSERT_TRUE(got.ok()) << describe(got);
      EXPECT_EQ(*got, heldForBob->second);
      heldForBob.reset();
    }
    if (&to == &bob) {
      heldForBob = late;
    } else {
      auto got = to.receive(from.address, late.first);
      ASSERT_TRUE(got.ok()) << describe(got);
      EXPECT_EQ(*got, late.second);
    }
  }
}

TEST(WaSignalSession, DuplicateIsRefusedAsDuplicate) {
  Party alice("1:1@s.whatsapp.net");
  Party bob("2:1@s.whatsapp.net");
  establish(alice, bob);
  auto m = alice.send(bob.address, "once");
  ASSERT_TRUE(bob.receive(alice.address, m).ok());
  auto again = bob.receive(alice.address, m);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(errcOf(again.error()), wa::SignalErrc::DuplicateMessage) << again.error().describe();
  EXPECT_FALSE(wa::wantsRetryReceipt(again.error()));

  // A pkmsg replayed after the session was established is a duplicate as well.
  Party carol("3:1@s.whatsapp.net");
  Party dan("4:1@s.whatsapp.net");
  {
    wa::SignalProtocol sp(carol.store);
    ASSERT_TRUE(sp.processBundle(dan.address, dan.bundle(1)).ok());
  }
  auto pk = carol.send(dan.address, "first");
  ASSERT_TRUE(dan.receive(carol.address, pk).ok());
  auto replay = dan.receive(carol.address, pk);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(errcOf(replay.error()), wa::SignalErrc::DuplicateMessage) << replay.error().describe();
}

TEST(WaSignalSession, OverlayDiscardLeavesStoreUnchangedAndCommitPersists) {
  Party alice("10:1@s.whatsapp.net");
  Party bob("20:1@s.whatsapp.net");
  {
    wa::SignalProtocol sp(alice.store);
    ASSERT_TRUE(sp.processBundle(bob.address, bob.bundle(4)).ok());
  }
  auto pk = alice.send(bob.address, "keep me");
  auto before = bob.store.rows();
  {
    // Decrypt, then fail to commit (the caller's SQL transaction rolled back): discard.
    wa::SignalTransaction tx(bob.store);
    wa::SignalProtocol sp(tx);
    auto plain = sp.decrypt(alice.address, pk.type, pk.data);
    ASSERT_TRUE(plain.ok()) << describe(plain);
    auto changes = tx.changes();
    // Session, the peer's identity, and the used one-time prekey's removal.
    bool sawSession = false;
    bool sawIdentity = false;
    bool sawPreKeyRemoval = false;
    for (const auto& c : changes) {
      sawSession |= c.table == wa::SignalTable::Session && c.key == alice.address.toString() && !c.isRemove();
      sawIdentity |= c.table == wa::SignalTable::Identity && c.key == alice.address.toString() && !c.isRemove();
      sawPreKeyRemoval |= c.table == wa::SignalTable::PreKey && c.key == "4" && c.isRemove();
    }
    EXPECT_TRUE(sawSession);
    EXPECT_TRUE(sawIdentity);
    EXPECT_TRUE(sawPreKeyRemoval);
    // Inside the transaction the prekey is gone, outside it is not.
    EXPECT_FALSE(tx.get(wa::SignalTable::PreKey, "4")->has_value());
    EXPECT_TRUE(bob.store.get(wa::SignalTable::PreKey, "4")->has_value());
    auto keys = tx.keys(wa::SignalTable::PreKey, "");
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(std::count(keys->begin(), keys->end(), "4"), 0);
    tx.discard();
    EXPECT_TRUE(tx.empty());
  }
  EXPECT_EQ(bob.store.rows(), before);
  // The same ciphertext decrypts again, and this time the changes are committed.
  {
    wa::SignalTransaction tx(bob.store);
    wa::SignalProtocol sp(tx);
    auto plain = sp.decrypt(alice.address, pk.type, pk.data);
    ASSERT_TRUE(plain.ok()) << describe(plain);
    EXPECT_EQ(std::string(wa::asChars(*plain)), "keep me");
    auto changes = tx.changes();
    // The caller's own commit path: apply the change list to (a copy of) the store.
    wa::MemorySignalStore copy = bob.store;
    ASSERT_TRUE(wa::applySignalChanges(copy, changes).ok());
    ASSERT_TRUE(tx.commit().ok());
    EXPECT_EQ(copy.rows(), bob.store.rows());
  }
  EXPECT_NE(bob.store.rows(), before);
  EXPECT_FALSE(bob.store.get(wa::SignalTable::PreKey, "4")->has_value());
  EXPECT_TRUE(bob.store.get(wa::SignalTable::Session, alice.address.toString())->has_value());
  // Committed: the same ciphertext is now a duplicate, and the session carries on.
  auto dup = bob.receive(alice.address, pk);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(errcOf(dup.error()), wa::SignalErrc::DuplicateMessage);
  auto reply = bob.send(alice.address, "got it");
  EXPECT_EQ(alice.receive(bob.address, reply).valueOr("?"), "got it");
}

TEST(WaSignalSession, RemoveAllSessionsOfOneName) {
  Party alice("12:1@s.whatsapp.net");
  Party bob1("22:1@s.whatsapp.net");
  Party bob2("22:2@s.whatsapp.net");
  Party other("220:1@s.whatsapp.net");  // its name starts with bob's
  establish(alice, bob1);
  establish(alice, bob2);
  establish(alice, other);
  wa::SignalTransaction tx(alice.store);
  auto removed = wa::removeAllSessions(tx, "22");
  ASSERT_TRUE(removed.ok()) << describe(removed);
  EXPECT_EQ(*removed, 2u);
  wa::SignalProtocol sp(tx);
  EXPECT_FALSE(sp.hasSession(bob1.address).valueOr(true));
  EXPECT_FALSE(sp.hasSession(bob2.address).valueOr(true));
  EXPECT_TRUE(sp.hasSession(other.address).valueOr(false));
  EXPECT_TRUE(wa::SignalProtocol(alice.store).hasSession(bob1.address).valueOr(false));  // not committed yet
}

TEST(WaSignalSession, EncryptDiscardedLeavesStoreUnchanged) {
  Party alice("11:1@s.whatsapp.net");
  Party bob("21:1@s.whatsapp.net");
  establish(alice, bob);
  auto before = alice.store.rows();
  {
    wa::SignalTransaction tx(alice.store);
    wa::SignalProtocol sp(tx);
    ASSERT_TRUE(sp.encrypt(bob.address, wa::asBytes("dropped")).ok());
    EXPECT_FALSE(tx.empty());
  }
  EXPECT_EQ(alice.store.rows(), before);
}

TEST(WaSignalSession, NoSessionErrors) {
  Party alice("30:1@s.whatsapp.net");
  Party bob("40:1@s.whatsapp.net");
  wa::SignalProtocol sp(alice.store);
  auto has = sp.hasSession(bob.address);
  ASSERT_TRUE(has.ok());
  EXPECT_FALSE(*has);
  auto enc = sp.encrypt(bob.address, wa::asBytes("x"));
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(errcOf(enc.error()), wa::SignalErrc::NoSession);
}

TEST(WaSignalSession, MsgWithoutSessionIsNoSession) {
  Party alice("31:1@s.whatsapp.net");
  Party bob("41:1@s.whatsapp.net");
  Party eve("51:1@s.whatsapp.net");
  establish(alice, bob);
  auto m = alice.send(bob.address, "for bob");
  ASSERT_EQ(m.type, wa::CipherType::Msg);
  auto got = eve.receive(alice.address, m);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(errcOf(got.error()), wa::SignalErrc::NoSession) << got.error().describe();
  EXPECT_TRUE(wa::wantsRetryReceipt(got.error()));
}

TEST(WaSignalSession, ForgedSignedPreKeySignatureIsRefused) {
  Party alice("60:1@s.whatsapp.net");
  Party bob("70:1@s.whatsapp.net");
  auto bundle = bob.bundle(1);
  EXPECT_TRUE(wa::verifySignedPreKey(bundle.identity, bundle.signedPreKey));
  bundle.signedPreKey.signature[10] ^= 0x01;
  EXPECT_FALSE(wa::verifySignedPreKey(bundle.identity, bundle.signedPreKey));
  wa::SignalTransaction tx(alice.store);
  wa::SignalProtocol sp(tx);
  auto st = sp.processBundle(bob.address, bundle);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(errcOf(st.error()), wa::SignalErrc::InvalidKey) << st.error().describe();
  EXPECT_TRUE(tx.empty());
}

TEST(WaSignalSession, UnknownPreKeyIdIsInvalidKeyId) {
  Party alice("61:1@s.whatsapp.net");
  Party bob("71:1@s.whatsapp.net");
  auto bundle = bob.bundle(2);
  ASSERT_TRUE(bob.store.remove(wa::SignalTable::PreKey, "2").ok());  // used up meanwhile
  {
    wa::SignalProtocol sp(alice.store);
    ASSERT_TRUE(sp.processBundle(bob.address, bundle).ok());
  }
  auto m = alice.send(bob.address, "x");
  auto got = bob.receive(alice.address, m);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(errcOf(got.error()), wa::SignalErrc::InvalidKeyId) << got.error().describe();
  EXPECT_TRUE(wa::wantsRetryReceipt(got.error()));
}

TEST(WaSignalSession, ReinstalledPeerIsTrustedAndReported) {
  Party alice("80:1@s.whatsapp.net");
  Party bob("90:1@s.whatsapp.net");
  establish(alice, bob);
  // Bob reinstalls: same address, new identity, new keys. He starts a new session to Alice.
  Party bob2("90:1@s.whatsapp.net");
  {
    wa::SignalProtocol sp(bob2.store);
    ASSERT_TRUE(sp.processBundle(alice.address, alice.bundle(2)).ok());
  }
  auto m = bob2.send(alice.address, "new phone");
  wa::SignalTransaction tx(alice.store);
  wa::SignalProtocol sp(tx);
  auto plain = sp.decrypt(bob.address, m.type, m.data);
  ASSERT_TRUE(plain.ok()) << describe(plain);
  ASSERT_EQ(sp.replacedIdentities().size(), 1u);
  EXPECT_EQ(sp.replacedIdentities()[0], bob.address);
  ASSERT_TRUE(tx.commit().ok());
  auto stored = alice.store.get(wa::SignalTable::Identity, bob.address.toString());
  ASSERT_TRUE(stored.ok() && stored->has_value());
  auto expected = wa::toSignalKey(bob2.identity.identity.pub);
  EXPECT_EQ(**stored, wa::Bytes(expected.begin(), expected.end()));
  // And the answer reaches the new device.
  auto reply = alice.send(bob.address, "welcome back");
  EXPECT_EQ(bob2.receive(alice.address, reply).valueOr("?"), "welcome back");
}

namespace {

// A store that fails on demand, as a database that went away.
class FlakyStore final : public wa::SignalStore {
 public:
  explicit FlakyStore(wa::SignalStore& inner) : inner_(inner) {}
  bool failGets = false;
  switchboard::sdk::Result<std::optional<wa::Bytes>> get(wa::SignalTable t, std::string_view k) override {
    if (failGets && t == wa::SignalTable::Session) {
      return switchboard::sdk::Error::retriable("storage.unavailable", "database is locked");
    }
    return inner_.get(t, k);
  }
  switchboard::sdk::Status put(wa::SignalTable t, std::string_view k, wa::ByteView v) override { return inner_.put(t, k, v); }
  switchboard::sdk::Status remove(wa::SignalTable t, std::string_view k) override { return inner_.remove(t, k); }
  switchboard::sdk::Result<std::vector<std::string>> keys(wa::SignalTable t, std::string_view p) override {
    return inner_.keys(t, p);
  }

 private:
  wa::SignalStore& inner_;
};

}  // namespace

TEST(WaSignalSession, StoreFailureIsReportedAsStoreAndKeepsItsClass) {
  Party alice("81:1@s.whatsapp.net");
  Party bob("91:1@s.whatsapp.net");
  establish(alice, bob);
  auto m = alice.send(bob.address, "later");
  FlakyStore flaky(bob.store);
  flaky.failGets = true;
  {
    wa::SignalTransaction tx(flaky);
    wa::SignalProtocol sp(tx);
    auto got = sp.decrypt(alice.address, m.type, m.data);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(errcOf(got.error()), wa::SignalErrc::Store) << got.error().describe();
    EXPECT_TRUE(got.error().isRetriable());
    EXPECT_NE(got.error().message.find("database is locked"), std::string::npos);
    EXPECT_FALSE(wa::wantsRetryReceipt(got.error()));
    auto enc = sp.encrypt(alice.address, wa::asBytes("x"));
    ASSERT_FALSE(enc.ok());
    EXPECT_EQ(errcOf(enc.error()), wa::SignalErrc::Store);
  }
  // The database is back: the message decrypts.
  EXPECT_EQ(bob.receive(alice.address, m).valueOr("?"), "later");
}

TEST(WaSignalSession, HostileCiphertextsAreErrorsAndChangeNothing) {
  Party alice("82:1@s.whatsapp.net");
  Party bob("92:1@s.whatsapp.net");
  {
    wa::SignalProtocol sp(alice.store);
    ASSERT_TRUE(sp.processBundle(bob.address, bob.bundle(1)).ok());
  }
  auto pk = alice.send(bob.address, "pk");
  auto msgs = std::vector<wa::CipherMessage>{pk};
  ASSERT_TRUE(bob.receive(alice.address, pk).ok());
  auto reply = bob.send(alice.address, "r");
  ASSERT_TRUE(alice.receive(bob.address, reply).ok());
  auto msg = alice.send(bob.address, "m");
  ASSERT_EQ(msg.type, wa::CipherType::Msg);
  auto pk2 = Party("83:1@s.whatsapp.net");
  {
    wa::SignalProtocol sp(pk2.store);
    ASSERT_TRUE(sp.processBundle(bob.address, bob.bundle(2)).ok());
  }
  auto freshPk = pk2.send(bob.address, "pk2");

  auto before = bob.store.rows();
  std::mt19937 rng(1234);
  int errors = 0;
  auto attempt = [&](wa::CipherType type, const wa::Bytes& data) {
    wa::SignalTransaction tx(bob.store);
    wa::SignalProtocol sp(tx);
    auto got = sp.decrypt(alice.address, type, data);
    if (!got.ok()) {
      ++errors;
      EXPECT_TRUE(wa::signalErrc(got.error()).has_value()) << got.error().describe();
      EXPECT_NE(wa::signalErrc(got.error()), wa::SignalErrc::Internal) << got.error().describe();
    }
  };
  for (const auto& [type, base] : {std::pair{wa::CipherType::Msg, msg.data}, std::pair{wa::CipherType::PkMsg, freshPk.data}}) {
    for (std::size_t len = 0; len < base.size(); len += 1 + len / 8) {  // truncations
      attempt(type, wa::Bytes(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(len)));
    }
    for (int i = 0; i < 300; ++i) {  // bit flips
      auto bad = base;
      bad[rng() % bad.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      attempt(type, bad);
    }
    for (int i = 0; i < 100; ++i) {  // random garbage, also with a valid version byte
      wa::Bytes junk(rng() % 200);
      for (auto& b : junk) {
        b = static_cast<std::uint8_t>(rng());
      }
      if (!junk.empty() && i % 2 == 0) {
        junk[0] = 0x33;
      }
      attempt(type, junk);
    }
  }
  EXPECT_GT(errors, 700);
  // Whatever the garbage did inside discarded transactions, the store is as it was, and the
  // genuine message still decrypts.
  EXPECT_EQ(bob.store.rows(), before);
  EXPECT_EQ(bob.receive(alice.address, msg).valueOr("?"), "m");
  // The wrong type for the bytes is an error too.
  auto wrongType = bob.receive(alice.address, wa::CipherMessage{wa::CipherType::PkMsg, msg.data});
  EXPECT_FALSE(wrongType.ok());
  auto sk = bob.receive(alice.address, wa::CipherMessage{wa::CipherType::SkMsg, msg.data});
  EXPECT_FALSE(sk.ok());
}

TEST(WaSignalSession, AccountsRunInParallelOnTheSharedContext) {
  // Several threads, each with its own pair of devices, all on the one process-wide context.
  std::vector<std::thread> threads;
  std::atomic<int> delivered{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &delivered] {
      Party a("7" + std::to_string(t) + ":1@s.whatsapp.net", 2);
      Party b("8" + std::to_string(t) + ":1@s.whatsapp.net", 2);
      {
        wa::SignalProtocol sp(a.store);
        if (!sp.processBundle(b.address, b.bundle(1)).ok()) {
          return;
        }
      }
      for (int i = 0; i < 40; ++i) {
        Party& from = i % 3 == 0 ? b : a;
        Party& to = &from == &a ? b : a;
        if (i == 0) {
          auto m = a.send(b.address, "x");
          delivered += b.receive(a.address, m).ok() ? 1 : 0;
          continue;
        }
        auto m = from.send(to.address, "x" + std::to_string(i));
        delivered += to.receive(from.address, m).valueOr("") == "x" + std::to_string(i) ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(delivered.load(), 4 * 40);
}
