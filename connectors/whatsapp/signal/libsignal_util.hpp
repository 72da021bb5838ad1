#pragma once

// Internal to sb_wasignal: RAII for libsignal-protocol-c objects and buffers, and the capture of
// the library's log lines so errors can say what the library saw.

#include <memory>
#include <string>

#include <signal_protocol.h>

#include "protocol/bytes.hpp"

namespace switchboard::whatsapp::detail {

/// Owns one reference to a libsignal ref-counted object (session_record, ec_public_key, ...).
struct Unref {
  void operator()(void* p) const {
    if (p != nullptr) {
      signal_type_unref(static_cast<signal_type_base*>(p));
    }
  }
};
template <typename T>
using Ref = std::unique_ptr<T, Unref>;

struct BufferFree {
  void operator()(signal_buffer* b) const { signal_buffer_bzero_free(b); }
};
using Buffer = std::unique_ptr<signal_buffer, BufferFree>;

inline ByteView view(const signal_buffer* b) {
  return b == nullptr ? ByteView{} : ByteView{signal_buffer_const_data(b), signal_buffer_len(b)};
}
inline Bytes copy(const signal_buffer* b) {
  auto v = view(b);
  return {v.begin(), v.end()};
}

/// While alive, libsignal's error and warning lines on this thread are collected; message()
/// gives them (at most a few hundred bytes) to append to an error.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  const std::string& text() const { return text_; }
  void append(const char* message, std::size_t len);

 private:
  std::string text_;
  LogCapture* previous_;
};

/// The log function installed in the shared context.
void logToCapture(int level, const char* message, size_t len, void* user_data);

}  // namespace switchboard::whatsapp::detail
