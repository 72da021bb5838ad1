#pragma once

// HTTP for plugins through the SDK (SDK 1.2): the client (sb_http's Client, answers posted to the
// plugin's strand) and the table of plugin routes the admin API serves at
// POST /v1/hooks/{instance}/{name}. Plugins never link sb_http; they see only the SDK interfaces.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>

#include "http/router.hpp"
#include "plugin/plugin_library.hpp"
#include "switchboard/sdk/http_client.hpp"
#include "switchboard/sdk/http_routes.hpp"

namespace switchboard::host {

/// Routes registered by plugin instances. Thread-safe; shared by the plugin contexts (which add)
/// and the admin API's router (which dispatches).
class PluginRouteTable : public std::enable_shared_from_this<PluginRouteTable> {
 public:
  /// Registers POST /v1/hooks/<instance>/<name>; the handler runs on `strand`, with `library`
  /// kept loaded until it has run.
  sdk::Result<std::unique_ptr<sdk::HttpRoute>> add(const std::string& instance, const std::string& name,
                                                   boost::asio::any_io_executor strand, PluginLibraryPtr library,
                                                   sdk::HttpRouteHandler handler);
  /// Answers one request for (instance, name): 404 when no such route is registered.
  void dispatch(const std::string& instance, const std::string& name, const http::Request& request,
                http::Responder respond);
  std::size_t size() const;

  /// The pattern the admin API mounts.
  static constexpr const char* kPattern = "/v1/hooks/{instance}/{name}";

 private:
  struct Entry {
    boost::asio::any_io_executor strand;
    PluginLibraryPtr library;
    std::shared_ptr<sdk::HttpRouteHandler> handler;
    std::shared_ptr<std::atomic<bool>> alive;
  };
  class Handle;
  void remove(const std::string& key, const std::shared_ptr<std::atomic<bool>>& alive);

  mutable std::mutex mutex_;
  std::map<std::string, Entry> routes_;  // "<instance>/<name>"
};

/// Adds POST PluginRouteTable::kPattern to `router` (the admin API calls this once, before its
/// server starts; the table may change afterwards).
void mountPluginRoutes(http::Router& router, std::shared_ptr<PluginRouteTable> table);

/// An SDK HTTP client on sb_http: requests run on `io`, answers are posted to `strand` (keeping
/// `library` loaded until they have run).
sdk::Result<std::shared_ptr<sdk::HttpClient>> makePluginHttpClient(const boost::asio::any_io_executor& io,
                                                                   boost::asio::any_io_executor strand,
                                                                   PluginLibraryPtr library,
                                                                   const sdk::HttpClientOptions& options);

}  // namespace switchboard::host
