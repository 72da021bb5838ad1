#include "ab_report.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::campaigns {

void VariantFunnel::add(const Recipient& r) {
  ++now[r.status];
  const int stage = static_cast<int>(r.status);
  switch (r.status) {
    case Status::Pending: ++pending; return;
    case Status::Suppressed: ++suppressed; return;
    case Status::Failed: ++failed; ++messaged; return;
    default: break;
  }
  ++messaged;
  sent += stage >= static_cast<int>(Status::Sent) ? 1 : 0;
  delivered += stage >= static_cast<int>(Status::Delivered) ? 1 : 0;
  read += stage >= static_cast<int>(Status::Read) ? 1 : 0;
  replied += r.status == Status::Replied ? 1 : 0;
}

ZTest twoProportionZTest(long long successesA, long long totalA, long long successesB, long long totalB) {
  ZTest t;
  if (totalA <= 0 || totalB <= 0) {
    return t;
  }
  const double pa = static_cast<double>(successesA) / totalA, pb = static_cast<double>(successesB) / totalB;
  const double pooled = static_cast<double>(successesA + successesB) / static_cast<double>(totalA + totalB);
  const double variance = pooled * (1 - pooled) * (1.0 / totalA + 1.0 / totalB);
  if (variance <= 0) {
    return t;
  }
  t.z = (pa - pb) / std::sqrt(variance);
  t.pValue = std::erfc(std::fabs(t.z) / std::sqrt(2.0));
  return t;
}

namespace {

VariantFunnel funnelOf(const std::string& variant) {
  VariantFunnel f;
  f.variant = variant;
  return f;
}

long long successes(const VariantFunnel& f, const std::string& metric) {
  return metric == "read" ? f.read : metric == "delivered" ? f.delivered : f.replied;
}

}  // namespace

AbReport buildReport(const std::vector<std::string>& variantOrder, const std::vector<Recipient>& recipients,
                     const std::string& metric, double alpha) {
  AbReport report;
  report.metric = metric == "read" || metric == "delivered" ? metric : "reply";
  report.alpha = alpha;
  std::map<std::string, std::size_t> index;
  for (const auto& v : variantOrder) {
    index[v] = report.variants.size();
    report.variants.push_back(funnelOf(v));
  }
  for (const auto& r : recipients) {
    auto it = index.find(r.variant);
    if (it == index.end()) {  // a variant removed from the definition: still counted
      it = index.emplace(r.variant, report.variants.size()).first;
      report.variants.push_back(funnelOf(r.variant));
    }
    report.variants[it->second].add(r);
  }
  if (report.variants.size() < 2) {
    return report;
  }
  std::vector<const VariantFunnel*> ranked;
  for (const auto& f : report.variants) {
    ranked.push_back(&f);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](const VariantFunnel* a, const VariantFunnel* b) {
    return a->rate(successes(*a, report.metric)) > b->rate(successes(*b, report.metric));
  });
  const auto& a = *ranked[0];
  const auto& b = *ranked[1];
  report.best = a.variant;
  report.runnerUp = b.variant;
  report.test = twoProportionZTest(successes(a, report.metric), a.messaged, successes(b, report.metric), b.messaged);
  if (report.test.pValue < alpha && report.test.z > 0) {
    report.winner = a.variant;
  }
  return report;
}

nlohmann::json AbReport::toJson() const {
  nlohmann::json vs = nlohmann::json::array();
  for (const auto& f : variants) {
    nlohmann::json statuses = nlohmann::json::object();
    for (const auto& [s, n] : f.now) {
      statuses[toString(s)] = n;
    }
    vs.push_back({{"variant", f.variant},
                  {"messaged", f.messaged},
                  {"pending", f.pending},
                  {"suppressed", f.suppressed},
                  {"sent", f.sent},
                  {"delivered", f.delivered},
                  {"read", f.read},
                  {"replied", f.replied},
                  {"failed", f.failed},
                  {"delivery_rate", f.rate(f.delivered)},
                  {"read_rate", f.rate(f.read)},
                  {"reply_rate", f.rate(f.replied)},
                  {"statuses", statuses}});
  }
  nlohmann::json j = {{"variants", vs}, {"metric", metric}};
  if (variants.size() >= 2) {
    j["test"] = {{"name", "two-proportion z-test (pooled, two-sided)"},
                 {"compared", {best, runnerUp}},
                 {"z", test.z},
                 {"p_value", test.pValue},
                 {"alpha", alpha},
                 {"significant", winner.has_value()}};
    j["winner"] = winner ? nlohmann::json(*winner) : nlohmann::json(nullptr);
  }
  return j;
}

}  // namespace switchboard::campaigns
