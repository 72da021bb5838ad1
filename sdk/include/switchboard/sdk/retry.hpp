#pragma once

/// @file
/// @brief Retry helpers for plugins that call other systems over HTTP (SDK 1.3, header-only): the
/// wait after the n-th failure (exponential backoff with jitter), reading a Retry-After header, and
/// a circuit breaker that stops calling a system that keeps failing. Nothing here sleeps or keeps a
/// clock: callers pass "now" and arm their own timers on their strand.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace switchboard::sdk::retry {

/// @brief The wait after the `attempts`-th failure (1 for the first): initial * 2^(attempts-1), at
/// most `max`, less a random share of up to a fifth scaled by `jitter` (0..1) so that many callers
/// do not retry in step. Never less than 1 ms.
inline std::chrono::milliseconds backoffAfter(int attempts, std::chrono::milliseconds initial,
                                              std::chrono::milliseconds max, double jitter) {
  double wait = static_cast<double>(initial.count());
  for (int i = 1; i < attempts && wait < static_cast<double>(max.count()); ++i) {
    wait *= 2;
  }
  wait = std::min(wait, static_cast<double>(max.count()));
  wait -= wait * std::clamp(jitter, 0.0, 1.0) * 0.2;
  return std::chrono::milliseconds(std::max<long long>(1, static_cast<long long>(wait)));
}

/// @brief A Retry-After value: delta-seconds or an HTTP date (IMF-fixdate, "Sun, 06 Nov 1994
/// 08:49:37 GMT"). @param nowMs milliseconds since the epoch. @return nullopt when unreadable.
inline std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string& value, std::int64_t nowMs) {
  auto begin = value.find_first_not_of(' ');
  if (begin == std::string::npos) {
    return std::nullopt;
  }
  auto end = value.find_last_not_of(' ') + 1;
  const char* first = value.data() + begin;
  const char* last = value.data() + end;
  long long seconds = 0;
  if (auto [p, ec] = std::from_chars(first, last, seconds); ec == std::errc() && p == last) {
    if (seconds < 0) {
      return std::nullopt;
    }
    return std::chrono::milliseconds(std::min<long long>(seconds, 10'000'000) * 1000);
  }
  std::tm tm{};
  const std::string text(first, last);
  const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (rest == nullptr || *rest != '\0') {
    return std::nullopt;
  }
  const long long at = static_cast<long long>(timegm(&tm)) * 1000;
  return std::chrono::milliseconds(std::max<long long>(0, at - nowMs));
}

/// @brief Stops calls to a system after `threshold` failures in a row, for `cooldown`; then lets one
/// trial call through (half-open): its success closes the breaker, its failure opens it again. Not
/// thread-safe: use it from one strand.
class CircuitBreaker {
 public:
  enum class State { Closed, Open, HalfOpen };

  /// @param threshold consecutive failures that open it (0 disables the breaker).
  CircuitBreaker(int threshold, std::chrono::milliseconds cooldown) : threshold_(threshold), cooldown_(cooldown) {}

  /// @brief May a call start now? In the half-open state only one trial is let through at a time.
  bool allow(std::int64_t nowMs) {
    if (threshold_ <= 0 || state_ == State::Closed) {
      return true;
    }
    if (state_ == State::Open) {
      if (nowMs - openedAt_ < cooldown_.count()) {
        return false;
      }
      state_ = State::HalfOpen;
      trialInFlight_ = false;
    }
    if (trialInFlight_) {
      return false;
    }
    trialInFlight_ = true;
    return true;
  }
  void onSuccess() {
    failures_ = 0;
    state_ = State::Closed;
    trialInFlight_ = false;
  }
  void onFailure(std::int64_t nowMs) {
    trialInFlight_ = false;
    if (threshold_ <= 0) {
      return;
    }
    if (state_ == State::HalfOpen || ++failures_ >= threshold_) {
      state_ = State::Open;
      openedAt_ = nowMs;
      failures_ = 0;
    }
  }
  State state() const { return state_; }
  /// @brief When an open breaker lets the next trial through (milliseconds since the epoch).
  std::int64_t reopensAt() const { return openedAt_ + cooldown_.count(); }

 private:
  int threshold_;
  std::chrono::milliseconds cooldown_;
  State state_ = State::Closed;
  int failures_ = 0;
  std::int64_t openedAt_ = 0;
  bool trialInFlight_ = false;
};

}  // namespace switchboard::sdk::retry
