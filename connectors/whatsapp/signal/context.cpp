#include "signal/context.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "signal/crypto_provider.hpp"
#include "signal/libsignal_util.hpp"

namespace switchboard::whatsapp {

namespace detail {

namespace {
thread_local LogCapture* tCapture = nullptr;
constexpr std::size_t kMaxCapture = 400;
}  // namespace

LogCapture::LogCapture() : previous_(tCapture) { tCapture = this; }
LogCapture::~LogCapture() { tCapture = previous_; }

void LogCapture::append(const char* message, std::size_t len) {
  if (text_.size() >= kMaxCapture) {
    return;
  }
  if (!text_.empty()) {
    text_ += "; ";
  }
  text_.append(message, std::min(len, kMaxCapture - text_.size()));
}

void logToCapture(int level, const char* message, size_t len, void*) {
  if (level <= SG_LOG_WARNING && tCapture != nullptr && message != nullptr) {
    tCapture->append(message, len);
  }
}

}  // namespace detail

SignalContext& SignalContext::shared() {
  static SignalContext context;
  return context;
}

SignalContext::SignalContext() {
  if (signal_context_create(&ctx_, nullptr) != 0) {
    std::fputs("sb_wasignal: signal_context_create failed\n", stderr);
    std::abort();
  }
  signal_crypto_provider provider = detail::openSslCryptoProvider();
  if (signal_context_set_crypto_provider(ctx_, &provider) != 0 ||
      signal_context_set_log_function(ctx_, &detail::logToCapture) != 0) {
    std::fputs("sb_wasignal: cannot configure the signal context\n", stderr);
    std::abort();
  }
  // No signal_context_set_locking_functions: see the threading rule in context.hpp.
}

SignalContext::~SignalContext() { signal_context_destroy(ctx_); }

}  // namespace switchboard::whatsapp
