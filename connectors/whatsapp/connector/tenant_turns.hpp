#pragma once

// Turns at the connector's CPU-heavy step, decrypting a received message (a first message from a
// customer builds a Signal session: milliseconds of CPU each). At most `concurrent` turns run at
// once (one per connector thread); when they are all taken, waiting requests are served one
// tenant at a time, round robin, so a burst from one tenant's customers queues behind itself and
// not in front of every other tenant's messages. Each account asks for one turn at a time (its
// inbox is handled in order), so a tenant's queue is FIFO and every chat keeps its order.

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace switchboard::whatsapp::connector {

class TenantTurns {
 public:
  /// Held while the step runs; destroying it (however the holder ends) frees the turn.
  using Turn = std::shared_ptr<void>;
  using Grant = std::function<void(Turn)>;

  explicit TenantTurns(std::size_t concurrent);

  /// Calls `grant` with a turn: at once (on this thread) when one is free, otherwise on the
  /// thread that frees one, when it is this tenant's go. `grant` must be short (post the work).
  void request(const std::string& tenant, Grant grant);

  /// A turn at once when one is free and no tenant waits (so taking it passes nobody), else
  /// nullptr: the caller then request()s. Spares the caller a hand-off when nothing contends.
  Turn tryTake();

  /// From now on no request is granted and the waiting ones are dropped (their grants destroyed,
  /// not called): the connector is stopping, its strands may not take new work.
  void close();

  /// Requests waiting, over all tenants (for tests and metrics).
  std::size_t waiting() const;

 private:
  struct State {
    std::mutex mutex;
    std::size_t free = 0;
    std::map<std::string, std::deque<Grant>> queues;  // tenants with waiting requests
    std::deque<std::string> rotation;                 // those tenants, next to serve first
    std::size_t waiting = 0;
    bool closed = false;
  };
  static Turn makeTurn(const std::shared_ptr<State>& state);
  static void release(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
};

}  // namespace switchboard::whatsapp::connector
