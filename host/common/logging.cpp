#include "common/logging.hpp"

#include <cstdlib>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace switchboard::host {
namespace {

std::mutex gMutex;
spdlog::sink_ptr gSink;

spdlog::level::level_enum toSpd(sdk::LogLevel level) {
  switch (level) {
    case sdk::LogLevel::Trace: return spdlog::level::trace;
    case sdk::LogLevel::Debug: return spdlog::level::debug;
    case sdk::LogLevel::Info: return spdlog::level::info;
    case sdk::LogLevel::Warn: return spdlog::level::warn;
    case sdk::LogLevel::Error: return spdlog::level::err;
    case sdk::LogLevel::Critical: return spdlog::level::critical;
  }
  return spdlog::level::info;
}

// sd-daemon(3) priority prefixes, by spdlog level.
class JournalPrefixFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr const char* kPrefix[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    const char* p = kPrefix[static_cast<int>(msg.level)];
    dest.append(p, p + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JournalPrefixFlag>(); }
};

}  // namespace

void initLogging(spdlog::level::level_enum level) {
  std::lock_guard lock(gMutex);
  if (!gSink) {
    gSink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
      formatter->add_flag<JournalPrefixFlag>('*').set_pattern("%*[%n] %v");
    } else {
      formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
    }
    gSink->set_formatter(std::move(formatter));
    auto logger = std::make_shared<spdlog::logger>("switchboard", gSink);
    spdlog::set_default_logger(logger);
  }
  spdlog::set_level(level);
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

bool parseLogLevel(std::string_view text, spdlog::level::level_enum& out) {
  static const std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug}, {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},   {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off}};
  for (const auto& [name, level] : kLevels) {
    if (name == text) {
      out = level;
      return true;
    }
  }
  return false;
}

std::shared_ptr<spdlog::logger> componentLogger(const std::string& name) {
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  if (!gSink) {
    initLogging(spdlog::level::info);
  }
  std::lock_guard lock(gMutex);
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  auto logger = std::make_shared<spdlog::logger>(name, gSink);
  logger->set_level(spdlog::default_logger()->level());
  spdlog::register_logger(logger);
  return logger;
}

void PluginLogger::log(sdk::LogLevel level, std::string_view message) { logger_->log(toSpd(level), message); }

bool PluginLogger::enabled(sdk::LogLevel level) const { return logger_->should_log(toSpd(level)); }

}  // namespace switchboard::host
