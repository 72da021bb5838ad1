#pragma once

// One thread for slow work (training, database scans) so that it never holds up routing on the
// plugin's strand. Jobs run one at a time in order; stop() lets the running one finish, drops
// the rest, and joins.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace switchboard::routing {

class BackgroundWorker {
 public:
  BackgroundWorker() = default;
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;
  ~BackgroundWorker() { stop(); }

  void start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) {
      return;
    }
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
  }

  /// Queues a job, unless one with the same key is already waiting (a slow database must not
  /// pile up identical scans). @return false when not queued.
  bool post(const std::string& key, std::function<void()> job) {
    std::lock_guard lock(mutex_);
    if (stopping_ || !thread_.joinable()) {
      return false;
    }
    for (const auto& j : jobs_) {
      if (j.first == key) {
        return false;
      }
    }
    jobs_.emplace_back(key, std::move(job));
    wake_.notify_one();
    return true;
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      jobs_.clear();
    }
    wake_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_) {
          return;
        }
        job = std::move(jobs_.front().second);
        jobs_.pop_front();
      }
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, std::function<void()>>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace switchboard::routing
