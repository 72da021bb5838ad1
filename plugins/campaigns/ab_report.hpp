#pragma once

// The campaign funnel and the A/B verdict. Per variant: how many recipients reached each stage
// (a recipient who replied also counts as delivered and read), and delivery, read and reply rates
// over the recipients actually messaged. The winner is decided by a two-sided two-proportion
// z-test (pooled) of the chosen rate between the best and the second-best variant: it is declared
// only when p < alpha; otherwise the report says the difference is not significant.

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "recipient.hpp"

namespace switchboard::campaigns {

struct VariantFunnel {
  std::string variant;
  std::map<Status, long long> now;  ///< Recipients in each status now.
  long long messaged = 0;          ///< Handed to the outbound path (queued or beyond, or failed after).
  long long sent = 0, delivered = 0, read = 0, replied = 0, failed = 0, pending = 0, suppressed = 0;

  void add(const Recipient& r);
  double rate(long long n) const { return messaged == 0 ? 0.0 : static_cast<double>(n) / messaged; }
};

struct ZTest {
  double z = 0;
  double pValue = 1;
};

/// Two-sided two-proportion z-test with pooled variance; z = 0, p = 1 when either group is empty
/// or the pooled proportion is 0 or 1.
ZTest twoProportionZTest(long long successesA, long long totalA, long long successesB, long long totalB);

struct AbReport {
  std::vector<VariantFunnel> variants;  ///< In definition order.
  std::string metric;                   ///< "reply", "read" or "delivered".
  std::string best, runnerUp;
  ZTest test;
  double alpha = 0.05;
  std::optional<std::string> winner;    ///< Set only when significant.

  nlohmann::json toJson() const;
};

/// Builds the report from the recipients' records. `metric`: reply (default), read, delivered.
AbReport buildReport(const std::vector<std::string>& variantOrder, const std::vector<Recipient>& recipients,
                     const std::string& metric, double alpha);

}  // namespace switchboard::campaigns
