#pragma once

// Keeps what one component logger (e.g. the plugin's "plugin.crm") writes while it lives, so a
// test can assert that something was logged. Attach before the component logs from other threads.

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "common/logging.hpp"

namespace switchboard::crm::test {

class LogCapture {
 public:
  explicit LogCapture(const std::string& component)
      : logger_(host::componentLogger(component)), sink_(std::make_shared<Sink>()) {
    logger_->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = logger_->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// Lines so far containing every one of `parts`.
  std::size_t count(std::initializer_list<std::string> parts) const { return sink_->count(parts); }

 private:
  class Sink final : public spdlog::sinks::base_sink<std::mutex> {
   public:
    std::size_t count(std::initializer_list<std::string> parts) {
      std::lock_guard lock(mutex_);
      return static_cast<std::size_t>(std::count_if(lines_.begin(), lines_.end(), [&](const std::string& line) {
        return std::all_of(parts.begin(), parts.end(),
                           [&](const std::string& p) { return line.find(p) != std::string::npos; });
      }));
    }

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
      lines_.emplace_back(msg.payload.data(), msg.payload.size());
    }
    void flush_() override {}

   private:
    std::vector<std::string> lines_;
  };

  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<Sink> sink_;
};

}  // namespace switchboard::crm::test
