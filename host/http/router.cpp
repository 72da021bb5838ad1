#include "http/router.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>

namespace switchboard::http {

struct Responder::State {
  Sink sink;
  std::atomic<bool> done{false};
  ~State() {
    // Every copy is gone and nobody answered: the client must not wait for its timeout.
    if (!done.exchange(true) && sink) {
      sink(Response::error(500, "internal", "the handler did not answer"));
    }
  }
};

Responder::Responder(Sink sink) : state_(std::make_shared<State>()) { state_->sink = std::move(sink); }

void Responder::operator()(Response response) const {
  if (!state_->done.exchange(true)) {
    state_->sink(std::move(response));
  }
}

namespace {

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t pos = 1;  // paths start with '/'
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    parts.emplace_back(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) {
      break;
    }
    pos = slash + 1;
  }
  return parts;
}

}  // namespace

std::vector<Router::Segment> Router::compile(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  std::vector<Segment> segments;
  for (auto part : splitPath(pattern)) {
    Segment s;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      s.placeholder = true;
      s.text = std::string(part.substr(1, part.size() - 2));
    } else {
      s.text = std::string(part);
    }
    segments.push_back(std::move(s));
  }
  return segments;
}

void Router::insert(Route route) {
  route.segments = compile(route.info.pattern);
  for (const auto& s : route.segments) {
    route.literals += s.placeholder ? 0 : 1;
  }
  for (const auto& r : routes_) {
    if (r.info.method == route.info.method && r.info.pattern == route.info.pattern &&
        r.info.websocket == route.info.websocket) {
      throw std::logic_error("route registered twice: " + route.info.method + " " + route.info.pattern);
    }
  }
  routes_.push_back(std::move(route));
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  addAsync(std::move(method), std::move(pattern), [h = std::move(handler)](Request request, Responder respond) {
    respond(h(request));
  });
}

void Router::addAsync(std::string method, std::string pattern, AsyncHandler handler) {
  Route r;
  r.info = {std::move(method), std::move(pattern), false};
  r.handler = std::move(handler);
  insert(std::move(r));
}

void Router::addWebSocket(std::string pattern, WebSocketHandler handler) {
  Route r;
  r.info = {"GET", std::move(pattern), true};
  r.websocket = std::move(handler);
  insert(std::move(r));
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) {
    out.push_back(r.info);
  }
  return out;
}

bool Router::matches(const Route& route, const std::vector<std::string>& parts,
                     std::map<std::string, std::string>* params) {
  if (route.segments.size() != parts.size()) {
    return false;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& s = route.segments[i];
    if (s.placeholder) {
      if (parts[i].empty()) {
        return false;
      }
      if (params != nullptr) {
        (*params)[s.text] = parts[i];
      }
    } else if (s.text != parts[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::match(const std::string& method, const std::string& path, bool wantsUpgrade) const {
  if (path.empty() || path.front() != '/') {
    return Match{};
  }
  return match(method, splitPath(path), wantsUpgrade);
}

Router::Match Router::match(const std::string& method, const std::vector<std::string>& parts, bool wantsUpgrade) const {
  Match m;
  std::set<std::string> allowed;
  // Pass 1 looks for a route of the requested kind; an upgrade request to a plain route is served
  // as plain HTTP (the Upgrade header is only an offer), a plain request to a WebSocket route gets 426.
  auto find = [&](bool websocket) -> const Route* {
    const Route* best = nullptr;
    for (const auto& r : routes_) {
      if (!matches(r, parts, nullptr)) {
        continue;
      }
      allowed.insert(r.info.method);
      bool methodOk = r.info.method == method;
      if (!methodOk || r.info.websocket != websocket) {
        continue;
      }
      if (best == nullptr || r.literals > best->literals) {
        best = &r;
      }
    }
    return best;
  };
  const Route* best = find(wantsUpgrade);
  if (best == nullptr && wantsUpgrade) {
    best = find(false);
  }
  if (best == nullptr && !wantsUpgrade && method == "GET" && find(true) != nullptr) {
    m.kind = Match::Kind::UpgradeRequired;
    return m;
  }
  if (best == nullptr) {
    if (!allowed.empty()) {
      m.kind = Match::Kind::MethodNotAllowed;
      for (const auto& a : allowed) {
        m.allow += (m.allow.empty() ? "" : ", ") + a;
      }
    }
    return m;
  }
  m.kind = Match::Kind::Found;
  matches(*best, parts, &m.params);
  m.pattern = best->info.pattern;
  if (best->info.websocket) {
    m.websocket = &best->websocket;
  } else {
    m.handler = &best->handler;
  }
  return m;
}

}  // namespace switchboard::http
