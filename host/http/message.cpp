#include "http/message.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace switchboard::http {

bool HeaderLess::operator()(const std::string& a, const std::string& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string> Request::queryValue(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) {
      return v;
    }
  }
  return std::nullopt;
}

const std::string& Request::param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

std::string Request::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

sdk::Result<nlohmann::json> Request::jsonBody() const {
  // nlohmann reports the parse position only through its exception; it is caught right here and
  // becomes an error value, so nothing escapes to the caller.
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    // parse_error for bad syntax, out_of_range for a number too large for a double (406).
    return sdk::Error::permanent("bad_json", std::string("the request body is not valid JSON: ") + e.what());
  }
}

Response Response::json(unsigned status, const nlohmann::json& value) {
  Response r;
  r.status = status;
  // Replace rather than throw on invalid UTF-8 that slipped into stored data.
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::text(unsigned status, std::string body, std::string contentType) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.contentType = std::move(contentType);
  return r;
}

Response Response::error(unsigned status, std::string_view code, std::string_view message) {
  return json(status, {{"error", {{"code", code}, {"message", message}}}});
}

Response Response::fromError(const sdk::Error& error, unsigned status) {
  if (status == 0) {
    const auto& c = error.code;
    auto endsWith = [&](std::string_view suffix) {
      return c.size() >= suffix.size() && c.compare(c.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (endsWith("not_found")) {
      status = 404;
    } else if (endsWith("conflict") || endsWith("exists")) {
      status = 409;
    } else if (error.isRetriable()) {
      status = 503;
    } else if (error.isFatal()) {
      status = 500;
    } else {
      status = 400;
    }
  }
  return Response::error(status, error.code, error.message);
}

}  // namespace switchboard::http
