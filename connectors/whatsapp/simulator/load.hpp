#pragma once

// Load generation: simulated phones sending text at a configured rate, for benchmarks. A run
// walks its message numbers k = 0, 1, 2...: message k goes from senders[k % S] to
// recipients[k % R], as phoneSendText would send it (real Signal encryption by the sending phone).
// A timer on its own strand releases the messages that are due (rate × elapsed time), so the
// pace holds whatever the timer's jitter; a phone that cannot keep up queues on its own strand.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "simulator/simulator.hpp"

namespace switchboard::wasim {

class Server;

/// One running (or finished) load.
class LoadRun : public std::enable_shared_from_this<LoadRun> {
 public:
  LoadRun(boost::asio::any_io_executor executor, std::shared_ptr<Server> server, std::uint64_t id, LoadSpec spec);
  void start();
  void stop();
  LoadStatus status() const;

 private:
  void tick();
  void release(std::size_t due);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  std::weak_ptr<Server> server_;
  const std::uint64_t id_;
  const LoadSpec spec_;
  const double totalRate_;  // messages per second across all senders
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mutex_;  // guards the counters below (status() is read from any thread)
  std::size_t sent_ = 0;
  std::size_t failed_ = 0;
  bool done_ = false;
  std::chrono::steady_clock::time_point finished_;
};

/// Every load of one simulator, by id.
class LoadRegistry {
 public:
  LoadRegistry(boost::asio::any_io_executor executor, std::shared_ptr<Server> server);
  sdk::Result<std::uint64_t> start(LoadSpec spec);
  sdk::Result<LoadStatus> status(std::uint64_t id) const;
  sdk::Status stop(std::uint64_t id);
  void stopAll();

 private:
  boost::asio::any_io_executor executor_;
  std::shared_ptr<Server> server_;
  mutable std::mutex mutex_;
  std::uint64_t nextId_ = 1;
  std::map<std::uint64_t, std::shared_ptr<LoadRun>> runs_;
};

}  // namespace switchboard::wasim
