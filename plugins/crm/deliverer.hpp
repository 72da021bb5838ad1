#pragma once

// Sends the outbox to the CRM, oldest item first, one request at a time (so a contact's changes
// arrive in the order they happened). An item leaves the queue when the CRM acknowledges it (2xx);
// a 429 waits for Retry-After without counting as a failure; 5xx, 408 and network errors are
// retried with exponential backoff and dead-lettered after retry.max_attempts; other 4xx are
// dead-lettered at once (the same request cannot succeed), except an upsert's 404 on a CRM that
// creates contacts with another request: that request follows at once. Runs on the plugin's strand.

#include <cstdint>
#include <functional>
#include <memory>
#include <random>

#include <boost/asio/steady_timer.hpp>

#include "crm_config.hpp"
#include "dialect.hpp"
#include "outbox.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::crm {

using Clock = std::function<sdk::TimestampMs()>;

class Deliverer : public std::enable_shared_from_this<Deliverer> {
 public:
  Deliverer(sdk::PluginContext& context, const Settings& settings, const Dialect& dialect, Outbox& outbox,
            std::shared_ptr<sdk::HttpClient> client, std::shared_ptr<sdk::TenantStorage> storage, Clock clock);

  /// Something was queued, or may have become due: send the head unless a request is in flight.
  void kick();
  /// No more requests; an answer still in flight is ignored (its item stays queued for next time).
  void stop();

 private:
  void sendHead();
  /// Sends one request of the head item; its answer goes to onReply. `mayCreate`: an upsert whose
  /// 404 is followed by the dialect's create request (set for the upsert, not for the create).
  void dispatch(sdk::HttpCall call, std::uint64_t seq, bool contactUpsert, bool mayCreate, std::string fingerprint,
                std::string contactId);
  void onReply(std::uint64_t seq, bool contactUpsert, bool mayCreate, std::string fingerprint,
               std::string contactId, sdk::Result<sdk::HttpReply> reply);
  /// After an upsert's 404: sends the create request when the dialect has one. False: it has none.
  bool createInstead(const OutboxItem& item, std::string fingerprint, const std::string& contactId);
  /// Records a failure of the head item; dead-letters it after the last attempt.
  void fail(OutboxItem item, const std::string& reason, bool permanent);
  /// Sends the next head from a fresh handler (no recursion through long runs of skipped items).
  void next();
  void finish(std::uint64_t seq);
  void retryLater(std::chrono::milliseconds wait);
  void waitUntil(sdk::TimestampMs due);

  sdk::PluginContext& context_;
  const Settings& settings_;
  const Dialect& dialect_;
  Outbox& outbox_;
  std::shared_ptr<sdk::HttpClient> client_;
  std::shared_ptr<sdk::TenantStorage> storage_;
  Clock clock_;
  boost::asio::steady_timer timer_;
  std::minstd_rand random_{std::random_device{}()};
  bool busy_ = false;     // a request is in flight
  bool waiting_ = false;  // the timer is set for the head's due time
  bool stopped_ = false;
  sdk::Counter& delivered_;
  sdk::Counter& retried_;
  sdk::Counter& rateLimited_;
  sdk::Counter& deadLettered_;
  sdk::Histogram& latency_;
};

}  // namespace switchboard::crm
