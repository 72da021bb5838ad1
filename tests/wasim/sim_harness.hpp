#pragma once

// Test harness for the simulator: an io_context on two threads running a Simulator, and test
// devices (DeviceClient) whose received stanzas can be waited for from the test thread.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "simulator/device_client.hpp"
#include "simulator/simulator.hpp"
#include "simulator/stanza.hpp"

namespace wasim_test {

namespace wa = switchboard::whatsapp;
namespace wasim = switchboard::wasim;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using wa::Node;

inline std::string attr(const Node& n, std::string_view key) { return std::string(n.attr(key).value_or("")); }

/// Everything a test device received, and whether its connection ended.
class TestDevice {
 public:
  std::shared_ptr<wasim::DeviceClient> client;
  wasim::CompanionKeys keys;
  std::string phone;
  std::uint16_t device = 0;

  /// Waits until a received stanza matches (including ones already received); returns a copy.
  std::optional<Node> waitFor(const std::function<bool(const Node&)>& pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    std::optional<Node> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& n : received_) {
        if (pred(n)) {
          found = n;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::optional<Node> waitTag(std::string_view tag, std::chrono::milliseconds timeout = 10s) {
    return waitFor([&](const Node& n) { return n.tag == tag; }, timeout);
  }
  std::vector<Node> received() {
    std::lock_guard lock(mutex_);
    return {received_.begin(), received_.end()};
  }
  void clear() {
    std::lock_guard lock(mutex_);
    received_.clear();
  }
  bool waitClosed(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return closed_; });
  }
  bool closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  /// Sends an iq and waits for the answer with the same id.
  std::optional<Node> query(Node iq, std::chrono::milliseconds timeout = 10s) {
    static std::atomic<int> counter{0};
    auto id = "q" + std::to_string(++counter);
    iq.setAttr("id", id);
    client->send(iq);
    return waitFor([&](const Node& n) { return n.tag == "iq" && attr(n, "id") == id; }, timeout);
  }

  void onNode(const Node& n) {
    std::lock_guard lock(mutex_);
    received_.push_back(n);
    cv_.notify_all();
  }
  void onClose() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Node> received_;
  bool closed_ = false;
};

class SimHarness : public ::testing::Test {
 protected:
  void SetUp() override { start(options()); }
  void TearDown() override { shutdown(); }

  virtual wasim::SimulatorOptions options() {
    wasim::SimulatorOptions o;
    o.firstFrameDelay = 20ms;
    o.phonePreKeys = 5;
    return o;
  }

  void start(wasim::SimulatorOptions o) {
    work_.emplace(asio::make_work_guard(io_));
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    auto s = wasim::Simulator::start(io_.get_executor(), std::move(o));
    ASSERT_TRUE(s.ok()) << s.error().describe();
    sim = std::move(*s);
    sim->onEvent([this](const wasim::SimEvent& e) {
      std::lock_guard lock(eventMutex_);
      events_.push_back(e);
      eventCv_.notify_all();
    });
  }

  void shutdown() {
    devices_.clear();
    if (sim) {
      sim->stop();
    }
    work_.reset();
    // Let the aborts and closes run, then stop whatever is left.
    std::this_thread::sleep_for(50ms);
    io_.stop();
    for (auto& t : threads_) {
      t.join();
    }
    threads_.clear();
    sim.reset();
    io_.restart();
  }

  std::optional<wasim::SimEvent> waitEvent(const std::function<bool(const wasim::SimEvent&)>& pred,
                                           std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(eventMutex_);
    std::optional<wasim::SimEvent> found;
    eventCv_.wait_for(lock, timeout, [&] {
      for (const auto& e : events_) {
        if (pred(e)) {
          found = e;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  /// Connects a device (login as phone:device, or a registration when phone is empty).
  std::shared_ptr<TestDevice> connect(const wasim::CompanionKeys& keys, const std::string& phone, std::uint16_t device,
                                      bool autoAck = true, int dictionary = 3) {
    auto d = std::make_shared<TestDevice>();
    d->keys = keys;
    d->phone = phone;
    d->device = device;
    wasim::DeviceClient::Options o;
    o.url = sim->webSocketUrl();
    o.root.key = sim->rootPublicKey();
    o.keys = keys;
    o.phone = phone;
    o.device = device;
    o.autoAck = autoAck;
    o.dictionary = dictionary;
    std::weak_ptr<TestDevice> weak = d;
    o.onNode = [weak](const Node& n) {
      if (auto t = weak.lock()) {
        t->onNode(n);
      }
    };
    o.onClose = [weak](switchboard::sdk::Status) {
      if (auto t = weak.lock()) {
        t->onClose();
      }
    };
    std::promise<switchboard::sdk::Result<std::shared_ptr<wasim::DeviceClient>>> ready;
    auto f = ready.get_future();
    wasim::DeviceClient::connect(io_.get_executor(), o, [&ready](auto r) { ready.set_value(std::move(r)); });
    auto r = f.get();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
    if (r.ok()) {
      d->client = *r;
    }
    devices_.push_back(d);
    return d;
  }

  /// Creates an account (if needed), links a new companion directly, logs it in and waits until
  /// its offline queue is flushed. Returns the logged-in device.
  std::shared_ptr<TestDevice> loggedIn(const std::string& phone, bool autoAck = true) {
    (void)sim->createAccount(phone, "User " + phone);
    auto keys = wasim::CompanionKeys::generate();
    auto info = sim->linkDevice(phone, keys.directLink());
    EXPECT_TRUE(info.ok());
    auto d = connect(keys, phone, info.ok() ? info->device : 1, autoAck);
    EXPECT_TRUE(d->waitTag("success"));
    d->client->send(Node("iq", {{"id", "passive-1"}, {"type", "set"}, {"xmlns", "passive"}, {"to", "@s.whatsapp.net"}},
                         Node::Children{Node("active")}));
    EXPECT_TRUE(d->waitFor([](const Node& n) { return n.tag == "ib" && n.child("offline"); }));
    return d;
  }

  asio::io_context io_;
  std::unique_ptr<wasim::Simulator> sim;

 private:
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::vector<std::shared_ptr<TestDevice>> devices_;
  std::mutex eventMutex_;
  std::condition_variable eventCv_;
  std::vector<wasim::SimEvent> events_;
};

}  // namespace wasim_test
