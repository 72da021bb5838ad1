#pragma once

// The process's metrics, rendered in the Prometheus text exposition format. One registry per
// process; plugins reach it through a view that adds their `plugin` label.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "switchboard/sdk/context.hpp"

namespace switchboard::host {

class MetricsRegistry final : public sdk::Metrics {
 public:
  MetricsRegistry();
  ~MetricsRegistry() override;
  sdk::Counter& counter(const std::string& name, const std::string& help, const sdk::Labels& labels = {}) override;
  sdk::Gauge& gauge(const std::string& name, const std::string& help, const sdk::Labels& labels = {}) override;
  sdk::Histogram& histogram(const std::string& name, const std::string& help,
                            const sdk::Labels& labels = {}) override;

  /// Current value of a counter or gauge (tests, health checks); 0 when absent.
  double value(const std::string& name, const sdk::Labels& labels = {}) const;

  /// Prometheus text format, families sorted by name.
  std::string render() const;

 private:
  enum class Type { Counter, Gauge, Histogram };
  struct Series;
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Series>> series;  // keyed by rendered label set
  };
  Series& series(const std::string& name, const std::string& help, Type type, const sdk::Labels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

/// The registry as one plugin instance sees it: every series gets `plugin="<instance>"`.
class PluginMetrics final : public sdk::Metrics {
 public:
  PluginMetrics(MetricsRegistry& registry, std::string instance) : registry_(registry), instance_(std::move(instance)) {}
  sdk::Counter& counter(const std::string& name, const std::string& help, const sdk::Labels& labels = {}) override {
    return registry_.counter(name, help, withPlugin(labels));
  }
  sdk::Gauge& gauge(const std::string& name, const std::string& help, const sdk::Labels& labels = {}) override {
    return registry_.gauge(name, help, withPlugin(labels));
  }
  sdk::Histogram& histogram(const std::string& name, const std::string& help,
                            const sdk::Labels& labels = {}) override {
    return registry_.histogram(name, help, withPlugin(labels));
  }

 private:
  sdk::Labels withPlugin(sdk::Labels labels) const {
    labels["plugin"] = instance_;
    return labels;
  }
  MetricsRegistry& registry_;
  std::string instance_;
};

}  // namespace switchboard::host
