#include "simulator/load.hpp"

#include <boost/asio/post.hpp>
#include <cmath>

#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

// How often the pacing timer wakes. Messages due in between go out together, so a rate far above
// 1/kTick is still met on average.
constexpr auto kTick = std::chrono::milliseconds(5);
// The most one tick hands to the phones, so a long stall cannot flood their strands at once.
constexpr std::size_t kMaxPerTick = 20'000;

}  // namespace

LoadRun::LoadRun(boost::asio::any_io_executor executor, std::shared_ptr<Server> server, std::uint64_t id,
                 LoadSpec spec)
    : strand_(boost::asio::make_strand(executor)),
      timer_(strand_),
      server_(server),
      id_(id),
      spec_(std::move(spec)),
      totalRate_(spec_.perPhone ? spec_.rate * static_cast<double>(spec_.senders.size()) : spec_.rate) {}

void LoadRun::start() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->started_ = std::chrono::steady_clock::now();
    self->tick();
  });
}

void LoadRun::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->timer_.cancel();
    std::lock_guard lock(self->mutex_);
    if (!self->done_) {
      self->done_ = true;
      self->finished_ = std::chrono::steady_clock::now();
    }
  });
}

LoadStatus LoadRun::status() const {
  std::lock_guard lock(mutex_);
  LoadStatus s;
  s.id = id_;
  s.sent = sent_;
  s.failed = failed_;
  s.done = done_;
  auto end = done_ ? finished_ : std::chrono::steady_clock::now();
  s.seconds = started_.time_since_epoch().count() == 0 ? 0 : std::chrono::duration<double>(end - started_).count();
  return s;
}

void LoadRun::tick() {
  {
    std::lock_guard lock(mutex_);
    if (done_) {
      return;
    }
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  auto due = static_cast<std::size_t>(std::floor(totalRate_ * elapsed)) + 1;  // the first goes at once
  if (spec_.count > 0 && due > spec_.count) {
    due = spec_.count;
  }
  release(due);
  std::lock_guard lock(mutex_);
  if (spec_.count > 0 && sent_ + failed_ >= spec_.count) {
    done_ = true;
    finished_ = std::chrono::steady_clock::now();
    return;
  }
  timer_.expires_after(kTick);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) {
      self->tick();
    }
  });
}

void LoadRun::release(std::size_t due) {
  auto server = server_.lock();
  std::size_t issued;
  {
    std::lock_guard lock(mutex_);
    issued = sent_ + failed_;
  }
  if (!server) {
    return;
  }
  std::size_t sent = 0, failed = 0;
  for (std::size_t k = issued; k < due && k - issued < kMaxPerTick; ++k) {
    const auto& from = spec_.senders[k % spec_.senders.size()];
    const auto& to = spec_.recipients[k % spec_.recipients.size()];
    auto id = server->phoneSendText(from, to, spec_.text + " " + std::to_string(k));
    ++(id ? sent : failed);
  }
  std::lock_guard lock(mutex_);
  sent_ += sent;
  failed_ += failed;
}

LoadRegistry::LoadRegistry(boost::asio::any_io_executor executor, std::shared_ptr<Server> server)
    : executor_(std::move(executor)), server_(std::move(server)) {}

sdk::Result<std::uint64_t> LoadRegistry::start(LoadSpec spec) {
  if (spec.senders.empty() || spec.recipients.empty()) {
    return sdk::Error::permanent("wasim.invalid", "a load needs at least one sender and one recipient");
  }
  if (!(spec.rate > 0) || spec.rate > 1e7) {
    return sdk::Error::permanent("wasim.invalid", "a load's rate is more than 0 and at most 10,000,000 messages/s");
  }
  if (spec.text.size() > 4096) {
    return sdk::Error::permanent("wasim.invalid", "a load's text is at most 4 KiB");
  }
  for (const auto& s : spec.senders) {
    if (auto a = server_->accountInfo(s); !a) {
      return sdk::Error::permanent("wasim.not_found", "load sender: no account " + s);
    }
  }
  for (auto& r : spec.recipients) {
    if (r.find('@') == std::string::npos) {
      r += "@s.whatsapp.net";  // a bare phone number
    }
  }
  std::shared_ptr<LoadRun> run;
  std::uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = nextId_++;
    run = std::make_shared<LoadRun>(executor_, server_, id, std::move(spec));
    runs_[id] = run;
  }
  run->start();
  return id;
}

sdk::Result<LoadStatus> LoadRegistry::status(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = runs_.find(id);
  if (it == runs_.end()) {
    return sdk::Error::permanent("wasim.not_found", "no load " + std::to_string(id));
  }
  return it->second->status();
}

sdk::Status LoadRegistry::stop(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = runs_.find(id);
  if (it == runs_.end()) {
    return sdk::Error::permanent("wasim.not_found", "no load " + std::to_string(id));
  }
  it->second->stop();
  return sdk::okStatus();
}

void LoadRegistry::stopAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, run] : runs_) {
    run->stop();
  }
}

}  // namespace switchboard::wasim
