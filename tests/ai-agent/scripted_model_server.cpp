#include "scripted_model_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <stdexcept>

#include "http/router.hpp"

namespace switchboard::aiagent::test {
namespace {

using json = nlohmann::json;

std::string completion(json message, const char* finish, int promptTokens, int completionTokens) {
  return json{{"id", "chatcmpl-test"},
              {"object", "chat.completion"},
              {"model", "scripted"},
              {"choices", {{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish}}}},
              {"usage",
               {{"prompt_tokens", promptTokens},
                {"completion_tokens", completionTokens},
                {"total_tokens", promptTokens + completionTokens}}}}
      .dump();
}

}  // namespace

ScriptedAnswer textAnswer(const std::string& text, int promptTokens, int completionTokens) {
  return {200, completion({{"role", "assistant"}, {"content", text}}, "stop", promptTokens, completionTokens), {}, {}};
}

ScriptedAnswer toolAnswer(const std::vector<std::pair<std::string, std::string>>& calls, int promptTokens,
                          int completionTokens) {
  json list = json::array();
  int n = 0;
  for (const auto& [name, args] : calls) {
    list.push_back({{"id", "call_" + std::to_string(++n)},
                    {"type", "function"},
                    {"function", {{"name", name}, {"arguments", args}}}});
  }
  return {200,
          completion({{"role", "assistant"}, {"content", nullptr}, {"tool_calls", list}}, "tool_calls", promptTokens,
                     completionTokens),
          {},
          {}};
}

ScriptedAnswer statusAnswer(unsigned status, std::map<std::string, std::string> headers) {
  return {status, json{{"error", {{"message", "scripted failure"}, {"type", "server_error"}}}}.dump(),
          std::move(headers), {}};
}

ScriptedModelServer::ScriptedModelServer(boost::asio::io_context& io) : io_(io) {
  fallback_ = textAnswer("How can I help you?");
  auto router = std::make_shared<http::Router>();
  router->addAsync("POST", "/v1/chat/completions", [this](http::Request req, http::Responder respond) {
    ScriptedAnswer answer;
    {
      std::lock_guard lock(mutex_);
      SeenCall seen;
      seen.body = json::parse(req.body, nullptr, false);
      seen.authorization = req.header("Authorization");
      seen.at = std::chrono::steady_clock::now();
      calls_.push_back(std::move(seen));
      if (!script_.empty()) {
        answer = std::move(script_.front());
        script_.pop_front();
      } else {
        answer = fallback_;
      }
    }
    changed_.notify_all();
    http::Response response;
    response.status = answer.status;
    response.body = answer.body;
    for (const auto& [k, v] : answer.headers) {
      response.headers[k] = v;
    }
    if (answer.delay.count() == 0) {
      respond(std::move(response));
      return;
    }
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, answer.delay);
    {
      std::lock_guard lock(mutex_);
      delayed_.push_back(timer);
    }
    // Answered when the delay ends or when stop() cancels it: a request left unanswered would keep
    // its connection alive past the test.
    timer->async_wait([timer, respond, response](const boost::system::error_code&) mutable {
      respond(std::move(response));
    });
  });
  http::ServerOptions options;
  options.name = "scripted-model";
  auto server = http::Server::start(io.get_executor(), options, router);
  if (!server.ok()) {
    throw std::runtime_error(server.error().describe());
  }
  server_ = server.value();
}

ScriptedModelServer::~ScriptedModelServer() { stop(); }

void ScriptedModelServer::stop() {
  std::vector<std::weak_ptr<boost::asio::steady_timer>> delayed;
  {
    std::lock_guard lock(mutex_);
    delayed.swap(delayed_);
  }
  for (const auto& weak : delayed) {
    if (auto timer = weak.lock()) {
      boost::asio::post(io_, [timer] { timer->cancel(); });
    }
  }
  if (server_) {
    server_->stop();
  }
}

std::string ScriptedModelServer::baseUrl() const { return server_->baseUrl() + "/v1"; }

void ScriptedModelServer::script(std::vector<ScriptedAnswer> answers) {
  std::lock_guard lock(mutex_);
  for (auto& a : answers) {
    script_.push_back(std::move(a));
  }
}

void ScriptedModelServer::setFallback(ScriptedAnswer answer) {
  std::lock_guard lock(mutex_);
  fallback_ = std::move(answer);
}

std::vector<SeenCall> ScriptedModelServer::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::size_t ScriptedModelServer::callCount() const {
  std::lock_guard lock(mutex_);
  return calls_.size();
}

bool ScriptedModelServer::waitForCalls(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return calls_.size() >= n; });
}

}  // namespace switchboard::aiagent::test
