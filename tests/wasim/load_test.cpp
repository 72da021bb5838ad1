// The simulator's load features: phones sending at a configured pace with a count (in-process
// API and control commands), and direct linking through the control commands. Nothing here is
// timed: the pace is a benchmark figure, not a test assertion.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <set>
#include <thread>

#include "protocol/crypto.hpp"
#include "signal/keys.hpp"
#include "simulator/base64.hpp"
#include "simulator/control.hpp"
#include "simulator/device_client.hpp"
#include "simulator/simulator.hpp"

namespace {

namespace wa = switchboard::whatsapp;
namespace wasim = switchboard::wasim;
using namespace std::chrono_literals;
using nlohmann::json;

class SimulatorLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    wasim::SimulatorOptions o;
    o.firstFrameDelay = 0ms;
    o.phonePreKeys = 5;
    o.media = false;
    auto sim = wasim::Simulator::start(io_.get_executor(), o);
    ASSERT_TRUE(sim.ok()) << sim.error().describe();
    sim_ = std::move(sim).value();
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
  }
  void TearDown() override {
    sim_->stop();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) {
      t.join();
    }
    sim_.reset();
  }

  /// Decrypted texts in the phone's inbox, waiting until there are `n` (or 20 s pass).
  std::multiset<std::string> waitTexts(const std::string& phone, std::size_t n) {
    std::multiset<std::string> texts;
    for (int i = 0; i < 400; ++i) {
      texts.clear();
      auto inbox = sim_->phoneInbox(phone);
      if (inbox) {
        for (const auto& m : *inbox) {
          if (!m.text.empty()) {
            texts.insert(m.text);
          }
        }
      }
      if (texts.size() >= n) {
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    return texts;
  }

  wasim::LoadStatus waitDone(std::uint64_t id) {
    wasim::LoadStatus s;
    for (int i = 0; i < 400; ++i) {
      auto st = sim_->loadStatus(id);
      EXPECT_TRUE(st.ok());
      s = *st;
      if (s.done) {
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    return s;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  std::unique_ptr<wasim::Simulator> sim_;
};

TEST_F(SimulatorLoad, PhonesSendTheCountedMessagesRoundRobinAndTheRecipientsPhonesDecryptThem) {
  for (const char* p : {"15550100001", "15550100002", "15550100003", "15550100004"}) {
    ASSERT_TRUE(sim_->createAccount(p).ok());
  }
  wasim::LoadSpec spec;
  spec.senders = {"15550100001", "15550100002"};
  spec.recipients = {"15550100003", "15550100004@s.whatsapp.net"};
  spec.rate = 40;
  spec.perPhone = true;  // 80/s in all
  spec.count = 10;
  spec.text = "hello";
  auto id = sim_->startLoad(spec);
  ASSERT_TRUE(id.ok()) << id.error().describe();
  auto done = waitDone(*id);
  EXPECT_TRUE(done.done);
  EXPECT_EQ(done.sent, 10u);
  EXPECT_EQ(done.failed, 0u);
  // Message k goes to recipient k % 2: the even ones to ...003, the odd ones to ...004.
  auto three = waitTexts("15550100003", 5);
  auto four = waitTexts("15550100004", 5);
  EXPECT_EQ(three, (std::multiset<std::string>{"hello 0", "hello 2", "hello 4", "hello 6", "hello 8"}));
  EXPECT_EQ(four, (std::multiset<std::string>{"hello 1", "hello 3", "hello 5", "hello 7", "hello 9"}));
  // Senders alternate: the messages k % 4 == 0 come from ...001 (named by phone number or LID).
  auto first = sim_->account("15550100001");
  ASSERT_TRUE(first.ok());
  auto inbox = sim_->phoneInbox("15550100003");
  ASSERT_TRUE(inbox.ok());
  int fromFirst = 0;
  for (const auto& m : *inbox) {
    if (m.text == "hello 0" || m.text == "hello 4" || m.text == "hello 8") {
      EXPECT_TRUE(m.from.rfind("15550100001", 0) == 0 || m.from.rfind(first->lid, 0) == 0) << m.from;
      ++fromFirst;
    }
  }
  EXPECT_EQ(fromFirst, 3);
}

TEST_F(SimulatorLoad, AnEndlessLoadRunsUntilStoppedAndBadSpecsAreRefused) {
  ASSERT_TRUE(sim_->createAccount("15550200001").ok());
  ASSERT_TRUE(sim_->createAccount("15550200002").ok());
  wasim::LoadSpec bad;
  EXPECT_FALSE(sim_->startLoad(bad).ok());  // no senders
  bad.senders = {"15550299999"};
  bad.recipients = {"15550200002"};
  EXPECT_FALSE(sim_->startLoad(bad).ok());  // no such sender
  bad.senders = {"15550200001"};
  bad.rate = 0;
  EXPECT_FALSE(sim_->startLoad(bad).ok());
  EXPECT_FALSE(sim_->loadStatus(12345).ok());
  EXPECT_FALSE(sim_->stopLoad(12345).ok());

  wasim::LoadSpec endless;
  endless.senders = {"15550200001"};
  endless.recipients = {"15550200002"};
  endless.rate = 50;
  auto id = sim_->startLoad(endless);
  ASSERT_TRUE(id.ok());
  waitTexts("15550200002", 3);
  ASSERT_TRUE(sim_->stopLoad(*id).ok());
  auto stopped = waitDone(*id);
  EXPECT_TRUE(stopped.done);
  EXPECT_GE(stopped.sent, 3u);
  // A recipient that is not an account counts as failed, the run goes on.
  wasim::LoadSpec unknown;
  unknown.senders = {"15550200001"};
  unknown.recipients = {"15550288888", "15550200002"};
  unknown.rate = 100;
  unknown.count = 4;
  auto id2 = sim_->startLoad(unknown);
  ASSERT_TRUE(id2.ok());
  auto s2 = waitDone(*id2);
  EXPECT_EQ(s2.sent, 2u);
  EXPECT_EQ(s2.failed, 2u);
}

TEST_F(SimulatorLoad, ControlCommandsStartReadAndStopLoadsAndLinkDevicesFromTheirKeys) {
  ASSERT_TRUE(sim_->createAccount("15550300001").ok());
  ASSERT_TRUE(sim_->createAccount("15550300002").ok());
  auto r = wasim::runControlCommand(*sim_, json{{"cmd", "load_start"}, {"senders", {"15550300001"}}});
  EXPECT_FALSE(r.value("ok", true));
  r = wasim::runControlCommand(*sim_, json{{"cmd", "load_start"},
                                           {"senders", {"15550300001"}},
                                           {"recipients", {"15550300002"}},
                                           {"rate", "fast"}});
  EXPECT_FALSE(r.value("ok", true));
  r = wasim::runControlCommand(*sim_, json{{"cmd", "load_start"},
                                           {"senders", {"15550300001"}},
                                           {"recipients", {"15550300002"}},
                                           {"rate", 100},
                                           {"count", 3},
                                           {"text", "ctl"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  const auto id = r["load"].get<std::uint64_t>();
  EXPECT_EQ(waitTexts("15550300002", 3), (std::multiset<std::string>{"ctl 0", "ctl 1", "ctl 2"}));
  auto st = wasim::runControlCommand(*sim_, json{{"cmd", "load_status"}, {"load", id}});
  EXPECT_TRUE(st["done"].get<bool>());
  EXPECT_EQ(st["sent"].get<int>(), 3);
  EXPECT_FALSE(wasim::runControlCommand(*sim_, json{{"cmd", "load_status"}}).value("ok", true));

  // link_device: the keys of a companion, base64; the result is a device that can log in.
  auto keys = wasim::CompanionKeys::generate();
  auto link = keys.directLink();
  json req{{"cmd", "link_device"},
           {"phone", "15550300001"},
           {"noise_key", wasim::toBase64(link.noiseKey)},
           {"identity_private", wasim::toBase64(link.identity.priv)},
           {"registration_id", link.registrationId},
           {"signed_prekey", wasim::toBase64(link.signedPreKey)},
           {"signed_prekey_signature", wasim::toBase64(link.signedPreKeySignature)}};
  auto linked = wasim::runControlCommand(*sim_, req);
  ASSERT_TRUE(linked.value("ok", false)) << linked.dump();
  EXPECT_EQ(linked["jid"].get<std::string>(), "15550300001:" + std::to_string(linked["device"].get<int>()) +
                                                  "@s.whatsapp.net");
  auto devices = sim_->devices("15550300001");
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ(devices->front().device, linked["device"].get<int>());
  // A truncated key is refused.
  req["signed_prekey_signature"] = wasim::toBase64(wa::Bytes(63, 1));
  EXPECT_FALSE(wasim::runControlCommand(*sim_, req).value("ok", true));
}

}  // namespace
