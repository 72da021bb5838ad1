// The AI agent plugin loaded from its shared library into the real pipeline on SQLite, beside the
// loopback connector, with the Kafka bridge on the embedded broker, against a scripted
// OpenAI-compatible server on loopback that stands in for a real model (none can run here):
// a lead qualified (score and tags stored), an appointment booked (events on Kafka, the
// confirmation sent), a hand-over to a person on negative sentiment, the daily budget stopping
// calls, retries through 429/500/timeouts, malformed tool calls answered and not executed, and
// the agent's silence once a person replied.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "config/schema_validator.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_manager.hpp"
#include "scripted_model_server.hpp"

namespace sb = switchboard::sdk;
namespace host = switchboard::host;
namespace ait = switchboard::aiagent::test;
using namespace std::chrono_literals;
using json = nlohmann::json;
using switchboard::test::eventually;

namespace {

constexpr const char* kAccount = "15550000001";
constexpr const char* kCustomer = "15557770001";

std::vector<std::string> lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

sb::TimestampMs nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string isoInDays(int days) {
  const std::time_t t = static_cast<std::time_t>(nowMs() / 1000 + days * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT10:00:00Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::string utcDay(sb::TimestampMs ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

class AiAgentPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = switchboard::test::openTestStore(dir_.path());
    model_ = std::make_unique<ait::ScriptedModelServer>(io_);
    sent_ = dir_.path() + "/sent.txt";
    keyFile_ = dir_.path() + "/model.key";
    std::ofstream(keyFile_) << "test-key-123\n";
  }

  void TearDown() override {
    if (plugins_) {
      plugins_->stopAll(5s);
    }
    if (pipeline_) {
      pipeline_->drain(std::chrono::steady_clock::now() + 5s);
    }
    if (kafka_) {
      kafka_->stop(5s);
    }
    model_->stop();
    work_.reset();
    // Let the servers' connections finish, then stop whatever is left.
    std::this_thread::sleep_for(100ms);
    io_.stop();
    for (auto& t : threads_) {
      t.join();
    }
    plugins_.reset();
    services_.reset();
    kafka_.reset();
    pipeline_.reset();
  }

  // The plugin's YAML; `extra` is appended at the top level.
  std::string config(const std::string& extra = "") const {
    return "provider:\n"
           "  base_url: " + model_->baseUrl() + "\n"
           "  model: scripted-model\n"
           "  api_key_file: " + keyFile_ + "\n"
           "  timeout: 500ms\n"
           "  max_attempts: 4\n"
           "  initial_backoff: 50ms\n"
           "  max_backoff: 200ms\n"
           "  max_retry_after: 5s\n"
           "appointments: {reminder_before: 0}\n"
           "agents:\n"
           "  - name: sales\n"
           "    system_prompt: \"You are Acme's sales assistant. Qualify leads and book demos.\"\n"
           "    tools: [lookup_contact, update_contact, book_appointment, create_ticket, handover]\n"
           "    handover: {team: support, negative_sentiment: -0.5}\n" +
           extra;
  }

  void start(bool withKafka, const std::string& yaml) {
    host::RecordEncoder encoder;
    if (withKafka) {
      encoder = {[](const sb::InboundMessage& m) { return host::inboundRecord(m); },
                 [](const sb::Event& e) { return host::eventRecord(e); },
                 [](const sb::CommandResult& r) { return host::resultRecord(r); }};
    }
    host::PipelineSettings settings;
    settings.batchLinger = 1ms;
    pipeline_ = std::make_unique<host::Pipeline>(io_, settings, store_, bus_, metrics_, encoder);
    if (withKafka) {
      kafka_ = std::make_unique<host::KafkaBridge>(switchboard::test::kafkaSection("json"), store_, *pipeline_,
                                                   metrics_);
      auto s = kafka_->start();
      ASSERT_TRUE(s.ok()) << s.error().describe();
      pipeline_->onOutboxWritten([this] { kafka_->notifyOutbox(); });
    }
    services_ = std::make_unique<host::HostServices>(
        host::HostServices{io_, metrics_, store_, bus_, *pipeline_, *pipeline_, dir_.path()});
    plugins_ = std::make_unique<host::PluginManager>(*services_, catalog_);
    pipeline_->attachPlugins(*plugins_);
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    pipeline_->start();
    std::vector<host::PluginSpec> list;
    for (const auto& [name, library, text] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"lb", "loopback", std::string("account: \"") + kAccount + "\"\nsent_file: " + sent_},
             {"ai", "ai-agent", yaml}}) {
      auto lib = catalog_.resolve(library);
      ASSERT_TRUE(lib.ok()) << lib.error().describe();
      host::ValidationContext ctx;
      ctx.file = "test.yaml";
      ctx.env = [](const std::string&) { return std::nullopt; };
      host::PluginSpec spec;
      spec.name = name;
      spec.library = library;
      spec.config = host::validateSection(YAML::Load(text), lib.value()->factory().configSchema(), name, ctx);
      ASSERT_TRUE(ctx.errors.empty()) << host::describe(ctx.errors);
      list.push_back(std::move(spec));
    }
    auto report = plugins_->apply(list, 10s);
    ASSERT_TRUE(report.failed.empty()) << "plugin failed to start: " << report.failed.front();
  }

