#include "simulator/pending_queue.hpp"

namespace switchboard::wasim {

std::string PendingQueue::key(PendingStanza::Kind kind, std::string_view id) {
  std::string k;
  k.reserve(id.size() + 1);
  k.push_back(static_cast<char>('0' + static_cast<int>(kind)));
  k.append(id);
  return k;
}

void PendingQueue::push(PendingStanza stanza) {
  ++held_[key(stanza.kind, stanza.id)];
  bytes_ += stanza.bytes;
  items_.push_back(std::move(stanza));
}

void PendingQueue::forget(const PendingStanza& stanza) {
  bytes_ -= stanza.bytes;
  auto it = held_.find(key(stanza.kind, stanza.id));
  if (it != held_.end() && --it->second == 0) {
    held_.erase(it);
  }
}

void PendingQueue::popFront() {
  forget(items_.front());
  items_.pop_front();
}

std::size_t PendingQueue::acknowledge(PendingStanza::Kind kind, std::string_view id) {
  auto it = held_.find(key(kind, id));
  if (it == held_.end()) {
    return 0;
  }
  std::size_t left = it->second;
  std::size_t removed = 0;
  // Newest first, and only until every stanza held with this id is found.
  for (auto pos = items_.size(); pos > 0 && left > 0; --pos) {
    auto at = items_.begin() + static_cast<std::ptrdiff_t>(pos - 1);
    if (at->kind == kind && at->id == id) {
      bytes_ -= at->bytes;
      items_.erase(at);
      --left;
      ++removed;
    }
  }
  held_.erase(it);
  return removed;
}

}  // namespace switchboard::wasim
