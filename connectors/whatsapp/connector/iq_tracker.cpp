#include "connector/iq_tracker.hpp"

#include <vector>

#include "connector/stanza.hpp"
#include "protocol/crypto.hpp"

namespace switchboard::whatsapp::connector {

std::string IqTracker::nextId() {
  if (prefix_.empty()) {
    // A random prefix per connection: an answer to a request of an earlier connection (the server
    // may flush them late) never matches a request of this one.
    std::array<std::uint8_t, 3> r{};
    randomBytes(r);
    prefix_ = toHex(r) + "-";
  }
  return prefix_ + std::to_string(++counter_);
}

void IqTracker::expect(const std::string& id, Clock::time_point deadline, Callback callback) {
  pending_[id] = {deadline, std::move(callback)};
}

bool IqTracker::resolve(const Node& reply) {
  auto id = reply.attr("id");
  if (!id) {
    return false;
  }
  auto it = pending_.find(std::string(*id));
  if (it == pending_.end()) {
    return false;
  }
  auto cb = std::move(it->second.callback);
  pending_.erase(it);
  if (attrOr(reply, "type") == "error") {
    const Node* err = reply.child("error");
    const std::string code = err ? attrOr(*err, "code", "?") : "?";
    const std::string text = err ? attrOr(*err, "text") : std::string();
    cb(sdk::Error::permanent("whatsapp.iq." + code, "the server answered error " + code +
                                                       (text.empty() ? "" : " (" + text + ")")));
  } else {
    cb(reply);
  }
  return true;
}

std::size_t IqTracker::expire(Clock::time_point now) {
  std::vector<Callback> due;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline <= now) {
      due.push_back(std::move(it->second.callback));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& cb : due) {
    cb(sdk::Error::retriable("whatsapp.iq.timeout", "the server did not answer in time"));
  }
  return due.size();
}

void IqTracker::failAll(const sdk::Error& error) {
  auto all = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : all) {
    p.callback(error);
  }
}

std::optional<IqTracker::Clock::time_point> IqTracker::nextDeadline() const {
  std::optional<Clock::time_point> out;
  for (const auto& [id, p] : pending_) {
    if (!out || p.deadline < *out) {
      out = p.deadline;
    }
  }
  return out;
}

}  // namespace switchboard::whatsapp::connector
