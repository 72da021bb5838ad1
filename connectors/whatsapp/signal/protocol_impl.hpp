#pragma once

// Internal to sb_wasignal: what a SignalProtocol holds, shared by its .cpp files.

#include <optional>
#include <string>
#include <vector>

#include <signal_protocol.h>

#include "signal/context.hpp"
#include "signal/errors.hpp"
#include "signal/libsignal_util.hpp"
#include "signal/protocol.hpp"

namespace switchboard::whatsapp {

struct SignalProtocol::Impl {
  explicit Impl(SignalStore& s);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  SignalStore& store;
  signal_context* ctx = SignalContext::shared().get();
  signal_protocol_store_context* storeCtx = nullptr;
  /// The first error a store callback met during the current operation; it wins over whatever
  /// libsignal made of the callback's failure.
  std::optional<sdk::Error> storeError;
  std::optional<LocalIdentity> identity;  // loaded once per object
  std::vector<SignalAddress> replaced;

  /// Call at the start of every public operation.
  void begin() { storeError.reset(); }
  /// The error for a libsignal failure rc during `what`: the store's if a callback failed.
  sdk::Error fail(int rc, const std::string& what, const detail::LogCapture& log);
  /// Records a store failure for the running operation and returns the code to give libsignal.
  int storeFailed(sdk::Error error);

  sdk::Result<LocalIdentity> localIdentity();
};

namespace detail {

/// libsignal's view of an address; the name points into address (keep it alive).
inline signal_protocol_address libsignalAddress(const SignalAddress& address) {
  return {address.name.data(), address.name.size(), static_cast<int32_t>(address.device)};
}
/// Our store key for a libsignal address, `name.device`.
std::string addressKey(const signal_protocol_address* address);
/// Our store key for a sender key name, `group::name.device`.
std::string senderKeyKey(const signal_protocol_sender_key_name* name);

/// A libsignal public key from a raw 32-byte key.
sdk::Result<Ref<ec_public_key>> decodePublic(const Key32& raw, signal_context* ctx, std::string_view what);
/// A libsignal key pair from ours.
sdk::Result<Ref<ec_key_pair>> decodeKeyPair(const KeyPair& pair, signal_context* ctx);
/// The raw 32 bytes of a libsignal public key.
sdk::Result<Key32> encodePublic(const ec_public_key* key);

}  // namespace detail

}  // namespace switchboard::whatsapp
