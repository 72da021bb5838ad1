#include "fake_crm.hpp"

#include <optional>
#include <stdexcept>

#include "http/router.hpp"

namespace switchboard::crm::test {

FakeCrm::FakeCrm(boost::asio::io_context& io) {
  auto ca = http::generateCa("fake CRM test CA");
  if (!ca.ok()) {
    throw std::runtime_error(ca.error().describe());
  }
  ca_ = ca.value();
  auto cert = http::issueServerCertificate(ca_, "localhost", {"localhost"}, {"127.0.0.1"});
  if (!cert.ok()) {
    throw std::runtime_error(cert.error().describe());
  }
  auto tls = http::serverTlsFromPem(cert->certPem, cert->keyPem);
  if (!tls.ok()) {
    throw std::runtime_error(tls.error().describe());
  }
  auto router = std::make_shared<http::Router>();
  for (const char* pattern : {"/contacts/{key}", "/contacts/{key}/notes", "/contacts/{key}/activities",
                              "/crm/v3/objects/contacts/batch/upsert", "/crm/v3/objects/notes"}) {
    for (const char* method : {"PUT", "POST", "PATCH"}) {
      router->addAsync(method, pattern, [this](http::Request req, http::Responder respond) {
        handle(req, std::move(respond));
      });
    }
  }
  http::ServerOptions options;
  options.tls = tls.value();
  options.name = "fake-crm";
  auto server = http::Server::start(io.get_executor(), options, router);
  if (!server.ok()) {
    throw std::runtime_error(server.error().describe());
  }
  server_ = server.value();
}

FakeCrm::~FakeCrm() { stop(); }

void FakeCrm::stop() {
  release(false);
  if (server_) {
    server_->stop();
  }
}

std::string FakeCrm::baseUrl() const { return server_->baseUrl(); }

void FakeCrm::script(std::vector<Scripted> answers) {
  std::lock_guard lock(mutex_);
  for (auto& a : answers) {
    script_.push_back(std::move(a));
  }
}

void FakeCrm::hold() {
  std::lock_guard lock(mutex_);
  holding_ = true;
}

void FakeCrm::release(bool serveThem) {
  std::vector<std::pair<http::Request, http::Responder>> held;
  {
    std::lock_guard lock(mutex_);
    holding_ = false;
    held.swap(held_);
  }
  for (auto& [req, respond] : held) {
    respond(serveThem ? serve(req) : http::Response::error(503, "unavailable", "released unanswered"));
  }
}

void FakeCrm::handle(const http::Request& req, http::Responder respond) {
  std::optional<Scripted> scripted;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back({req.method, req.path, req.body, req.headers, std::chrono::steady_clock::now()});
    changed_.notify_all();
    if (holding_) {
      held_.emplace_back(req, std::move(respond));
      return;
    }
    if (!script_.empty()) {
      scripted = std::move(script_.front());
      script_.pop_front();
    }
  }
  if (scripted) {
    http::Response r = http::Response::text(scripted->status, scripted->body, "application/json");
    r.headers = scripted->headers;
    respond(std::move(r));
    return;
  }
  respond(serve(req));
}

http::Response FakeCrm::serve(const http::Request& req) {
  auto body = req.jsonBody();
  if (!body.ok()) {
    return http::Response::error(400, "bad_json", body.error().message);
  }
  std::lock_guard lock(mutex_);
  const auto idem = req.header("Idempotency-Key");
  const bool repeat = !idem.empty() && !idempotencyKeys_.emplace(idem, true).second;
  auto idFor = [&](const std::string& key) {
    auto [it, fresh] = ids_.emplace(key, std::to_string(1000 + ids_.size()));
    return it->second;
  };
  if (req.path == "/crm/v3/objects/contacts/batch/upsert") {
    const auto& inputs = body.value()["inputs"];
    if (!inputs.is_array() || inputs.size() != 1) {
      return http::Response::error(400, "bad_inputs", "one input expected");
    }
    const auto key = inputs[0]["id"].get<std::string>();
    auto& stored = contacts_[key];
    for (const auto& [k, v] : inputs[0]["properties"].items()) {
      stored[k] = v;
    }
    return http::Response::json(200, {{"status", "COMPLETE"}, {"results", {{{"id", idFor(key)}}}}});
  }
  if (req.path == "/crm/v3/objects/notes") {
    if (!repeat) {
      notes_.push_back(body.value());
    }
    return http::Response::json(201, {{"id", "n" + std::to_string(notes_.size())}});
  }
  const auto key = req.param("key");
  if (req.path.size() > 6 && req.path.compare(req.path.size() - 6, 6, "/notes") == 0) {
    if (!repeat) {
      auto note = body.value();
      note["key"] = key;
      notes_.push_back(note);
    }
    return http::Response::json(201, {{"ok", true}});
  }
  if (req.path.size() > 11 && req.path.compare(req.path.size() - 11, 11, "/activities") == 0) {
    if (!repeat) {
      auto a = body.value();
      a["key"] = key;
      activities_.push_back(a);
    }
    return http::Response::json(201, {{"ok", true}});
  }
  contacts_[key] = body.value();
  return http::Response::json(200, {{"id", idFor(key)}});
}

std::vector<SeenRequest> FakeCrm::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t FakeCrm::requestCount() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

std::map<std::string, nlohmann::json> FakeCrm::contacts() const {
  std::lock_guard lock(mutex_);
  return contacts_;
}

std::vector<nlohmann::json> FakeCrm::notes() const {
  std::lock_guard lock(mutex_);
  return notes_;
}

std::vector<nlohmann::json> FakeCrm::activities() const {
  std::lock_guard lock(mutex_);
  return activities_;
}

std::size_t FakeCrm::waitForRequests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  return requests_.size();
}

}  // namespace switchboard::crm::test
