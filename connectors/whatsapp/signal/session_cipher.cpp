// SignalProtocol: pairwise sessions (X3DH from a bundle, Double Ratchet encrypt/decrypt).

#include <protocol.h>
#include <session_builder.h>
#include <session_cipher.h>
#include <session_pre_key.h>
#include <session_record.h>
#include <session_state.h>

#include "signal/protocol_impl.hpp"

namespace switchboard::whatsapp {

namespace {

struct CipherFree {
  void operator()(session_cipher* c) const { session_cipher_free(c); }
};
struct BuilderFree {
  void operator()(session_builder* b) const { session_builder_free(b); }
};

}  // namespace

sdk::Result<bool> SignalProtocol::hasSession(const SignalAddress& address) {
  Impl& self = *impl_;
  self.begin();
  detail::LogCapture log;
  signal_protocol_address addr = detail::libsignalAddress(address);
  session_record* record = nullptr;
  int rc = signal_protocol_session_load_session(self.storeCtx, &record, &addr);
  if (rc < 0) {
    return self.fail(rc, "load session " + address.toString(), log);
  }
  detail::Ref<session_record> owned(record);
  session_state* state = session_record_get_state(record);
  return state != nullptr && session_state_has_sender_chain(state) != 0;
}

sdk::Status SignalProtocol::processBundle(const SignalAddress& address, const PreKeyBundle& bundle) {
  Impl& self = *impl_;
  self.begin();
  detail::LogCapture log;
  std::string what = "session from the bundle of " + address.toString();
  auto identity = detail::decodePublic(bundle.identity, self.ctx, "bundle identity key");
  auto signedPreKey = detail::decodePublic(bundle.signedPreKey.pub, self.ctx, "bundle signed prekey");
  if (!identity.ok()) {
    return identity.takeError();
  }
  if (!signedPreKey.ok()) {
    return signedPreKey.takeError();
  }
  detail::Ref<ec_public_key> preKey;
  if (bundle.preKey) {
    auto pk = detail::decodePublic(bundle.preKey->pub, self.ctx, "bundle one-time prekey");
    if (!pk.ok()) {
      return pk.takeError();
    }
    preKey = std::move(*pk);
  }
  session_pre_key_bundle* b = nullptr;
  int rc = session_pre_key_bundle_create(&b, bundle.registrationId, static_cast<int>(address.device),
                                         bundle.preKey ? bundle.preKey->id : 0, preKey.get(), bundle.signedPreKey.id,
                                         signedPreKey->get(), bundle.signedPreKey.signature.data(),
                                         bundle.signedPreKey.signature.size(), identity->get());
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  detail::Ref<session_pre_key_bundle> ownedBundle(b);
  signal_protocol_address addr = detail::libsignalAddress(address);
  session_builder* builder = nullptr;
  rc = session_builder_create(&builder, self.storeCtx, &addr, self.ctx);
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  std::unique_ptr<session_builder, BuilderFree> ownedBuilder(builder);
  rc = session_builder_process_pre_key_bundle(builder, b);
  if (rc < 0 || self.storeError) {
    rc = rc < 0 ? rc : SG_ERR_UNKNOWN;
    if (rc == SG_ERR_INVALID_KEY && !self.storeError) {
      return signalError(SignalErrc::InvalidKey, what + ": the signed prekey signature does not verify");
    }
    return self.fail(rc, what, log);
  }
  return sdk::okStatus();
}

sdk::Result<CipherMessage> SignalProtocol::encrypt(const SignalAddress& address, ByteView plaintext) {
  auto has = hasSession(address);
  if (!has.ok()) {
    return has.takeError();
  }
  if (!*has) {
    return signalError(SignalErrc::NoSession, "encrypt to " + address.toString() + ": no session (fetch a bundle first)");
  }
  Impl& self = *impl_;
  self.begin();
  detail::LogCapture log;
  std::string what = "encrypt to " + address.toString();
  signal_protocol_address addr = detail::libsignalAddress(address);
  session_cipher* c = nullptr;
  int rc = session_cipher_create(&c, self.storeCtx, &addr, self.ctx);
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  std::unique_ptr<session_cipher, CipherFree> cipher(c);
  ciphertext_message* message = nullptr;
  rc = session_cipher_encrypt(c, plaintext.data(), plaintext.size(), &message);
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  detail::Ref<ciphertext_message> owned(message);
  if (self.storeError) {  // a failed write that libsignal did not report
    return self.fail(SG_ERR_UNKNOWN, what, log);
  }
  CipherMessage out;
  out.type = ciphertext_message_get_type(message) == CIPHERTEXT_PREKEY_TYPE ? CipherType::PkMsg : CipherType::Msg;
  out.data = detail::copy(ciphertext_message_get_serialized(message));
  return out;
}

sdk::Result<Bytes> SignalProtocol::decrypt(const SignalAddress& address, CipherType type, ByteView ciphertext) {
  Impl& self = *impl_;
  self.begin();
  detail::LogCapture log;
  std::string what = "decrypt " + std::string(cipherTypeName(type)) + " from " + address.toString();
  if (type == CipherType::SkMsg) {
    return signalError(SignalErrc::InvalidMessage, what + ": skmsg needs groupDecrypt");
  }
  signal_protocol_address addr = detail::libsignalAddress(address);
  session_cipher* c = nullptr;
  int rc = session_cipher_create(&c, self.storeCtx, &addr, self.ctx);
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  std::unique_ptr<session_cipher, CipherFree> cipher(c);
  signal_buffer* plain = nullptr;
  if (type == CipherType::PkMsg) {
    pre_key_signal_message* m = nullptr;
    rc = pre_key_signal_message_deserialize(&m, ciphertext.data(), ciphertext.size(), self.ctx);
    if (rc < 0) {
      return self.fail(rc, what + " (malformed)", log);
    }
    detail::Ref<pre_key_signal_message> owned(m);
    rc = session_cipher_decrypt_pre_key_signal_message(c, m, nullptr, &plain);
  } else {
    signal_message* m = nullptr;
    rc = signal_message_deserialize(&m, ciphertext.data(), ciphertext.size(), self.ctx);
    if (rc < 0) {
      return self.fail(rc, what + " (malformed)", log);
    }
    detail::Ref<signal_message> owned(m);
    rc = session_cipher_decrypt_signal_message(c, m, nullptr, &plain);
  }
  detail::Buffer owned(plain);
  if (rc < 0 || self.storeError) {
    return self.fail(rc < 0 ? rc : SG_ERR_UNKNOWN, what, log);
  }
  return detail::copy(plain);
}

}  // namespace switchboard::whatsapp
