#pragma once

// An OpenAI-compatible chat completions server on loopback that plays scripted answers: texts,
// tool calls (well-formed or not), delays past the client's deadline, 429 with Retry-After, 500.
// It stands in for a real model, which cannot run in these tests; what it is sent is kept for the
// assertions. Built on the project's HTTP server (sb_http).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/server.hpp"

namespace switchboard::aiagent::test {

struct ScriptedAnswer {
  unsigned status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds delay{0};
};

/// A completion with text, and its token usage.
ScriptedAnswer textAnswer(const std::string& text, int promptTokens = 50, int completionTokens = 10);
/// A completion calling tools: (name, arguments as the model wrote them).
ScriptedAnswer toolAnswer(const std::vector<std::pair<std::string, std::string>>& calls, int promptTokens = 60,
                          int completionTokens = 20);
ScriptedAnswer statusAnswer(unsigned status, std::map<std::string, std::string> headers = {});

struct SeenCall {
  nlohmann::json body;
  std::string authorization;
  std::chrono::steady_clock::time_point at;
};

class ScriptedModelServer {
 public:
  explicit ScriptedModelServer(boost::asio::io_context& io);
  ~ScriptedModelServer();

  /// "http://127.0.0.1:<port>/v1"
  std::string baseUrl() const;
  /// The next calls get these answers, in order; then `fallback`.
  void script(std::vector<ScriptedAnswer> answers);
  void setFallback(ScriptedAnswer answer);
  std::vector<SeenCall> calls() const;
  std::size_t callCount() const;
  bool waitForCalls(std::size_t n, std::chrono::milliseconds timeout) const;
  void stop();

 private:
  std::shared_ptr<http::Server> server_;
  boost::asio::io_context& io_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<ScriptedAnswer> script_;
  ScriptedAnswer fallback_;
  std::vector<SeenCall> calls_;
  std::vector<std::weak_ptr<boost::asio::steady_timer>> delayed_;
};

}  // namespace switchboard::aiagent::test
