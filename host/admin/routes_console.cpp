// The web console: static files (plain HTML, JavaScript and CSS, compiled in) at /console/. They are
// public; everything the console shows comes from the API with the token the operator pastes, which
// stays in the browser's session storage.

#include "admin/api_routes.hpp"
#include "admin/console_files.hpp"

namespace switchboard::admin {
namespace {

http::Response serve(std::string_view name) {
  for (const auto& f : consoleFiles()) {
    if (f.name == name) {
      auto r = http::Response::text(200, std::string(f.content), std::string(f.contentType));
      r.headers["Cache-Control"] = "no-cache";
      r.headers["X-Content-Type-Options"] = "nosniff";
      r.headers["X-Frame-Options"] = "DENY";
      r.headers["Referrer-Policy"] = "no-referrer";
      // Only this origin: scripts, styles, the API and its WebSocket; QR images arrive as blobs.
      r.headers["Content-Security-Policy"] =
          "default-src 'self'; img-src 'self' blob: data:; connect-src 'self' ws: wss:; frame-ancestors 'none'";
      return r;
    }
  }
  return notFound("console file \"" + std::string(name) + "\"");
}

}  // namespace

void addConsoleRoutes(ApiRoutes& routes) {
  routes.add("GET", "/console", Access::Public, "", [](Call&) {
    auto r = http::Response::text(308, "the console is at /console/\n");
    r.headers["Location"] = "/console/";
    return r;
  });
  routes.add("GET", "/console/", Access::Public, "", [](Call&) { return serve("index.html"); });
  routes.add("GET", "/console/{file}", Access::Public, "", [](Call& call) { return serve(call.request.param("file")); });
}

}  // namespace switchboard::admin
