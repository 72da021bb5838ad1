// SignalProtocol: construction, our own keys (identity, signed prekeys, one-time prekeys).
// Pairwise sessions are in session_cipher.cpp, sender keys in group_cipher.cpp.

#include <algorithm>
#include <chrono>

#include <curve.h>
#include <session_pre_key.h>

#include "signal/protocol_impl.hpp"

namespace switchboard::whatsapp {

std::string_view cipherTypeName(CipherType type) {
  switch (type) {
    case CipherType::Msg:
      return "msg";
    case CipherType::PkMsg:
      return "pkmsg";
    case CipherType::SkMsg:
      return "skmsg";
  }
  return "msg";
}

std::optional<CipherType> parseCipherType(std::string_view name) {
  if (name == "msg") {
    return CipherType::Msg;
  }
  if (name == "pkmsg") {
    return CipherType::PkMsg;
  }
  if (name == "skmsg") {
    return CipherType::SkMsg;
  }
  return std::nullopt;
}

sdk::Status saveLocalIdentity(SignalStore& store, const LocalIdentity& identity) {
  return store.put(SignalTable::LocalIdentity, kLocalIdentityKey, identity.serialize());
}

sdk::Result<LocalIdentity> loadLocalIdentity(SignalStore& store) {
  auto row = store.get(SignalTable::LocalIdentity, kLocalIdentityKey);
  if (!row.ok()) {
    return row.takeError();
  }
  if (!row->has_value()) {
    return signalError(SignalErrc::Store, "the Signal store has no local identity (generate and save one first)");
  }
  return LocalIdentity::parse(**row);
}

namespace detail {

sdk::Result<Ref<ec_public_key>> decodePublic(const Key32& raw, signal_context* ctx, std::string_view what) {
  Key33 k = toSignalKey(raw);
  ec_public_key* key = nullptr;
  int rc = curve_decode_point(&key, k.data(), k.size(), ctx);
  if (rc < 0) {
    return signalError(SignalErrc::InvalidKey, std::string(what) + " is not a usable Curve25519 key (libsignal " +
                                                   std::to_string(rc) + ")");
  }
  return Ref<ec_public_key>(key);
}

sdk::Result<Ref<ec_key_pair>> decodeKeyPair(const KeyPair& pair, signal_context* ctx) {
  auto pub = decodePublic(pair.pub, ctx, "public key");
  if (!pub.ok()) {
    return pub.takeError();
  }
  ec_private_key* priv = nullptr;
  if (curve_decode_private_point(&priv, pair.priv.data(), pair.priv.size(), ctx) < 0) {
    return signalError(SignalErrc::InvalidKey, "private key rejected by libsignal");
  }
  Ref<ec_private_key> privRef(priv);
  ec_key_pair* kp = nullptr;
  if (ec_key_pair_create(&kp, pub->get(), priv) < 0) {
    return signalError(SignalErrc::Internal, "cannot build a key pair");
  }
  return Ref<ec_key_pair>(kp);
}

sdk::Result<Key32> encodePublic(const ec_public_key* key) {
  signal_buffer* b = nullptr;
  if (ec_public_key_serialize(&b, key) < 0) {
    return signalError(SignalErrc::Internal, "cannot serialize a public key");
  }
  Buffer owned(b);
  return fromSignalKey(view(b));
}

}  // namespace detail

SignalProtocol::SignalProtocol(SignalStore& store) : impl_(std::make_unique<Impl>(store)) {}
SignalProtocol::~SignalProtocol() = default;

const std::vector<SignalAddress>& SignalProtocol::replacedIdentities() const { return impl_->replaced; }

sdk::Result<SignedPreKeyPublic> SignalProtocol::generateSignedPreKey(std::uint32_t id) {
  Impl& self = *impl_;
  self.begin();
  if (id == 0 || id > kMaxPreKeyId) {
    return signalError(SignalErrc::InvalidKeyId, "signed prekey id " + std::to_string(id) + " is outside 1..0xFFFFFF");
  }
  auto identity = self.localIdentity();
  if (!identity.ok()) {
    return identity.takeError();
  }
  KeyPair keys = KeyPair::generate();
  SignedPreKeyPublic out{id, keys.pub, xeddsaSign(identity->identity.priv, toSignalKey(keys.pub))};
  auto pair = detail::decodeKeyPair(keys, self.ctx);
  if (!pair.ok()) {
    return pair.takeError();
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  session_signed_pre_key* record = nullptr;
  if (session_signed_pre_key_create(&record, id, static_cast<uint64_t>(now.count()), pair->get(), out.signature.data(),
                                    out.signature.size()) < 0) {
    return signalError(SignalErrc::Internal, "cannot build signed prekey " + std::to_string(id));
  }
  detail::Ref<session_signed_pre_key> owned(record);
  signal_buffer* serialized = nullptr;
  if (session_signed_pre_key_serialize(&serialized, record) < 0) {
    return signalError(SignalErrc::Internal, "cannot serialize signed prekey " + std::to_string(id));
  }
  detail::Buffer buf(serialized);
  auto st = self.store.put(SignalTable::SignedPreKey, preKeyStoreKey(id), detail::view(serialized));
  if (!st.ok()) {
    return st.takeError();
  }
  return out;
}

sdk::Result<std::vector<PreKeyPublic>> SignalProtocol::generatePreKeys(std::uint32_t firstId, std::uint32_t count) {
  Impl& self = *impl_;
  self.begin();
  if (firstId == 0 || firstId > kMaxPreKeyId || count > kMaxPreKeyId) {
    return signalError(SignalErrc::InvalidKeyId, "prekey ids must be 1..0xFFFFFF, got first id " +
                                                     std::to_string(firstId) + " and count " + std::to_string(count));
  }
  std::vector<PreKeyPublic> out;
  out.reserve(count);
  std::uint32_t id = firstId;
  for (std::uint32_t i = 0; i < count; ++i, id = nextPreKeyId(id)) {
    KeyPair keys = KeyPair::generate();
    auto pair = detail::decodeKeyPair(keys, self.ctx);
    if (!pair.ok()) {
      return pair.takeError();
    }
    session_pre_key* record = nullptr;
    if (session_pre_key_create(&record, id, pair->get()) < 0) {
      return signalError(SignalErrc::Internal, "cannot build prekey " + std::to_string(id));
    }
    detail::Ref<session_pre_key> owned(record);
    signal_buffer* serialized = nullptr;
    if (session_pre_key_serialize(&serialized, record) < 0) {
      return signalError(SignalErrc::Internal, "cannot serialize prekey " + std::to_string(id));
    }
    detail::Buffer buf(serialized);
    auto st = self.store.put(SignalTable::PreKey, preKeyStoreKey(id), detail::view(serialized));
    if (!st.ok()) {
      return st.takeError();
    }
    out.push_back(PreKeyPublic{id, keys.pub});
  }
  return out;
}

sdk::Result<SignedPreKeyPublic> SignalProtocol::loadSignedPreKey(std::uint32_t id) {
  Impl& self = *impl_;
  self.begin();
  auto row = self.store.get(SignalTable::SignedPreKey, preKeyStoreKey(id));
  if (!row.ok()) {
    return row.takeError();
  }
  if (!row->has_value()) {
    return signalError(SignalErrc::InvalidKeyId, "no signed prekey " + std::to_string(id));
  }
  session_signed_pre_key* record = nullptr;
  if (session_signed_pre_key_deserialize(&record, (*row)->data(), (*row)->size(), self.ctx) < 0) {
    return signalError(SignalErrc::Store, "stored signed prekey " + std::to_string(id) + " is unreadable");
  }
  detail::Ref<session_signed_pre_key> owned(record);
  auto pub = detail::encodePublic(ec_key_pair_get_public(session_signed_pre_key_get_key_pair(record)));
  if (!pub.ok()) {
    return pub.takeError();
  }
  SignedPreKeyPublic out{id, *pub, {}};
  if (session_signed_pre_key_get_signature_len(record) != out.signature.size()) {
    return signalError(SignalErrc::Store, "stored signed prekey " + std::to_string(id) + " has no 64-byte signature");
  }
  std::copy_n(session_signed_pre_key_get_signature(record), out.signature.size(), out.signature.begin());
  return out;
}

sdk::Result<std::optional<PreKeyPublic>> SignalProtocol::loadPreKey(std::uint32_t id) {
  Impl& self = *impl_;
  self.begin();
  auto row = self.store.get(SignalTable::PreKey, preKeyStoreKey(id));
  if (!row.ok()) {
    return row.takeError();
  }
  if (!row->has_value()) {
    return std::optional<PreKeyPublic>{};
  }
  session_pre_key* record = nullptr;
  if (session_pre_key_deserialize(&record, (*row)->data(), (*row)->size(), self.ctx) < 0) {
    return signalError(SignalErrc::Store, "stored prekey " + std::to_string(id) + " is unreadable");
  }
  detail::Ref<session_pre_key> owned(record);
  auto pub = detail::encodePublic(ec_key_pair_get_public(session_pre_key_get_key_pair(record)));
  if (!pub.ok()) {
    return pub.takeError();
  }
  return std::optional<PreKeyPublic>{PreKeyPublic{id, *pub}};
}

sdk::Result<PreKeyBundle> SignalProtocol::ownBundle(std::uint32_t signedPreKeyId, std::optional<std::uint32_t> preKeyId) {
  auto identity = impl_->localIdentity();
  if (!identity.ok()) {
    return identity.takeError();
  }
  auto spk = loadSignedPreKey(signedPreKeyId);
  if (!spk.ok()) {
    return spk.takeError();
  }
  PreKeyBundle out{identity->registrationId, identity->identity.pub, *spk, std::nullopt};
  if (preKeyId) {
    auto pk = loadPreKey(*preKeyId);
    if (!pk.ok()) {
      return pk.takeError();
    }
    if (!pk->has_value()) {
      return signalError(SignalErrc::InvalidKeyId, "no prekey " + std::to_string(*preKeyId));
    }
    out.preKey = **pk;
  }
  return out;
}

}  // namespace switchboard::whatsapp
