#include "model_client.hpp"

namespace switchboard::aiagent {

ModelClient::ModelClient(boost::asio::any_io_executor executor, std::shared_ptr<sdk::HttpClient> http,
                         ProviderSettings settings, Clock clock)
    : executor_(std::move(executor)),
      http_(std::move(http)),
      settings_(std::move(settings)),
      clock_(std::move(clock)),
      breaker_(settings_.breakerFailures, settings_.breakerCooldown) {}

void ModelClient::stop() {
  stopped_ = true;
  for (const auto& t : timers_) {
    t->cancel();
  }
  timers_.clear();
}

void ModelClient::complete(const ChatRequest& request, Done done) {
  auto call = std::make_shared<Call>();
  call->body = encodeChatRequest(request);
  call->done = std::move(done);
  call->started = std::chrono::steady_clock::now();
  attempt(std::move(call));
}

void ModelClient::attempt(std::shared_ptr<Call> call) {
  if (stopped_) {
    return;
  }
  if (!breaker_.allow(clock_())) {
    finish(call,
           sdk::Error::retriable("ai.breaker_open", "calls to the model server are paused after " +
                                                        std::to_string(settings_.breakerFailures) +
                                                        " failures in a row"),
           "breaker_open");
    return;
  }
  ++call->attempts;
  sdk::HttpCall http;
  http.method = "POST";
  http.url = settings_.baseUrl + "/chat/completions";
  http.headers["Content-Type"] = "application/json";
  http.headers["Accept"] = "application/json";
  if (!settings_.apiKey.empty()) {
    http.headers["Authorization"] = "Bearer " + settings_.apiKey;
  }
  http.body = call->body;
  http.timeout = settings_.timeout;
  http_->request(std::move(http), [self = shared_from_this(), call](sdk::Result<sdk::HttpReply> reply) {
    self->onReply(call, std::move(reply));
  });
}

void ModelClient::onReply(std::shared_ptr<Call> call, sdk::Result<sdk::HttpReply> reply) {
  if (stopped_) {
    return;
  }
  std::uniform_real_distribution<double> jitter(0, 1);
  auto backoff = [&] {
    return sdk::retry::backoffAfter(call->attempts, settings_.initialBackoff, settings_.maxBackoff, jitter(random_));
  };
  if (!reply.ok()) {
    const auto& e = reply.error();
    breaker_.onFailure(clock_());
    const bool timeout = e.code == "http.timeout";
    if (!e.isRetriable()) {
      finish(call, sdk::Error::permanent(e.code, "model server " + settings_.baseUrl + ": " + e.message), "network");
      return;
    }
    retryOrFail(call, backoff(), sdk::Error::retriable(e.code, "model server " + settings_.baseUrl + ": " + e.message),
                timeout ? "timeout" : "network");
    return;
  }
  const auto& r = reply.value();
  if (r.status == 429) {
    // The server is up and says when to come back: not a failure for the breaker.
    auto wait = sdk::retry::parseRetryAfter(r.header("retry-after"), clock_());
    auto pause = wait ? std::min(*wait, settings_.maxRetryAfter) : backoff();
    retryOrFail(call, pause,
                sdk::Error::retriable("ai.rate_limited", "model server " + settings_.baseUrl + " answered 429"),
                "rate_limited");
    return;
  }
  if (r.status >= 500 || r.status == 408) {
    breaker_.onFailure(clock_());
    retryOrFail(call, backoff(),
                sdk::Error::retriable("ai.server_error",
                                      "model server " + settings_.baseUrl + " answered " + std::to_string(r.status)),
                "server_error");
    return;
  }
  if (r.status < 200 || r.status >= 300) {
    // A 4xx repeats itself (bad key, unknown model, request too long): not retried, and not the
    // server's fault either.
    breaker_.onSuccess();
    finish(call,
           sdk::Error::permanent("ai.rejected", "model server " + settings_.baseUrl + " answered " +
                                                    std::to_string(r.status) + " (check base_url, model and key)"),
           "rejected");
    return;
  }
  breaker_.onSuccess();
  auto completion = decodeChatCompletion(r.body);
  const bool ok = completion.ok();
  finish(call, std::move(completion), ok ? "ok" : "bad_response");
}

void ModelClient::retryOrFail(std::shared_ptr<Call> call, std::chrono::milliseconds wait, sdk::Error error,
                              std::string outcome) {
  if (call->attempts >= settings_.maxAttempts) {
    finish(call, std::move(error), std::move(outcome));
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(executor_);
  timer->expires_after(wait);
  timers_.insert(timer);
  timer->async_wait([self = shared_from_this(), timer, call](const boost::system::error_code& ec) {
    self->timers_.erase(timer);
    if (ec || self->stopped_) {
      return;
    }
    self->attempt(call);
  });
}

void ModelClient::finish(const std::shared_ptr<Call>& call, sdk::Result<ChatCompletion> result, std::string outcome) {
  CallOutcome out;
  out.completion = std::move(result);
  out.attempts = call->attempts;
  out.latency = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - call->started);
  out.outcome = std::move(outcome);
  auto done = std::move(call->done);
  if (done) {
    done(std::move(out));
  }
}

}  // namespace switchboard::aiagent