  void say(const std::string& text) {
    sb::InboundMessage m;
    m.account = kAccount;
    m.networkId = "T" + std::to_string(++next_);
    m.chat = std::string(kCustomer) + "@s.whatsapp.net";
    m.sender = m.chat;
    m.senderName = "Dana Scully";
    m.timestamp = nowMs();
    m.text = text;
    std::promise<sb::Status> stored;
    auto done = stored.get_future();
    ASSERT_TRUE(pipeline_->deliver(std::move(m), [&](sb::Status s) { stored.set_value(s); }).ok());
    ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
    ASSERT_TRUE(done.get().ok());
  }

  double metric(const std::string& name, sb::Labels labels) {
    labels["plugin"] = "ai";
    return metrics_.value(name, labels);
  }

  std::shared_ptr<sb::TenantStorage> storage() { return store_->tenant(sb::kDefaultTenant); }

  sb::Conversation conversation() {
    auto list = storage()->listConversations({});
    EXPECT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 1u);
    return list->empty() ? sb::Conversation{} : list->front();
  }

  // Records of `events` whose JSON names one of `types`, once `count` of them arrived.
  std::vector<std::string> events(const std::vector<std::string>& types, std::size_t count) {
    auto records = switchboard::test::readTopic(
        kafka_->bootstrapServers(), "switchboard.events", count, 20s, [&](const switchboard::test::Record& r) {
          return std::any_of(types.begin(), types.end(), [&](const std::string& t) {
            return r.value.find("\"" + t + "\"") != std::string::npos;
          });
        });
    std::vector<std::string> out;
    for (const auto& r : records) {
      out.push_back(r.value);
    }
    return out;
  }

  switchboard::test::TempDir dir_;
  std::shared_ptr<host::Store> store_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  host::MetricsRegistry metrics_;
  host::LocalEventBus bus_;
  host::PluginCatalog catalog_{SB_PLUGIN_BUILD_DIR};
  std::unique_ptr<host::Pipeline> pipeline_;
  std::unique_ptr<host::KafkaBridge> kafka_;
  std::unique_ptr<host::HostServices> services_;
  std::unique_ptr<host::PluginManager> plugins_;
  std::unique_ptr<ait::ScriptedModelServer> model_;
  std::string sent_, keyFile_;
  int next_ = 0;
};

}  // namespace

