// The five libsignal-protocol-c store interfaces, implemented on a SignalStore. Return codes
// follow the library's contracts (wa-protocol.md 8.9): sessions and sender keys answer 1 found /
// 0 absent, prekeys SG_ERR_INVALID_KEY_ID when absent; a failing SignalStore is remembered in the
// operation (Impl::storeError) and reported instead of libsignal's generic error.

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "signal/protocol_impl.hpp"

namespace switchboard::whatsapp {

namespace detail {

std::string addressKey(const signal_protocol_address* address) {
  std::string out(address->name, address->name_len);
  out += '.';
  out += std::to_string(address->device_id);
  return out;
}

std::string senderKeyKey(const signal_protocol_sender_key_name* name) {
  std::string out(name->group_id, name->group_id_len);
  out += "::";
  out += addressKey(&name->sender);
  return out;
}

}  // namespace detail

namespace {

using Impl = SignalProtocol::Impl;

Impl& impl(void* userData) { return *static_cast<Impl*>(userData); }

// Loads a row into a new signal_buffer. 1 found, 0 absent, <0 on a store failure.
int load(Impl& self, SignalTable table, const std::string& key, signal_buffer** out) {
  auto row = self.store.get(table, key);
  if (!row.ok()) {
    return self.storeFailed(row.takeError());
  }
  if (!row->has_value()) {
    return 0;
  }
  const Bytes& v = **row;
  *out = signal_buffer_create(v.data(), v.size());
  return *out == nullptr ? SG_ERR_NOMEM : 1;
}

int save(Impl& self, SignalTable table, const std::string& key, const uint8_t* data, size_t len) {
  auto st = self.store.put(table, key, ByteView(data, len));
  return st.ok() ? 0 : self.storeFailed(st.takeError());
}

int erase(Impl& self, SignalTable table, const std::string& key) {
  auto st = self.store.remove(table, key);
  return st.ok() ? 0 : self.storeFailed(st.takeError());
}

int contains(Impl& self, SignalTable table, const std::string& key) {
  auto row = self.store.get(table, key);
  if (!row.ok()) {
    return self.storeFailed(row.takeError());
  }
  return row->has_value() ? 1 : 0;
}

// --- sessions ------------------------------------------------------------------------------------

int loadSession(signal_buffer** record, signal_buffer** userRecord, const signal_protocol_address* address, void* ud) {
  *userRecord = nullptr;
  return load(impl(ud), SignalTable::Session, detail::addressKey(address), record);
}

// The devices that have a session with name: keys `name.<digits>`.
int subDeviceSessions(signal_int_list** sessions, const char* name, size_t nameLen, void* ud) {
  Impl& self = impl(ud);
  std::string prefix(name, nameLen);
  prefix += '.';
  auto keys = self.store.keys(SignalTable::Session, prefix);
  if (!keys.ok()) {
    return self.storeFailed(keys.takeError());
  }
  signal_int_list* list = signal_int_list_alloc();
  if (list == nullptr) {
    return SG_ERR_NOMEM;
  }
  for (const auto& key : *keys) {
    std::string_view rest = std::string_view(key).substr(prefix.size());
    int device = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), device);
    if (ec == std::errc() && end == rest.data() + rest.size() && signal_int_list_push_back(list, device) != 0) {
      signal_int_list_free(list);
      return SG_ERR_NOMEM;
    }
  }
  *sessions = list;
  return static_cast<int>(signal_int_list_size(list));
}

int storeSession(const signal_protocol_address* address, uint8_t* record, size_t len, uint8_t*, size_t, void* ud) {
  return save(impl(ud), SignalTable::Session, detail::addressKey(address), record, len);
}

int containsSession(const signal_protocol_address* address, void* ud) {
  return contains(impl(ud), SignalTable::Session, detail::addressKey(address));
}

int deleteSession(const signal_protocol_address* address, void* ud) {
  return erase(impl(ud), SignalTable::Session, detail::addressKey(address));
}

int deleteAllSessions(const char* name, size_t nameLen, void* ud) {
  Impl& self = impl(ud);
  std::string prefix(name, nameLen);
  prefix += '.';
  auto keys = self.store.keys(SignalTable::Session, prefix);
  if (!keys.ok()) {
    return self.storeFailed(keys.takeError());
  }
  for (const auto& key : *keys) {
    if (int rc = erase(self, SignalTable::Session, key); rc < 0) {
      return rc;
    }
  }
  return static_cast<int>(keys->size());
}

