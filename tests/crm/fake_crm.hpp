#pragma once

// A stand-in CRM for the tests and the benchmark: sb_http's server over TLS (a CA generated per
// run), speaking both request shapes the plugin knows (the generic REST paths and HubSpot's v3
// objects), keeping what it is sent, and misbehaving on request: scripted statuses (429 with
// Retry-After, 5xx), or holding requests unanswered (a daemon stopped mid-delivery).

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/server.hpp"
#include "http/tls.hpp"

namespace switchboard::crm::test {

struct SeenRequest {
  std::string method, path, body;
  http::Headers headers;
  std::chrono::steady_clock::time_point at;
};

/// One scripted answer.
struct Scripted {
  unsigned status = 500;
  std::string body = "{\"error\":\"scripted\"}";
  http::Headers headers;
};

class FakeCrm {
 public:
  /// Starts listening on 127.0.0.1 (a free port) on `io`'s executor.
  explicit FakeCrm(boost::asio::io_context& io);
  ~FakeCrm();

  std::string baseUrl() const;
  /// The CA certificate (PEM) clients must trust.
  const std::string& caPem() const { return ca_.certPem; }
  void stop();

  /// The next calls get these answers, in order, before normal service resumes.
  void script(std::vector<Scripted> answers);
  /// Holds every request unanswered until release() (they get 503 then, or 200 with `serve`).
  void hold();
  void release(bool serve);

  std::vector<SeenRequest> requests() const;
  std::size_t requestCount() const;
  /// Contacts as upserted, by key (REST) or by HubSpot id property value.
  std::map<std::string, nlohmann::json> contacts() const;
  /// Notes and activities as posted (distinct Idempotency-Keys only), in order.
  std::vector<nlohmann::json> notes() const;
  std::vector<nlohmann::json> activities() const;
  /// Blocks until at least `n` requests arrived or `timeout` passed; returns the count.
  std::size_t waitForRequests(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  void handle(const http::Request& req, http::Responder respond);
  http::Response serve(const http::Request& req);

  http::PemIdentity ca_;
  std::shared_ptr<http::Server> server_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<SeenRequest> requests_;
  std::deque<Scripted> script_;
  bool holding_ = false;
  std::vector<std::pair<http::Request, http::Responder>> held_;
  std::map<std::string, nlohmann::json> contacts_;
  std::map<std::string, std::string> ids_;  // key -> CRM id
  std::vector<nlohmann::json> notes_, activities_;
  std::map<std::string, bool> idempotencyKeys_;
};

}  // namespace switchboard::crm::test
