#pragma once

// Requests (`<iq>`) waiting for their answer on one connection: each gets its reply, or an error
// when it times out or the connection ends. Runs on the session's strand.

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "protocol/binary_node.hpp"

namespace switchboard::whatsapp::connector {

class IqTracker {
 public:
  using Clock = std::chrono::steady_clock;
  /// The reply (type result or error), or why there was none.
  using Callback = std::function<void(sdk::Result<Node>)>;

  /// A fresh id for a request of this connection.
  std::string nextId();
  void expect(const std::string& id, Clock::time_point deadline, Callback callback);
  /// True when the node answered a pending request (and its callback ran).
  bool resolve(const Node& reply);
  /// Fails the requests whose deadline passed; returns how many.
  std::size_t expire(Clock::time_point now);
  /// Fails everything pending (the connection ended).
  void failAll(const sdk::Error& error);
  /// The earliest deadline, if any request is pending.
  std::optional<Clock::time_point> nextDeadline() const;
  std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    Clock::time_point deadline;
    Callback callback;
  };
  std::map<std::string, Pending> pending_;
  std::uint32_t counter_ = 0;
  std::string prefix_;
};

}  // namespace switchboard::whatsapp::connector
