#pragma once

// A device's stanzas not yet acknowledged, oldest first. Acknowledgements name ids; an index of
// the ids held makes one for a stanza that is not queued cost a lookup, and one that is a search
// from the newest end (devices acknowledge what they just got), instead of a pass over a queue
// that may hold thousands of stanzas its device never acknowledges (up to the queue's bound).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol/binary_node.hpp"

namespace switchboard::wasim {

/// A stanza sent (or waiting to be sent) to a device and not yet acknowledged by it.
struct PendingStanza {
  enum class Kind : std::uint8_t { Message, Receipt, Notification };
  Kind kind = Kind::Message;
  std::string id;
  whatsapp::Node node;
  std::size_t bytes = 0;  ///< approximate size, for the queue's byte bound
};

class PendingQueue {
 public:
  using const_iterator = std::deque<PendingStanza>::const_iterator;

  void push(PendingStanza stanza);
  /// Drops the oldest stanza (the queue must not be empty).
  void popFront();
  /// Removes every stanza of this kind whose id is `id`. @return how many were removed
  std::size_t acknowledge(PendingStanza::Kind kind, std::string_view id);

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  /// Approximate bytes held (the sum of the stanzas' `bytes`).
  std::size_t bytes() const { return bytes_; }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

 private:
  static std::string key(PendingStanza::Kind kind, std::string_view id);
  void forget(const PendingStanza& stanza);

  std::deque<PendingStanza> items_;
  std::unordered_map<std::string, std::uint32_t> held_;  // kind + id -> stanzas queued with it
  std::size_t bytes_ = 0;
};

}  // namespace switchboard::wasim
