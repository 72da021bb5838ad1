#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/bytes.hpp"
#include "signal/address.hpp"
#include "signal/bundle.hpp"
#include "signal/keys.hpp"
#include "signal/store.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp {

/// The `type` of an `<enc>` element.
enum class CipherType : std::uint8_t {
  Msg,    ///< `msg`: a message in an established session
  PkMsg,  ///< `pkmsg`: a message that also sets the session up (X3DH)
  SkMsg,  ///< `skmsg`: a group message under a sender key
};
std::string_view cipherTypeName(CipherType type);
std::optional<CipherType> parseCipherType(std::string_view name);

/// What encrypt() produces: the `<enc type>` and its content, byte for byte.
struct CipherMessage {
  CipherType type = CipherType::Msg;
  Bytes data;
};

/// Stores our own identity (key pair + registration id) in its row of store.
sdk::Status saveLocalIdentity(SignalStore& store, const LocalIdentity& identity);
/// Reads it back; fails with SignalErrc::Store when the row is missing or unreadable.
sdk::Result<LocalIdentity> loadLocalIdentity(SignalStore& store);

/// Signal operations of one account against one store: usually a SignalTransaction, so the
/// ratchet changes an operation makes can be committed with the message or dropped.
///
/// Plaintexts go in and come out exactly as given: pad the WhatsApp `Message` bytes before
/// encrypting and unpad after decrypting (padding.hpp); `<enc v="3">` carries no padding.
///
/// Identity trust is TOFU with replace, as Baileys and whatsmeow (AutoTrustIdentity) do: a new
/// identity at a known address is accepted and stored; replacedIdentities() lists those addresses
/// so the caller can report a changed security code.
///
/// Cheap to create (a libsignal store context, no I/O). Not thread-safe: one object, and its
/// store, on one thread (strand) at a time. Any number of objects on different stores may run in
/// parallel (see SignalContext).
class SignalProtocol {
 public:
  explicit SignalProtocol(SignalStore& store);
  ~SignalProtocol();
  SignalProtocol(const SignalProtocol&) = delete;
  SignalProtocol& operator=(const SignalProtocol&) = delete;

  // --- own keys ---------------------------------------------------------------------------------

  /// Makes and stores a signed prekey with this id (signature by the local identity over
  /// 0x05||pub). Needs the local identity in the store.
  sdk::Result<SignedPreKeyPublic> generateSignedPreKey(std::uint32_t id);
  /// Makes and stores count one-time prekeys with ids firstId, nextPreKeyId(firstId), ...
  /// (24-bit, never 0). The caller keeps the next id to use.
  sdk::Result<std::vector<PreKeyPublic>> generatePreKeys(std::uint32_t firstId, std::uint32_t count);
  sdk::Result<SignedPreKeyPublic> loadSignedPreKey(std::uint32_t id);
  /// Nothing when the prekey was never made or was used up.
  sdk::Result<std::optional<PreKeyPublic>> loadPreKey(std::uint32_t id);
  /// Our own bundle, as the server would serve it (the simulator's phones, tests).
  sdk::Result<PreKeyBundle> ownBundle(std::uint32_t signedPreKeyId, std::optional<std::uint32_t> preKeyId);

  // --- pairwise sessions ------------------------------------------------------------------------

  /// True when we can encrypt to address (a session with a sending chain exists).
  sdk::Result<bool> hasSession(const SignalAddress& address);
  /// Starts a session from a fetched bundle (X3DH, initiator side). The signed prekey signature
  /// is verified (InvalidKey when it does not). Replaces any session with address.
  sdk::Status processBundle(const SignalAddress& address, const PreKeyBundle& bundle);
  /// Encrypts to address: `pkmsg` until the peer has answered, `msg` afterwards. NoSession when
  /// there is no session.
  sdk::Result<CipherMessage> encrypt(const SignalAddress& address, ByteView plaintext);
  /// Decrypts an `<enc>` of type msg or pkmsg from address (a pkmsg sets the session up and
  /// uses up its one-time prekey).
  sdk::Result<Bytes> decrypt(const SignalAddress& address, CipherType type, ByteView ciphertext);

  // --- groups (sender keys) ---------------------------------------------------------------------

  /// Our sender key distribution message for the group (the bytes of
  /// `axolotlSenderKeyDistributionMessage`), creating our sender key on first use.
  sdk::Result<Bytes> senderKeyDistribution(const SenderKeyName& own);
  /// Takes a sender's SKDM; name = (group, sender's address).
  sdk::Status processSenderKeyDistribution(const SenderKeyName& sender, ByteView skdm);
  /// `skmsg` content under our sender key (which senderKeyDistribution must have created).
  sdk::Result<Bytes> groupEncrypt(const SenderKeyName& own, ByteView plaintext);
  sdk::Result<Bytes> groupDecrypt(const SenderKeyName& sender, ByteView skmsg);

  /// Addresses whose stored identity key was replaced by a different one during this object's
  /// operations.
  const std::vector<SignalAddress>& replacedIdentities() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::whatsapp
