#include "plugin/plugin_http.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>

#include <boost/asio/post.hpp>

#include "http/client.hpp"

namespace switchboard::host {
namespace {

bool validSegment(const std::string& s) {
  if (s.empty() || s.size() > 64 || s == "." || s == "..") {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
  });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

class SdkHttpClient final : public sdk::HttpClient {
 public:
  SdkHttpClient(std::shared_ptr<http::Client> client, boost::asio::any_io_executor strand, PluginLibraryPtr library)
      : client_(std::move(client)), strand_(std::move(strand)), library_(std::move(library)) {}

  void request(sdk::HttpCall call, Done done) override {
    http::ClientRequest req;
    req.method = std::move(call.method);
    req.url = std::move(call.url);
    for (auto& [k, v] : call.headers) {
      req.headers[k] = v;
    }
    req.body = std::move(call.body);
    req.timeout = call.timeout;
    client_->request(std::move(req), [strand = strand_, lib = library_, done = std::move(done)](
                                         sdk::Result<http::ClientResponse> r) mutable {
      sdk::Result<sdk::HttpReply> out = sdk::Error::permanent("http.internal", "unset");
      if (r.ok()) {
        sdk::HttpReply reply;
        reply.status = r->status;
        for (const auto& [k, v] : r->headers) {
          reply.headers[lower(k)] = v;
        }
        reply.body = std::move(r->body);
        out = std::move(reply);
      } else {
        out = r.takeError();
      }
      boost::asio::post(strand, [lib, done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
    });
  }

 private:
  std::shared_ptr<http::Client> client_;
  boost::asio::any_io_executor strand_;
  PluginLibraryPtr library_;
};

}  // namespace

class PluginRouteTable::Handle final : public sdk::HttpRoute {
 public:
  Handle(std::weak_ptr<PluginRouteTable> table, std::string key, std::shared_ptr<std::atomic<bool>> alive)
      : table_(std::move(table)), key_(std::move(key)), path_("/v1/hooks/" + key_), alive_(std::move(alive)) {}
  ~Handle() override {
    alive_->store(false);
    if (auto t = table_.lock()) {
      t->remove(key_, alive_);
    }
  }
  const std::string& path() const override { return path_; }

 private:
  std::weak_ptr<PluginRouteTable> table_;
  std::string key_;
  std::string path_;
  std::shared_ptr<std::atomic<bool>> alive_;
};

sdk::Result<std::unique_ptr<sdk::HttpRoute>> PluginRouteTable::add(const std::string& instance,
                                                                   const std::string& name,
                                                                   boost::asio::any_io_executor strand,
                                                                   PluginLibraryPtr library,
                                                                   sdk::HttpRouteHandler handler) {
  if (!validSegment(instance) || !validSegment(name)) {
    return sdk::Error::permanent("http.route_invalid", "plugin route \"" + instance + "/" + name +
                                                           "\": instance and name must be one path segment of "
                                                           "letters, digits, '.', '_' or '-'");
  }
  const std::string key = instance + "/" + name;
  auto alive = std::make_shared<std::atomic<bool>>(true);
  {
    std::lock_guard lock(mutex_);
    if (routes_.count(key) != 0) {
      return sdk::Error::permanent("http.route_exists", "plugin route /v1/hooks/" + key + " is already registered");
    }
    routes_[key] = Entry{std::move(strand), std::move(library),
                         std::make_shared<sdk::HttpRouteHandler>(std::move(handler)), alive};
  }
  return std::unique_ptr<sdk::HttpRoute>(std::make_unique<Handle>(weak_from_this(), key, alive));
}

void PluginRouteTable::remove(const std::string& key, const std::shared_ptr<std::atomic<bool>>& alive) {
  std::lock_guard lock(mutex_);
  if (auto it = routes_.find(key); it != routes_.end() && it->second.alive == alive) {
    routes_.erase(it);
  }
}

std::size_t PluginRouteTable::size() const {
  std::lock_guard lock(mutex_);
  return routes_.size();
}

void PluginRouteTable::dispatch(const std::string& instance, const std::string& name, const http::Request& request,
                                http::Responder respond) {
  Entry entry;
  {
    std::lock_guard lock(mutex_);
    auto it = routes_.find(instance + "/" + name);
    if (it == routes_.end()) {
      respond(http::Response::error(404, "not_found", "no plugin route /v1/hooks/" + instance + "/" + name));
      return;
    }
    entry = it->second;
  }
  sdk::HttpRouteRequest in;
  in.path = request.path;
  for (const auto& [k, v] : request.headers) {
    in.headers[lower(k)] = v;
  }
  in.body = request.body;
  in.remoteAddress = request.remote.address().to_string();
  boost::asio::post(entry.strand, [entry, in = std::move(in), respond]() mutable {
    if (!entry.alive->load()) {
      respond(http::Response::error(404, "not_found", "the plugin route was removed"));
      return;
    }
    (*entry.handler)(std::move(in), [respond](sdk::HttpRouteResponse out) {
      http::Response r;
      r.status = out.status;
      r.contentType = std::move(out.contentType);
      r.body = std::move(out.body);
      respond(std::move(r));
    });
  });
}

void mountPluginRoutes(http::Router& router, std::shared_ptr<PluginRouteTable> table) {
  router.addAsync("POST", PluginRouteTable::kPattern, [table](http::Request req, http::Responder respond) {
    const auto instance = req.param("instance");
    const auto name = req.param("name");
    table->dispatch(instance, name, req, std::move(respond));
  });
}

sdk::Result<std::shared_ptr<sdk::HttpClient>> makePluginHttpClient(const boost::asio::any_io_executor& io,
                                                                   boost::asio::any_io_executor strand,
                                                                   PluginLibraryPtr library,
                                                                   const sdk::HttpClientOptions& options) {
  http::ClientOptions o;
  o.tls.verify = options.verifyTls;
  o.tls.caFile = options.caFile;
  o.tls.caPem = options.caPem;
  o.timeout = options.timeout;
  o.maxResponseBytes = options.maxResponseBytes;
  auto client = http::Client::create(io, o);
  SB_TRY(client);
  return std::shared_ptr<sdk::HttpClient>(
      std::make_shared<SdkHttpClient>(std::move(client).value(), std::move(strand), std::move(library)));
}

}  // namespace switchboard::host
