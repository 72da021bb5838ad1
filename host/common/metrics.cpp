#include "common/metrics.hpp"

#include <array>
#include <cmath>
#include <sstream>

namespace switchboard::host {
namespace {

// Bucket bounds suited to latencies in seconds (1 ms .. 60 s).
constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,   0.25,   0.5,   1,    5,     60};

void atomicAdd(std::atomic<double>& target, double by) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

std::string escapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string renderLabels(const sdk::Labels& labels) {
  if (labels.empty()) {
    return "";
  }
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) {
      out += ',';
    }
    first = false;
    out += k + "=\"" + escapeLabel(v) + "\"";
  }
  return out + "}";
}

std::string formatNumber(double v) {
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  std::ostringstream os;
  os.precision(15);
  os << v;
  return os.str();
}

}  // namespace

struct MetricsRegistry::Series final : sdk::Counter, sdk::Gauge, sdk::Histogram {
  std::atomic<double> value{0};
  std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets{};
  std::atomic<std::uint64_t> count{0};

  void inc(double by) override { atomicAdd(value, by); }
  void set(double v) override { value.store(v, std::memory_order_relaxed); }
  void add(double by) override { atomicAdd(value, by); }
  void observe(double v) override {
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      if (v <= kBuckets[i]) {
        buckets[i].fetch_add(1, std::memory_order_relaxed);
      }
    }
    count.fetch_add(1, std::memory_order_relaxed);
    atomicAdd(value, v);
  }
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Series& MetricsRegistry::series(const std::string& name, const std::string& help, Type type,
                                                 const sdk::Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& family = families_[name];
  if (family.series.empty()) {
    family.type = type;
    family.help = help;
  }
  auto& slot = family.series[renderLabels(labels)];
  if (!slot) {
    slot = std::make_unique<Series>();
  }
  return *slot;
}

sdk::Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const sdk::Labels& labels) {
  return series(name, help, Type::Counter, labels);
}

sdk::Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const sdk::Labels& labels) {
  return series(name, help, Type::Gauge, labels);
}

sdk::Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                           const sdk::Labels& labels) {
  return series(name, help, Type::Histogram, labels);
}

double MetricsRegistry::value(const std::string& name, const sdk::Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end()) {
    return 0;
  }
  auto s = f->second.series.find(renderLabels(labels));
  return s == f->second.series.end() ? 0 : s->second->value.load();
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const std::string full = "switchboard_" + name;
    const char* type = family.type == Type::Counter ? "counter" : family.type == Type::Gauge ? "gauge" : "histogram";
    out += "# HELP " + full + " " + family.help + "\n# TYPE " + full + " " + type + "\n";
    for (const auto& [labels, s] : family.series) {
      if (family.type != Type::Histogram) {
        out += full + labels + " " + formatNumber(s->value.load()) + "\n";
        continue;
      }
      // Insert the `le` label into the existing label set.
      const std::string inner = labels.empty() ? "" : labels.substr(1, labels.size() - 2) + ",";
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out += full + "_bucket{" + inner + "le=\"" + formatNumber(kBuckets[i]) + "\"} " +
               std::to_string(s->buckets[i].load()) + "\n";
      }
      out += full + "_bucket{" + inner + "le=\"+Inf\"} " + std::to_string(s->count.load()) + "\n";
      out += full + "_sum" + labels + " " + formatNumber(s->value.load()) + "\n";
      out += full + "_count" + labels + " " + std::to_string(s->count.load()) + "\n";
    }
  }
  return out;
}

}  // namespace switchboard::host