// --- prekeys -------------------------------------------------------------------------------------

int loadPreKeyRow(signal_buffer** record, uint32_t id, void* ud) {
  int rc = load(impl(ud), SignalTable::PreKey, preKeyStoreKey(id), record);
  return rc == 0 ? SG_ERR_INVALID_KEY_ID : rc < 0 ? rc : SG_SUCCESS;
}

int storePreKey(uint32_t id, uint8_t* record, size_t len, void* ud) {
  return save(impl(ud), SignalTable::PreKey, preKeyStoreKey(id), record, len);
}

int containsPreKey(uint32_t id, void* ud) { return contains(impl(ud), SignalTable::PreKey, preKeyStoreKey(id)); }

int removePreKey(uint32_t id, void* ud) { return erase(impl(ud), SignalTable::PreKey, preKeyStoreKey(id)); }

int loadSignedPreKeyRow(signal_buffer** record, uint32_t id, void* ud) {
  int rc = load(impl(ud), SignalTable::SignedPreKey, preKeyStoreKey(id), record);
  return rc == 0 ? SG_ERR_INVALID_KEY_ID : rc < 0 ? rc : SG_SUCCESS;
}

int storeSignedPreKey(uint32_t id, uint8_t* record, size_t len, void* ud) {
  return save(impl(ud), SignalTable::SignedPreKey, preKeyStoreKey(id), record, len);
}

int containsSignedPreKey(uint32_t id, void* ud) {
  return contains(impl(ud), SignalTable::SignedPreKey, preKeyStoreKey(id));
}

int removeSignedPreKey(uint32_t id, void* ud) { return erase(impl(ud), SignalTable::SignedPreKey, preKeyStoreKey(id)); }

// --- identities ----------------------------------------------------------------------------------

int identityKeyPair(signal_buffer** publicData, signal_buffer** privateData, void* ud) {
  Impl& self = impl(ud);
  auto identity = self.localIdentity();
  if (!identity.ok()) {
    return self.storeFailed(identity.takeError());
  }
  Key33 pub = toSignalKey(identity->identity.pub);
  *publicData = signal_buffer_create(pub.data(), pub.size());
  *privateData = signal_buffer_create(identity->identity.priv.data(), identity->identity.priv.size());
  if (*publicData == nullptr || *privateData == nullptr) {
    signal_buffer_free(*publicData);
    signal_buffer_bzero_free(*privateData);
    *publicData = nullptr;
    *privateData = nullptr;
    return SG_ERR_NOMEM;
  }
  return 0;
}

int localRegistrationId(void* ud, uint32_t* registrationId) {
  Impl& self = impl(ud);
  auto identity = self.localIdentity();
  if (!identity.ok()) {
    return self.storeFailed(identity.takeError());
  }
  *registrationId = identity->registrationId;
  return 0;
}

int saveIdentity(const signal_protocol_address* address, uint8_t* keyData, size_t keyLen, void* ud) {
  Impl& self = impl(ud);
  std::string key = detail::addressKey(address);
  if (keyData == nullptr) {
    return erase(self, SignalTable::Identity, key);
  }
  auto old = self.store.get(SignalTable::Identity, key);
  if (!old.ok()) {
    return self.storeFailed(old.takeError());
  }
  ByteView fresh(keyData, keyLen);
  if (old->has_value() && !std::equal((*old)->begin(), (*old)->end(), fresh.begin(), fresh.end())) {
    self.replaced.push_back(SignalAddress{std::string(address->name, address->name_len),
                                          static_cast<std::uint32_t>(address->device_id)});
  } else if (old->has_value()) {
    return 0;  // unchanged: no write, so a decrypt leaves no identity row in the change set
  }
  return save(self, SignalTable::Identity, key, keyData, keyLen);
}

// TOFU with replace (wa-protocol.md 8.6): every identity is trusted; saveIdentity records changes.
int isTrustedIdentity(const signal_protocol_address*, uint8_t*, size_t, void*) { return 1; }

// --- sender keys ---------------------------------------------------------------------------------

