#pragma once

struct signal_context;

namespace switchboard::whatsapp {

/// The libsignal-protocol-c global context: our OpenSSL crypto provider and a log hook.
///
/// Threading rule: one context per process, shared by every account and thread, with no
/// locking functions installed. This is safe because the context is immutable once built (it
/// holds only function pointers; libsignal-protocol-c 2.3.3 keeps no other global state) and
/// because no libsignal object outlives one call of ours: every operation (SignalProtocol) gets
/// its own store context bound to its own SignalStore, loads the records it needs, and leaves
/// only serialized bytes behind. So operations of different accounts run in parallel on any
/// threads, and one account's operations must simply not overlap (its strand serialises them).
/// This avoids the library's lock entirely (the recursive-lock pitfall of wa-protocol.md 8.9 and
/// a process-wide bottleneck for thousands of accounts).
class SignalContext {
 public:
  /// The process-wide context, created on first use (thread-safe). Aborts if libsignal cannot
  /// allocate it (a programming or memory error, not a runtime condition).
  static SignalContext& shared();

  signal_context* get() const { return ctx_; }

  SignalContext(const SignalContext&) = delete;
  SignalContext& operator=(const SignalContext&) = delete;
  ~SignalContext();

 private:
  SignalContext();
  signal_context* ctx_ = nullptr;
};

}  // namespace switchboard::whatsapp
