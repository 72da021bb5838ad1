#include "deliverer.hpp"

#include <chrono>
#include <string>

#include <boost/asio/post.hpp>

#include "retry_policy.hpp"

namespace switchboard::crm {
namespace {

std::string excerpt(const std::string& body) {
  std::string out = body.substr(0, 200);
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) {
      c = ' ';
    }
  }
  return out;
}

}  // namespace

Deliverer::Deliverer(sdk::PluginContext& context, const Settings& settings, const Dialect& dialect, Outbox& outbox,
                     std::shared_ptr<sdk::HttpClient> client, std::shared_ptr<sdk::TenantStorage> storage, Clock clock)
    : context_(context),
      settings_(settings),
      dialect_(dialect),
      outbox_(outbox),
      client_(std::move(client)),
      storage_(std::move(storage)),
      clock_(std::move(clock)),
      timer_(context.executor()),
      delivered_(context.metrics().counter("crm_deliveries_total", "CRM calls by outcome", {{"outcome", "delivered"}})),
      retried_(context.metrics().counter("crm_deliveries_total", "CRM calls by outcome", {{"outcome", "failed"}})),
      rateLimited_(
          context.metrics().counter("crm_deliveries_total", "CRM calls by outcome", {{"outcome", "rate_limited"}})),
      deadLettered_(context.metrics().counter("crm_dead_letters_total", "Items moved to the dead-letter table")),
      latency_(context.metrics().histogram("crm_call_seconds", "Duration of one CRM call")) {}

void Deliverer::kick() {
  if (stopped_ || busy_) {
    return;
  }
  if (waiting_) {
    // The head is waiting for its due time (backoff, Retry-After): a new item queues behind it.
    return;
  }
  sendHead();
}

void Deliverer::stop() {
  stopped_ = true;
  timer_.cancel();
}

void Deliverer::waitUntil(sdk::TimestampMs due) {
  waiting_ = true;
  timer_.expires_after(std::chrono::milliseconds(std::max<sdk::TimestampMs>(0, due - clock_())));
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || self->stopped_) {
      return;
    }
    self->waiting_ = false;
    self->sendHead();
  });
}

void Deliverer::retryLater(std::chrono::milliseconds wait) { waitUntil(clock_() + wait.count()); }

void Deliverer::sendHead() {
  if (stopped_ || busy_) {
    return;
  }
  auto head = outbox_.head();
  if (!head.ok()) {
    context_.logger().warn("CRM outbox unreadable, retrying: " + head.error().describe());
    retryLater(settings_.retry.initialBackoff);
    return;
  }
  if (!head.value()) {
    return;  // empty: the next push kicks us
  }
  OutboxItem item = *head.value();
  if (item.due > clock_()) {
    waitUntil(item.due);
    return;
  }
  auto contact = storage_->getContact(item.contact);
  if (!contact.ok()) {
    context_.logger().warn("contacts unreadable, retrying: " + contact.error().describe());
    retryLater(settings_.retry.initialBackoff);
    return;
  }
  if (!contact.value()) {
    fail(item, "contact \"" + item.contact + "\" no longer exists", true);
    return;
  }
  std::string fp;
  if (kindOf(item.event) == ItemKind::ContactUpsert) {
    fp = fingerprint(dialect_.properties(*contact.value()));
    auto synced = outbox_.syncedFingerprint(item.contact);
    if (synced.ok() && synced.value() && *synced.value() == fp) {
      finish(item.seq);  // the CRM already holds exactly this (an echo, or a change sent with an earlier item)
      return;
    }
  }
  auto crmId = outbox_.crmId(item.contact);
  if (!crmId.ok()) {
    retryLater(settings_.retry.initialBackoff);
    return;
  }
  auto call = dialect_.next(item, *contact.value(), crmId.value());
  if (!call.ok()) {
    fail(item, call.error().describe(), true);
    return;
  }
  if (call->contactUpsert && fp.empty()) {
    fp = fingerprint(dialect_.properties(*contact.value()));
  }
  dispatch(std::move(call->call), item.seq, call->contactUpsert, call->contactUpsert, std::move(fp), item.contact);
}

void Deliverer::dispatch(sdk::HttpCall call, std::uint64_t seq, bool contactUpsert, bool mayCreate, std::string fp,
                         std::string contactId) {
  busy_ = true;
  const auto started = std::chrono::steady_clock::now();
  client_->request(std::move(call), [weak = weak_from_this(), seq, contactUpsert, mayCreate, fp = std::move(fp),
                                     id = std::move(contactId), started](sdk::Result<sdk::HttpReply> r) mutable {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    self->latency_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    self->busy_ = false;
    if (self->stopped_) {
      return;
    }
    self->onReply(seq, contactUpsert, mayCreate, std::move(fp), std::move(id), std::move(r));
  });
}

