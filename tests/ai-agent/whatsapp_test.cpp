// The AI agent on WhatsApp end to end: the simulator (switchboard-wasim, its own process) runs a
// business account and a customer's phone; the WhatsApp connector (switchboard-whatsapp.so) pairs
// the business account by QR and feeds the real pipeline on SQLite with the Kafka bridge on the
// embedded broker; the AI agent plugin answers with the scripted model server standing in for
// the model. The customer asks for a demo: the appointment is on Kafka `events` and the
// confirmation arrives, end-to-end encrypted, at the customer's simulated phone.
//
// Nothing of the WhatsApp wire schema is linked here: the connector is loaded from its shared
// library and the simulator runs in a process of its own (libprotobuf refuses two registrations
// of the same .proto files in one process).

#include <condition_variable>
#include <mutex>

#include "ai_pipeline_fixture.hpp"
#include "wasim_process.hpp"

using namespace aitest;

namespace {

constexpr const char* kBusiness = "15551230001";
constexpr const char* kShopper = "15551230003";

// The texts the customer's phone decrypted so far.
std::vector<std::string> inbox(switchboard::bench::WasimProcess& sim, const std::string& phone) {
  std::vector<std::string> out;
  auto r = sim.command({{"cmd", "inbox"}, {"phone", phone}});
  if (!r) {
    return out;
  }
  for (const auto& m : (*r)["messages"]) {
    if (m.contains("text")) {
      out.push_back(m["text"].get<std::string>());
    }
  }
  return out;
}

}  // namespace

class AiAgentOnWhatsApp : public AiAgentPipeline {
 protected:
  void TearDown() override {
    qrFeed_.reset();
    AiAgentPipeline::TearDown();
    if (sim_) {
      sim_->stop();
    }
  }

  std::unique_ptr<switchboard::bench::WasimProcess> sim_;
  std::unique_ptr<sb::EventBus::Subscription> qrFeed_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string qr_;
  bool connected_ = false;
};

TEST_F(AiAgentOnWhatsApp, BooksADemoForACustomerOnTheSimulator) {
  auto sim = switchboard::bench::WasimProcess::start(SB_WASIM_BINARY, {"--listen", "127.0.0.1:0"});
  ASSERT_TRUE(sim.ok()) << sim.error().describe();
  sim_ = std::move(sim).value();
  ASSERT_TRUE(sim_->command({{"cmd", "create_account"}, {"phone", kBusiness}, {"name", "Acme"}}));
  ASSERT_TRUE(sim_->command({{"cmd", "create_account"}, {"phone", kShopper}, {"name", "Dana"}}));
  const auto& info = sim_->info();

  // The connector's QR codes and session states, as the console would show them.
  qrFeed_ = bus_.subscribe("session.", [this](const sb::Event& e) {
    if (e.account != kBusiness) {
      return;
    }
    std::lock_guard lock(mutex_);
    if (e.type == "session.qr" && e.attributes.count("qr")) {
      qr_ = e.attributes.at("qr");
    }
    if (e.type == "session.state" && e.attributes.count("state") && e.attributes.at("state") == "connected") {
      connected_ = true;
    }
    changed_.notify_all();
  });
  std::string wa = "server_url: " + info["url"].get<std::string>() + "\n" +
                   "trusted_root_key: " + info["rootKey"].get<std::string>() + "\n" +
                   "reconnect: {initial: 50ms, max: 500ms}\n"
                   "accounts:\n"
                   "  - {id: \"" + std::string(kBusiness) + "\", phone: \"" + kBusiness + "\"}\n";
  if (info.contains("mediaCa")) {
    wa += "media_ca_file: " + info["mediaCa"].get<std::string>() + "\n";
  }
  start(true, config(), "whatsapp", wa);

  // The business's phone scans the QR code the connector shows.
  std::string qr;
  {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 30s, [&] { return !qr_.empty(); })) << "no QR code";
    qr = qr_;
  }
  auto scanned = sim_->command({{"cmd", "scan"}, {"phone", kBusiness}, {"qr", qr}});
  ASSERT_TRUE(scanned) << scanned.error().describe();
  {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 30s, [&] { return connected_; })) << "the business account never logged in";
  }

  const auto when = isoInDays(2);
  model_->script({ait::toolAnswer({{"book_appointment", json{{"start", when}, {"service", "product demo"}}.dump()}}),
                  ait::textAnswer("See you then, Dana!")});
  auto sent = sim_->command({{"cmd", "send"},
                             {"phone", kShopper},
                             {"to", std::string(kBusiness) + "@s.whatsapp.net"},
                             {"text", "Hi! Can I book a demo of your product?"}});
  ASSERT_TRUE(sent) << sent.error().describe();

  // Both agent messages reach the customer's phone, decrypted there.
  std::vector<std::string> texts;
  ASSERT_TRUE(eventually(
      [&] {
        texts = inbox(*sim_, kShopper);
        return texts.size() >= 2;
      },
      40s))
      << "the customer's phone got " << texts.size() << " message(s)";
  const auto confirmation = std::find_if(texts.begin(), texts.end(), [](const std::string& t) {
    return t.find("Your appointment (product demo) on") != std::string::npos &&
           t.find("is confirmed. Reference: A-") != std::string::npos;
  });
  EXPECT_NE(confirmation, texts.end()) << "no confirmation among " << texts.size() << " messages";
  EXPECT_NE(std::find(texts.begin(), texts.end(), "See you then, Dana!"), texts.end());

  // What the model read: the customer's words as the connector delivered them.
  auto calls = model_->calls();
  ASSERT_GE(calls.size(), 1u);
  EXPECT_EQ(calls[0].body["messages"].back()["content"], "Hi! Can I book a demo of your product?");

  // The booking on Kafka, for the calendar system.
  auto booked = events({"appointment.booked"}, 1);
  ASSERT_EQ(booked.size(), 1u);
  EXPECT_NE(booked[0].find(when), std::string::npos);
  EXPECT_NE(booked[0].find(kBusiness), std::string::npos);
}
