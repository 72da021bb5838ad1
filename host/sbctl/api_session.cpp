#include "sbctl/api_session.hpp"

#include <algorithm>
#include <iostream>

#include "http/url.hpp"

namespace switchboard::sbctl {

std::string ApiSession::url(const std::string& path) const {
  std::string base = c_.url;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  std::string full = base + path;
  if (!c_.tenant.empty()) {
    full += (path.find('?') == std::string::npos ? "?" : "&") + std::string("tenant=") + http::percentEncode(c_.tenant);
  }
  return full;
}

int ApiSession::reportTransport(const sdk::Error& e) {
  std::cerr << "sbctl: " << e.message << "\n";
  return e.code == "http.url" ? kUsage : kUnreachable;
}

Answer ApiSession::call(const std::string& method, const std::string& path, const std::optional<json>& body,
                        std::initializer_list<unsigned> quiet) {
  http::ClientRequest req;
  req.method = method;
  req.url = url(path);
  if (!c_.token.empty()) {
    req.headers["Authorization"] = "Bearer " + c_.token;
  }
  if (body) {
    req.headers["Content-Type"] = "application/json";
    req.body = body->dump();
  }
  req.headers["Accept"] = "application/json";
  auto r = http::fetch(c_.client, req);
  Answer a;
  if (!r.ok()) {
    a.exit = reportTransport(r.error());
    return a;
  }
  a.status = r->status;
  a.raw = r->body;
  a.headers = r->headers;
  a.body = json::parse(r->body, nullptr, false);
  if (a.status >= 200 && a.status < 300) {
    return a;
  }
  std::string code = "http_" + std::to_string(a.status), message = r->body.substr(0, 300);
  if (a.body.is_object() && a.body.contains("error") && a.body["error"].is_object()) {
    code = a.body["error"].value("code", code);
    message = a.body["error"].value("message", message);
  }
  if (a.status == 401 || a.status == 403) {
    a.exit = kAuth;
  } else if (a.status == 404) {
    a.exit = kNotFound;
  } else {
    a.exit = kApiError;
  }
  if (std::find(quiet.begin(), quiet.end(), a.status) == quiet.end()) {
    std::cerr << "sbctl: " << method << " " << path << ": " << a.status << " " << code << ": " << message << "\n";
    if (a.status == 401 && c_.token.empty()) {
      std::cerr << "sbctl: no token given; use --token-file FILE or SBCTL_TOKEN_FILE\n";
    }
  }
  return a;
}

}  // namespace switchboard::sbctl