int storeSenderKey(const signal_protocol_sender_key_name* name, uint8_t* record, size_t len, uint8_t*, size_t,
                   void* ud) {
  return save(impl(ud), SignalTable::SenderKey, detail::senderKeyKey(name), record, len);
}

int loadSenderKey(signal_buffer** record, signal_buffer** userRecord, const signal_protocol_sender_key_name* name,
                  void* ud) {
  *userRecord = nullptr;
  return load(impl(ud), SignalTable::SenderKey, detail::senderKeyKey(name), record);
}

}  // namespace

SignalProtocol::Impl::Impl(SignalStore& s) : store(s) {
  if (signal_protocol_store_context_create(&storeCtx, ctx) != 0) {
    std::abort();  // out of memory at a few hundred bytes: nothing sensible left to do
  }
  signal_protocol_session_store sessions{};
  sessions.load_session_func = &loadSession;
  sessions.get_sub_device_sessions_func = &subDeviceSessions;
  sessions.store_session_func = &storeSession;
  sessions.contains_session_func = &containsSession;
  sessions.delete_session_func = &deleteSession;
  sessions.delete_all_sessions_func = &deleteAllSessions;
  sessions.user_data = this;
  signal_protocol_pre_key_store preKeys{};
  preKeys.load_pre_key = &loadPreKeyRow;
  preKeys.store_pre_key = &storePreKey;
  preKeys.contains_pre_key = &containsPreKey;
  preKeys.remove_pre_key = &removePreKey;
  preKeys.user_data = this;
  signal_protocol_signed_pre_key_store signedPreKeys{};
  signedPreKeys.load_signed_pre_key = &loadSignedPreKeyRow;
  signedPreKeys.store_signed_pre_key = &storeSignedPreKey;
  signedPreKeys.contains_signed_pre_key = &containsSignedPreKey;
  signedPreKeys.remove_signed_pre_key = &removeSignedPreKey;
  signedPreKeys.user_data = this;
  signal_protocol_identity_key_store identities{};
  identities.get_identity_key_pair = &identityKeyPair;
  identities.get_local_registration_id = &localRegistrationId;
  identities.save_identity = &saveIdentity;
  identities.is_trusted_identity = &isTrustedIdentity;
  identities.user_data = this;
  signal_protocol_sender_key_store senderKeys{};
  senderKeys.store_sender_key = &storeSenderKey;
  senderKeys.load_sender_key = &loadSenderKey;
  senderKeys.user_data = this;
  if (signal_protocol_store_context_set_session_store(storeCtx, &sessions) != 0 ||
      signal_protocol_store_context_set_pre_key_store(storeCtx, &preKeys) != 0 ||
      signal_protocol_store_context_set_signed_pre_key_store(storeCtx, &signedPreKeys) != 0 ||
      signal_protocol_store_context_set_identity_key_store(storeCtx, &identities) != 0 ||
      signal_protocol_store_context_set_sender_key_store(storeCtx, &senderKeys) != 0) {
    std::abort();
  }
}

SignalProtocol::Impl::~Impl() { signal_protocol_store_context_destroy(storeCtx); }

int SignalProtocol::Impl::storeFailed(sdk::Error error) {
  if (!storeError) {
    storeError = std::move(error);
  }
  return SG_ERR_UNKNOWN;
}

sdk::Error SignalProtocol::Impl::fail(int rc, const std::string& what, const detail::LogCapture& log) {
  if (storeError) {
    sdk::Error e = signalError(SignalErrc::Store, what + ": the Signal store failed: " + storeError->describe());
    e.cls = storeError->cls;
    storeError.reset();
    return e;
  }
  SignalErrc errc = signalErrcFromLibsignal(rc);
  std::string message = what + ": " + std::string(signalErrcName(errc)) + " (libsignal " + std::to_string(rc) + ")";
  if (!log.text().empty()) {
    message += ": " + log.text();
  }
  return signalError(errc, std::move(message));
}

sdk::Result<LocalIdentity> SignalProtocol::Impl::localIdentity() {
  if (!identity) {
    auto loaded = loadLocalIdentity(store);
    if (!loaded.ok()) {
      return loaded.takeError();
    }
    identity = *loaded;
  }
  return *identity;
}

}  // namespace switchboard::whatsapp