TEST_F(AiAgentPipeline, QualifiesALeadAndBooksAnAppointment) {
  start(true, config());
  model_->script({ait::toolAnswer({{"update_contact",
                                    R"({"lead_score": 80, "add_tags": ["lead", "qualified"],
                                        "fields": {"budget": "5000 EUR"}})"}}),
                  ait::textAnswer("Great news: the business plan fits your team.")});
  say("Hi, I'm interested in your business plan, what is the price for 20 people? Budget 5000 EUR.");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("Great news: the business plan fits your team."), std::string::npos);

  // Score and tags stored on the contact.
  auto conv = conversation();
  auto contact = storage()->getContact(conv.contact);
  ASSERT_TRUE(contact.ok() && contact.value());
  EXPECT_EQ(contact.value()->fields["lead_score"], "80");
  EXPECT_EQ(contact.value()->fields["budget"], "5000 EUR");
  EXPECT_NE(std::find(contact.value()->tags.begin(), contact.value()->tags.end(), "lead"), contact.value()->tags.end());
  EXPECT_NE(std::find(contact.value()->tags.begin(), contact.value()->tags.end(), "qualified"),
            contact.value()->tags.end());

  // What the model was sent: the key, the prompt, the tools, the message; then the tool's result.
  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].authorization, "Bearer test-key-123");
  EXPECT_EQ(calls[0].body["model"], "scripted-model");
  EXPECT_NE(calls[0].body["messages"][0]["content"].get<std::string>().find("Acme's sales assistant"),
            std::string::npos);
  EXPECT_EQ(calls[0].body["messages"].back()["role"], "user");
  std::vector<std::string> tools;
  for (const auto& t : calls[0].body["tools"]) {
    tools.push_back(t["function"]["name"]);
  }
  EXPECT_EQ(tools, (std::vector<std::string>{"lookup_contact", "update_contact", "book_appointment", "create_ticket",
                                             "handover"}));
  const auto& toolResult = calls[1].body["messages"].back();
  EXPECT_EQ(toolResult["role"], "tool");
  EXPECT_EQ(toolResult["tool_call_id"], "call_1");
  EXPECT_NE(toolResult["content"].get<std::string>().find("\"lead_score\":\"80\""), std::string::npos);

  // A booking: the appointment on Kafka for the calendar, the confirmation to the customer.
  const auto start = isoInDays(3);
  model_->script({ait::toolAnswer({{"book_appointment", json{{"start", start}, {"service", "product demo"}}.dump()}}),
                  ait::textAnswer("See you then!")});
  say("Can I book a demo for Thursday at 10?");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 3; }, 10s));
  EXPECT_NE(lines(sent_)[1].find("Your appointment (product demo) on"), std::string::npos) << lines(sent_)[1];
  EXPECT_NE(lines(sent_)[1].find("is confirmed. Reference: A-"), std::string::npos) << lines(sent_)[1];
  EXPECT_NE(lines(sent_)[2].find("See you then!"), std::string::npos);
  // The model remembered the conversation so far.
  calls = model_->calls();
  ASSERT_EQ(calls.size(), 4u);
  const auto memory = calls[2].body["messages"].dump();
  EXPECT_NE(memory.find("Great news: the business plan fits your team."), std::string::npos);
  EXPECT_NE(memory.find("lead_score: 80"), std::string::npos) << "the contact's fields are in the prompt";

  auto booked = events({"appointment.booked", "calendar.command"}, 2);
  ASSERT_EQ(booked.size(), 2u);
  const auto all = booked[0] + booked[1];
  EXPECT_NE(all.find(start), std::string::npos);
  EXPECT_NE(all.find("product demo"), std::string::npos);
  EXPECT_NE(all.find("\"action\""), std::string::npos);

  // Every agent message stored as automatic, from the agent; the call log on Kafka.
  auto history = storage()->listMessages(conv.id, 50, std::nullopt);
  ASSERT_TRUE(history.ok());
  int automatic = 0;
  for (const auto& m : history.value()) {
    automatic += m.outbound && m.automatic ? 1 : 0;
  }
  EXPECT_EQ(automatic, 3);
  auto callLog = events({"ai.call"}, 4);
  ASSERT_EQ(callLog.size(), 4u);
  EXPECT_NE(callLog[0].find("\"prompt_usage\":\"60\""), std::string::npos) << callLog[0];
  EXPECT_EQ(callLog[0].find("test-key-123"), std::string::npos) << "the key is never logged";
  EXPECT_EQ(metric("ai_agent_calls_total", {{"agent", "sales"}, {"outcome", "ok"}}), 4);
  EXPECT_EQ(metric("ai_agent_tokens_total", {{"agent", "sales"}, {"kind", "prompt"}}), 60 + 50 + 60 + 50);
  auto tags = conversation().tags;
  EXPECT_NE(std::find(tags.begin(), tags.end(), "intent:booking"), tags.end());
}

TEST_F(AiAgentPipeline, HandsOverToAPersonOnNegativeSentiment) {
  start(true, config());
  sb::Agent walter;
  walter.id = "walter";
  walter.name = "Walter";
  walter.department = "support";
  walter.status = sb::AgentStatus::Available;
  ASSERT_TRUE(storage()->upsertAgent(walter).ok());
  ASSERT_TRUE(storage()->setAgentStatus("walter", sb::AgentStatus::Available).ok());

  say("This is terrible, the worst service ever, I am furious!!");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("I am passing you to a colleague"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return conversation().assignee == "walter"; }, 10s));
  EXPECT_EQ(model_->callCount(), 0u) << "no model call for an angry customer";
  EXPECT_EQ(metric("ai_agent_handovers_total", {{"agent", "sales"}, {"reason", "negative sentiment"}}), 1);
  auto handover = events({"ai.handover"}, 1);
  ASSERT_EQ(handover.size(), 1u);
  EXPECT_NE(handover[0].find("negative sentiment"), std::string::npos);
  auto classified = events({"message.classified"}, 1);
  ASSERT_EQ(classified.size(), 1u);
  EXPECT_NE(classified[0].find("\"negative\""), std::string::npos);

  // From now on the person answers; the agent stays out.
  say("hello? anyone?");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "handed_over"}}) == 1; }, 10s));
  EXPECT_EQ(model_->callCount(), 0u);
  EXPECT_EQ(lines(sent_).size(), 1u);
}

