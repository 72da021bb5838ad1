#pragma once

/// @file
/// @brief Errors as values: the result type every SDK call returns.
///
/// Expected failures travel as `Result<T>`; exceptions are for programming errors only and never
/// cross the plugin boundary (the host catches them and turns them into a permanent error).

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace switchboard::sdk {

/// @brief How the caller should react to an error. The plugin classifies; the host owns retries.
enum class ErrorClass {
  Retriable,  ///< Transient (database busy, broker unreachable): try again later, with backoff.
  Permanent,  ///< This input will never succeed (validation failure, unknown account): dead-letter it.
  Fatal,      ///< The component cannot go on (corrupt state, wrong key): stop it and alert.
};

/// @brief An error: a stable machine-readable code, a sentence for humans, and its class.
struct Error {
  std::string code;     ///< Short stable identifier, e.g. "config.unknown_key", "storage.unavailable".
  std::string message;  ///< A sentence that says what and where.
  ErrorClass cls = ErrorClass::Permanent;

  static Error retriable(std::string code, std::string message) {
    return {std::move(code), std::move(message), ErrorClass::Retriable};
  }
  static Error permanent(std::string code, std::string message) {
    return {std::move(code), std::move(message), ErrorClass::Permanent};
  }
  static Error fatal(std::string code, std::string message) {
    return {std::move(code), std::move(message), ErrorClass::Fatal};
  }
  bool isRetriable() const { return cls == ErrorClass::Retriable; }
  bool isFatal() const { return cls == ErrorClass::Fatal; }
  /// @return "code: message", for logs.
  std::string describe() const { return code + ": " + message; }
};

/// @brief A value or an error (a small `std::expected`).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  /// @pre ok()
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// @pre !ok()
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  Error&& takeError() { assert(!ok()); return std::get<1>(std::move(v_)); }

  T valueOr(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

/// @brief Success or an error, with no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }
  Error&& takeError() { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

/// @brief Success, for functions returning Status.
inline Status okStatus() { return {}; }

}  // namespace switchboard::sdk

/// Return early from the enclosing function with the error of a failed Result or Status.
#define SB_TRY(expr)                                    \
  do {                                                  \
    auto&& sb_try_result_ = (expr);                     \
    if (!sb_try_result_.ok()) {                         \
      return std::move(sb_try_result_).takeError();     \
    }                                                   \
  } while (0)
