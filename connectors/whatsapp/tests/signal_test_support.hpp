#pragma once

// Test parties for the sb_wasignal suites: a device with an in-memory store, its identity, a
// signed prekey and a batch of one-time prekeys.

#include <gtest/gtest.h>

#include <string>

#include "signal/memory_store.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"

namespace switchboard::whatsapp::test {

struct Party {
  MemorySignalStore store;
  LocalIdentity identity = LocalIdentity::generate();
  SignalAddress address;
  std::uint32_t signedPreKeyId = 1;
  std::uint32_t nextPreKeyId = 1;

  explicit Party(std::string jid, std::uint32_t preKeys = 5) {
    auto a = SignalAddress::fromJid(jid);
    EXPECT_TRUE(a.ok());
    address = *a;
    EXPECT_TRUE(saveLocalIdentity(store, identity).ok());
    SignalProtocol sp(store);
    EXPECT_TRUE(sp.generateSignedPreKey(signedPreKeyId).ok());
    auto keys = sp.generatePreKeys(nextPreKeyId, preKeys);
    EXPECT_TRUE(keys.ok());
    nextPreKeyId += preKeys;
  }

  /// The bundle the server would hand out, with one-time prekey id (0: none).
  PreKeyBundle bundle(std::uint32_t preKeyId) {
    SignalProtocol sp(store);
    std::optional<std::uint32_t> pk;
    if (preKeyId != 0) {
      pk = preKeyId;
    }
    auto b = sp.ownBundle(signedPreKeyId, pk);
    EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().describe());
    return b.ok() ? *b : PreKeyBundle{};
  }

  /// Encrypts and commits straight to the store.
  CipherMessage send(const SignalAddress& to, std::string_view text) {
    SignalTransaction tx(store);
    SignalProtocol sp(tx);
    auto m = sp.encrypt(to, asBytes(text));
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
    EXPECT_TRUE(tx.commit().ok());
    return m.ok() ? *m : CipherMessage{};
  }

  /// Decrypts in a transaction committed only on success.
  sdk::Result<std::string> receive(const SignalAddress& from, const CipherMessage& m) {
    SignalTransaction tx(store);
    SignalProtocol sp(tx);
    auto plain = sp.decrypt(from, m.type, m.data);
    if (!plain.ok()) {
      return plain.takeError();
    }
    auto st = tx.commit();
    if (!st.ok()) {
      return st.takeError();
    }
    return std::string(asChars(*plain));
  }
};

inline std::string describe(const sdk::Status& s) { return s.ok() ? "ok" : s.error().describe(); }
template <typename T>
std::string describe(const sdk::Result<T>& r) {
  return r.ok() ? "ok" : r.error().describe();
}

}  // namespace switchboard::whatsapp::test
