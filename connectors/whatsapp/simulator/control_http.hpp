#pragma once

// The control API over HTTP on loopback (JSON), on the project's HTTP library: one route per
// control command (see README.md), the raw command at POST /v1/commands, and a WebSocket at
// /v1/events that streams every simulator event as one JSON text message.

#include <memory>
#include <mutex>
#include <vector>

#include "http/router.hpp"
#include "http/websocket.hpp"
#include "simulator/simulator.hpp"

namespace switchboard::wasim {

/// Fans simulator events out to WebSocket subscribers (any thread).
class EventFeed {
 public:
  void publish(const SimEvent& event);
  void subscribe(const http::WebSocketPtr& socket);

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<http::WebSocket>> subscribers_;
};

/// Routes for a control server. The simulator and feed must outlive the server.
std::shared_ptr<http::Router> controlRouter(Simulator& simulator, std::shared_ptr<EventFeed> feed);

}  // namespace switchboard::wasim