bool Deliverer::createInstead(const OutboxItem& item, std::string fp, const std::string& contactId) {
  auto contact = storage_->getContact(contactId);
  if (!contact.ok() || !contact.value()) {
    return false;  // the 404 stands; the item is dead-lettered with it
  }
  auto create = dialect_.createAfterMissing(item, *contact.value());
  if (!create) {
    return false;
  }
  context_.logger().debug("CRM contact " + contactId + " not found by its upsert: creating it");
  dispatch(std::move(*create), item.seq, true, false, std::move(fp), contactId);
  return true;
}

void Deliverer::onReply(std::uint64_t seq, bool contactUpsert, bool mayCreate, std::string fp, std::string contactId,
                        sdk::Result<sdk::HttpReply> reply) {
  auto head = outbox_.head();
  if (!head.ok() || !head.value() || head.value()->seq != seq) {
    // Storage trouble, or the item was handled meanwhile: start again from the head.
    retryLater(settings_.retry.initialBackoff);
    return;
  }
  OutboxItem item = *head.value();
  if (!reply.ok()) {
    fail(item, reply.error().describe(), false);
    return;
  }
  const auto& r = reply.value();
  if (r.status == 404 && mayCreate && createInstead(item, fp, contactId)) {
    return;
  }
  switch (classify(r.status)) {
    case Verdict::Delivered: {
      delivered_.inc();
      if (contactUpsert) {
        if (auto id = dialect_.crmIdFromUpsert(r.body)) {
          auto known = outbox_.crmId(contactId);
          if (!known.ok() || !known.value() || *known.value() != *id) {
            (void)outbox_.setCrmId(contactId, *id);  // best effort: a later upsert learns it again
          }
        }
        (void)outbox_.setSyncedFingerprint(contactId, fp);
      }
      if (contactUpsert && kindOf(item.event) != ItemKind::ContactUpsert) {
        sendHead();  // the contact's id is known now: the note itself goes next
        return;
      }
      finish(seq);
      return;
    }
    case Verdict::RateLimited: {
      rateLimited_.inc();
      auto wait = parseRetryAfter(r.header("retry-after"), clock_());
      auto pause = wait ? std::min(*wait, settings_.retry.maxRetryAfter)
                        : backoffAfter(item.attempts + 1, settings_.retry, 0);
      item.due = clock_() + pause.count();
      item.lastError = "HTTP 429 (rate limited)";
      if (auto s = outbox_.update(item); !s.ok()) {
        context_.logger().warn("CRM outbox update failed: " + s.error().describe());
      }
      context_.logger().info("CRM rate limit: waiting " + std::to_string(pause.count()) + " ms");
      waitUntil(item.due);
      return;
    }
    case Verdict::Retry:
      fail(item, "HTTP " + std::to_string(r.status) + ": " + excerpt(r.body), false);
      return;
    case Verdict::Reject:
      fail(item, "HTTP " + std::to_string(r.status) + " (not retried): " + excerpt(r.body), true);
      return;
  }
}

void Deliverer::fail(OutboxItem item, const std::string& reason, bool permanent) {
  item.attempts += 1;
  item.lastError = reason;
  if (permanent || item.attempts >= settings_.retry.maxAttempts) {
    const std::string why = permanent ? reason
                                      : "gave up after " + std::to_string(item.attempts) + " attempts; last: " + reason;
    if (auto s = outbox_.deadLetter(item, why, clock_()); !s.ok()) {
      context_.logger().warn("CRM dead-letter write failed, retrying: " + s.error().describe());
      retryLater(settings_.retry.initialBackoff);
      return;
    }
    deadLettered_.inc();
    context_.logger().warn("CRM delivery " + std::to_string(item.seq) + " (" + item.event + ", contact " +
                           item.contact + ") dead-lettered: " + why);
    next();
    return;
  }
  retried_.inc();
  std::uniform_real_distribution<double> jitter(0, 1);
  item.due = clock_() + backoffAfter(item.attempts, settings_.retry, jitter(random_)).count();
  if (auto s = outbox_.update(item); !s.ok()) {
    context_.logger().warn("CRM outbox update failed: " + s.error().describe());
  }
  context_.logger().info("CRM delivery " + std::to_string(item.seq) + " failed (attempt " +
                         std::to_string(item.attempts) + "), retrying: " + reason);
  waitUntil(item.due);
}

void Deliverer::finish(std::uint64_t seq) {
  if (auto s = outbox_.remove(seq); !s.ok()) {
    context_.logger().warn("CRM outbox remove failed, retrying: " + s.error().describe());
    retryLater(settings_.retry.initialBackoff);
    return;
  }
  next();
}

void Deliverer::next() {
  boost::asio::post(context_.executor(), [weak = weak_from_this()] {
    auto self = weak.lock();
    if (self && !self->waiting_) {
      self->sendHead();
    }
  });
}

}  // namespace switchboard::crm
