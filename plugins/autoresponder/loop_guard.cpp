#include "loop_guard.hpp"

#include <algorithm>

namespace switchboard::autoresponder {
namespace {

constexpr std::size_t kMaxRecentTexts = 16;

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h = (h ^ c) * 1099511628211ull;
  }
  return h;
}

}  // namespace

LoopGuard::LoopGuard(LoopSettings settings, std::size_t maxKeys)
    : settings_(settings), maxKeys_(std::max<std::size_t>(maxKeys, 1)) {}

LoopGuard::Verdict LoopGuard::onInbound(const std::string& conversation, std::string_view foldedText,
                                        sdk::TimestampMs now) {
  if (state_.size() >= maxKeys_ && state_.count(conversation) == 0) {
    prune(now);
  }
  auto& st = state_[conversation];
  st.lastSeen = now;
  if (st.pausedUntil > now) {
    return Verdict::Paused;
  }
  bool loop = false;
  if (settings_.fastReply.count() > 0) {
    if (st.lastReply != 0 && now - st.lastReply <= settings_.fastReply.count()) {
      loop = ++st.fastStreak >= settings_.maxFastReplies;
    } else {
      st.fastStreak = 0;
    }
    st.lastReply = 0;  // one answer per reply counts
  }
  if (settings_.maxRepeats > 0 && !foldedText.empty()) {
    const auto h = fnv1a(foldedText);
    const auto horizon = now - settings_.repeatWindow.count();
    st.recent.erase(std::remove_if(st.recent.begin(), st.recent.end(),
                                   [&](const auto& r) { return r.second < horizon; }),
                    st.recent.end());
    const auto same = std::count_if(st.recent.begin(), st.recent.end(), [&](const auto& r) { return r.first == h; });
    if (same + 1 >= settings_.maxRepeats) {
      loop = true;
    }
    if (st.recent.size() >= kMaxRecentTexts) {
      st.recent.erase(st.recent.begin());
    }
    st.recent.emplace_back(h, now);
  }
  if (!loop) {
    return Verdict::Ok;
  }
  st.pausedUntil = now + settings_.pause.count();
  st.fastStreak = 0;
  st.lastReply = 0;
  st.recent.clear();
  return Verdict::Detected;
}

void LoopGuard::onReply(const std::string& conversation, sdk::TimestampMs now) {
  auto& st = state_[conversation];
  st.lastReply = now;
  st.lastSeen = now;
}

void LoopGuard::reset(const std::string& conversation) { state_.erase(conversation); }

void LoopGuard::prune(sdk::TimestampMs now) {
  const auto idle = std::max(settings_.repeatWindow.count(), settings_.fastReply.count());
  for (auto it = state_.begin(); it != state_.end();) {
    const bool quiet = it->second.pausedUntil <= now && now - it->second.lastSeen > idle;
    it = quiet ? state_.erase(it) : std::next(it);
  }
  if (state_.size() >= maxKeys_ - maxKeys_ / 10) {
    // Nearly everything is recent: drop the conversations seen longest ago, keeping paused ones
    // (freeing a good share, so the next new conversation does not scan again).
    std::vector<sdk::TimestampMs> seen;
    for (const auto& [k, st] : state_) {
      seen.push_back(st.lastSeen);
    }
    auto mid = seen.begin() + static_cast<std::ptrdiff_t>(seen.size() / 2);
    std::nth_element(seen.begin(), mid, seen.end());
    const auto cutoff = *mid;
    for (auto it = state_.begin(); it != state_.end();) {
      const bool drop = it->second.lastSeen <= cutoff && it->second.pausedUntil <= now;
      it = drop ? state_.erase(it) : std::next(it);
    }
  }
}

}  // namespace switchboard::autoresponder