TEST_F(AiAgentPipeline, TheBudgetStopsCallsOnceSpent) {
  start(true, config("budget: {tokens_per_day: 100}\n"));
  model_->setFallback(ait::textAnswer("Happy to help.", 80, 40));
  say("Hello, a question about your plans");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  say("And another question about the price");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "budget"}}) == 1; }, 10s));
  say("Still there?");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "budget"}}) == 2; }, 10s));
  EXPECT_EQ(model_->callCount(), 1u);
  EXPECT_EQ(lines(sent_).size(), 1u);
  auto exhausted = events({"ai.budget_exhausted"}, 1);
  ASSERT_EQ(exhausted.size(), 1u) << "announced once";
  auto spent = storage()->getState("ai", "budget/" + std::string(kAccount) + "/" +
                                             utcDay(nowMs()));
  ASSERT_TRUE(spent.ok() && spent.value());
  EXPECT_EQ(json::parse(*spent.value())["tokens"], 120);
}

TEST_F(AiAgentPipeline, RetriesRateLimitsServerErrorsAndTimeouts) {
  start(false, config());
  auto slow = ait::textAnswer("too late");
  slow.delay = 1500ms;
  model_->script({ait::statusAnswer(429, {{"Retry-After", "1"}}), ait::statusAnswer(500), slow,
                  ait::textAnswer("Back on track.")});
  say("Hello there");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 15s));
  EXPECT_NE(lines(sent_)[0].find("Back on track."), std::string::npos);
  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_GE(calls[1].at - calls[0].at, 900ms) << "Retry-After: 1 was honoured";
  EXPECT_EQ(metric("ai_agent_calls_total", {{"agent", "sales"}, {"outcome", "ok"}}), 1);

  // A server that keeps failing: given up after max_attempts, nothing sent.
  model_->script({ait::statusAnswer(500), ait::statusAnswer(502), ait::statusAnswer(503), ait::statusAnswer(500)});
  say("Hello again");
  ASSERT_TRUE(eventually(
      [&] { return metric("ai_agent_calls_total", {{"agent", "sales"}, {"outcome", "server_error"}}) == 1; }, 15s));
  EXPECT_EQ(model_->callCount(), 8u);
  EXPECT_EQ(lines(sent_).size(), 1u);
}

TEST_F(AiAgentPipeline, MalformedToolCallsAreAnsweredNotExecuted) {
  start(false, config());
  model_->script({ait::toolAnswer({{"update_contact", "{not json"},
                                   {"update_contact", R"({"lead_score": 500})"},
                                   {"drop_database", "{}"}}),
                  ait::textAnswer("Sorry, let me try that again.")});
  say("I want to buy the pro plan");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("Sorry, let me try that again."), std::string::npos);
  auto contact = storage()->getContact(conversation().contact);
  ASSERT_TRUE(contact.ok() && contact.value());
  EXPECT_EQ(contact.value()->fields.count("lead_score"), 0u) << "no invalid call was executed";

  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 2u);
  const auto& messages = calls[1].body["messages"];
  ASSERT_GE(messages.size(), 4u);
  std::vector<std::string> answers;
  for (const auto& m : messages) {
    if (m["role"] == "tool") {
      answers.push_back(m["content"]);
    }
  }
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_NE(answers[0].find("not valid JSON"), std::string::npos) << answers[0];
  EXPECT_NE(answers[1].find("arguments.lead_score: must be at most 100"), std::string::npos) << answers[1];
  EXPECT_NE(answers[2].find("no tool named \\\"drop_database\\\""), std::string::npos) << answers[2];
  EXPECT_EQ(metric("ai_agent_tool_calls_total", {{"tool", "update_contact"}, {"result", "invalid"}}), 2);
  EXPECT_EQ(metric("ai_agent_tool_calls_total", {{"tool", "unknown"}, {"result", "invalid"}}), 1);
}

TEST_F(AiAgentPipeline, StaysSilentOnceAPersonReplied) {
  start(false, config());
  say("Hello, what does the starter plan include?");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("How can I help you?"), std::string::npos);
  EXPECT_NE(lines(sent_)[0].find("ai:"), std::string::npos) << "command id names the instance";

  sb::OutboundCommand person;
  person.commandId = "agent-walter-1";
  person.account = kAccount;
  person.to = kCustomer;
  person.conversation = conversation().id;
  person.text = "Hi, Walter here. Let me check.";
  ASSERT_TRUE(pipeline_->submit(person).ok());
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 2; }, 10s));
  say("thanks, and the price?");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "human_override"}}) == 1; }, 10s));
  EXPECT_EQ(model_->callCount(), 1u);
  EXPECT_EQ(lines(sent_).size(), 2u);
}
