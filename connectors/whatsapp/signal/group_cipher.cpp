// SignalProtocol: sender keys (group messages).

#include <group_cipher.h>
#include <group_session_builder.h>
#include <protocol.h>

#include "signal/protocol_impl.hpp"

namespace switchboard::whatsapp {

namespace {

struct GroupCipherFree {
  void operator()(group_cipher* c) const { group_cipher_free(c); }
};
struct GroupBuilderFree {
  void operator()(group_session_builder* b) const { group_session_builder_free(b); }
};

// libsignal's view of a sender key name; points into name (keep it alive).
signal_protocol_sender_key_name libsignalName(const SenderKeyName& name) {
  return {name.groupId.data(), name.groupId.size(), detail::libsignalAddress(name.sender)};
}

}  // namespace

sdk::Result<Bytes> SignalProtocol::senderKeyDistribution(const SenderKeyName& own) {
  Impl& self = *impl_;
  self.begin();
  detail::LogCapture log;
  std::string what = "sender key distribution for " + own.toString();
  group_session_builder* b = nullptr;
  int rc = group_session_builder_create(&b, self.storeCtx, self.ctx);
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  std::unique_ptr<group_session_builder, GroupBuilderFree> builder(b);
  signal_protocol_sender_key_name name = libsignalName(own);
  sender_key_distribution_message* skdm = nullptr;
  rc = group_session_builder_create_session(b, &skdm, &name);
  if (rc < 0 || self.storeError) {
    if (skdm != nullptr) {
      SIGNAL_UNREF(skdm);
    }
    return self.fail(rc < 0 ? rc : SG_ERR_UNKNOWN, what, log);
  }
  detail::Ref<sender_key_distribution_message> owned(skdm);
  // The serialized form (0x33 || protobuf) travels as axolotlSenderKeyDistributionMessage.
  return detail::copy(ciphertext_message_get_serialized(reinterpret_cast<ciphertext_message*>(skdm)));
}

sdk::Status SignalProtocol::processSenderKeyDistribution(const SenderKeyName& sender, ByteView skdm) {
  Impl& self = *impl_;
  self.begin();
  detail::LogCapture log;
  std::string what = "sender key distribution from " + sender.toString();
  sender_key_distribution_message* m = nullptr;
  int rc = sender_key_distribution_message_deserialize(&m, skdm.data(), skdm.size(), self.ctx);
  if (rc < 0) {
    return self.fail(rc, what + " (malformed)", log);
  }
  detail::Ref<sender_key_distribution_message> owned(m);
  group_session_builder* b = nullptr;
  rc = group_session_builder_create(&b, self.storeCtx, self.ctx);
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  std::unique_ptr<group_session_builder, GroupBuilderFree> builder(b);
  signal_protocol_sender_key_name name = libsignalName(sender);
  rc = group_session_builder_process_session(b, &name, m);
  if (rc < 0 || self.storeError) {
    return self.fail(rc < 0 ? rc : SG_ERR_UNKNOWN, what, log);
  }
  return sdk::okStatus();
}

sdk::Result<Bytes> SignalProtocol::groupEncrypt(const SenderKeyName& own, ByteView plaintext) {
  Impl& self = *impl_;
  self.begin();
  detail::LogCapture log;
  std::string what = "group encrypt as " + own.toString();
  signal_protocol_sender_key_name name = libsignalName(own);
  group_cipher* c = nullptr;
  int rc = group_cipher_create(&c, self.storeCtx, &name, self.ctx);
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  std::unique_ptr<group_cipher, GroupCipherFree> cipher(c);
  ciphertext_message* message = nullptr;
  rc = group_cipher_encrypt(c, plaintext.data(), plaintext.size(), &message);
  detail::Ref<ciphertext_message> owned(message);
  if (rc < 0 || self.storeError) {
    return self.fail(rc < 0 ? rc : SG_ERR_UNKNOWN, what, log);
  }
  return detail::copy(ciphertext_message_get_serialized(message));
}

sdk::Result<Bytes> SignalProtocol::groupDecrypt(const SenderKeyName& sender, ByteView skmsg) {
  Impl& self = *impl_;
  self.begin();
  detail::LogCapture log;
  std::string what = "group decrypt from " + sender.toString();
  sender_key_message* m = nullptr;
  int rc = sender_key_message_deserialize(&m, skmsg.data(), skmsg.size(), self.ctx);
  if (rc < 0) {
    return self.fail(rc, what + " (malformed)", log);
  }
  detail::Ref<sender_key_message> owned(m);
  signal_protocol_sender_key_name name = libsignalName(sender);
  group_cipher* c = nullptr;
  rc = group_cipher_create(&c, self.storeCtx, &name, self.ctx);
  if (rc < 0) {
    return self.fail(rc, what, log);
  }
  std::unique_ptr<group_cipher, GroupCipherFree> cipher(c);
  signal_buffer* plain = nullptr;
  rc = group_cipher_decrypt(c, m, nullptr, &plain);
  detail::Buffer ownedPlain(plain);
  if (rc < 0 || self.storeError) {
    return self.fail(rc < 0 ? rc : SG_ERR_UNKNOWN, what, log);
  }
  return detail::copy(plain);
}

}  // namespace switchboard::whatsapp
