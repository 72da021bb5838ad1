#pragma once

// sd_notify(3) messages and the watchdog. Without systemd (NOTIFY_SOCKET unset) every call is a no-op.

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace switchboard::host {

class SystemdNotifier {
 public:
  explicit SystemdNotifier(boost::asio::io_context& io) : timer_(io) {}

  void ready(const std::string& status);
  void reloading();
  void stopping();
  void status(const std::string& text);
  /// Starts pinging WATCHDOG=1 at half the interval systemd asked for, if it asked.
  void startWatchdog();
  void stopWatchdog() { timer_.cancel(); }

 private:
  void ping();
  boost::asio::steady_timer timer_;
  std::chrono::microseconds interval_{0};
};

}  // namespace switchboard::host
