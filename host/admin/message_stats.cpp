#include "admin/message_stats.hpp"

#include <algorithm>
#include <map>

namespace switchboard::admin {
namespace {

constexpr std::int64_t kMinuteMs = 60'000;

ResponseSummary summarize(std::vector<std::int64_t> times) {
  ResponseSummary s;
  if (times.empty()) {
    return s;
  }
  std::sort(times.begin(), times.end());
  s.count = static_cast<int>(times.size());
  double sum = 0;
  for (auto t : times) {
    sum += static_cast<double>(t);
  }
  s.avgMs = sum / static_cast<double>(times.size());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  auto rank = [&](double p) {
    auto i = static_cast<std::size_t>(p * static_cast<double>(times.size()) + 0.999999);
    return times[std::min(times.size(), std::max<std::size_t>(i, 1)) - 1];
  };
  s.p50Ms = rank(0.5);
  s.p90Ms = rank(0.9);
  s.maxMs = times.back();
  return s;
}

}  // namespace

MessageStats summarizeMessages(std::vector<MessageRow> rows, std::int64_t nowMs, int minutes) {
  minutes = std::clamp(minutes, 1, 24 * 60);
  MessageStats out;
  out.to = (nowMs / kMinuteMs + 1) * kMinuteMs;
  out.from = out.to - static_cast<std::int64_t>(minutes) * kMinuteMs;
  out.minutes.resize(static_cast<std::size_t>(minutes));
  for (int i = 0; i < minutes; ++i) {
    out.minutes[static_cast<std::size_t>(i)].start = out.from + i * kMinuteMs;
  }
  auto bucket = [&](std::int64_t ts) -> MinuteStats* {
    if (ts < out.from || ts >= out.to) {
      return nullptr;
    }
    return &out.minutes[static_cast<std::size_t>((ts - out.from) / kMinuteMs)];
  };

  // Oldest first; a message and its reply in the same millisecond keep their stored order.
  std::stable_sort(rows.begin(), rows.end(), [](const MessageRow& a, const MessageRow& b) { return a.ts < b.ts; });
  std::map<std::string, std::int64_t> turnStart;  // conversation -> first unanswered customer message
  std::vector<std::int64_t> all, automatic, agent;
  std::vector<double> minuteSums(out.minutes.size(), 0);
  for (const auto& r : rows) {
    auto* m = bucket(r.ts);
    if (r.inbound) {
      turnStart.emplace(r.conversation, r.ts);  // keeps the turn's first message
      if (m != nullptr) {
        ++m->in;
      }
      continue;
    }
    if (m != nullptr) {
      ++m->out;
    }
    auto it = turnStart.find(r.conversation);
    if (it == turnStart.end()) {
      continue;  // a second reply, or a message that answers nothing
    }
    const std::int64_t took = std::max<std::int64_t>(0, r.ts - it->second);
    turnStart.erase(it);
    if (m == nullptr) {
      continue;
    }
    all.push_back(took);
    (r.automatic ? automatic : agent).push_back(took);
    ++m->responses;
    minuteSums[static_cast<std::size_t>(m - out.minutes.data())] += static_cast<double>(took);
  }
  for (std::size_t i = 0; i < out.minutes.size(); ++i) {
    if (out.minutes[i].responses > 0) {
      out.minutes[i].responseAvgMs = minuteSums[i] / out.minutes[i].responses;
    }
  }
  out.responses = summarize(std::move(all));
  out.automatic = summarize(std::move(automatic));
  out.agent = summarize(std::move(agent));
  return out;
}

}  // namespace switchboard::admin
