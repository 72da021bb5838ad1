#pragma once

// A client of one OpenAI-compatible chat completions server through the host's HTTP client (TLS
// verified by default): one call may take several attempts. 429 waits for Retry-After (bounded),
// 5xx, 408, timeouts and network errors wait an exponential backoff, other 4xx fail at once; a
// circuit breaker stops calling a server that keeps failing. The API key goes in the
// Authorization header only; it is never logged or put in an error message. Runs on the plugin's
// strand.

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent_settings.hpp"
#include "chat_protocol.hpp"
#include "switchboard/sdk/http_client.hpp"
#include "switchboard/sdk/retry.hpp"

namespace switchboard::aiagent {

struct CallOutcome {
  sdk::Result<ChatCompletion> completion = sdk::Error::permanent("ai.not_called", "no call was made");
  int attempts = 0;
  std::chrono::milliseconds latency{0};  ///< from the first attempt to the answer used
  /// ok, rate_limited, server_error, timeout, network, rejected, bad_response, breaker_open
  std::string outcome = "ok";
};

class ModelClient : public std::enable_shared_from_this<ModelClient> {
 public:
  using Clock = std::function<std::int64_t()>;  ///< milliseconds since the epoch
  using Done = std::function<void(CallOutcome)>;

  ModelClient(boost::asio::any_io_executor executor, std::shared_ptr<sdk::HttpClient> http, ProviderSettings settings,
              Clock clock);

  /// Sends `request`; `done` runs once on the strand, unless stop() came first.
  void complete(const ChatRequest& request, Done done);
  /// No more callbacks; waits in progress are cancelled.
  void stop();
  sdk::retry::CircuitBreaker::State breakerState() const { return breaker_.state(); }

 private:
  struct Call {
    std::string body;
    Done done;
    int attempts = 0;
    std::chrono::steady_clock::time_point started;
  };
  void attempt(std::shared_ptr<Call> call);
  void onReply(std::shared_ptr<Call> call, sdk::Result<sdk::HttpReply> reply);
  /// Retries after `wait` when attempts remain, otherwise finishes with `error`.
  void retryOrFail(std::shared_ptr<Call> call, std::chrono::milliseconds wait, sdk::Error error, std::string outcome);
  void finish(const std::shared_ptr<Call>& call, sdk::Result<ChatCompletion> result, std::string outcome);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<sdk::HttpClient> http_;
  ProviderSettings settings_;
  Clock clock_;
  sdk::retry::CircuitBreaker breaker_;
  std::set<std::shared_ptr<boost::asio::steady_timer>> timers_;
  std::minstd_rand random_{std::random_device{}()};
  bool stopped_ = false;
};

}  // namespace switchboard::aiagent
