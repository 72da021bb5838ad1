// Tenancy on Kafka, against the embedded broker: a command naming one tenant for another
// tenant's account goes to `dlq` with the reason; a suspended tenant's command and a message over
// the tenant's daily quota are stored with a failed result on `results` (code tenant_suspended,
// quota_exceeded) and never dispatched; every record carries its tenant in `sb-tenant`. Every
// case runs on SQLite and on PostgreSQL.

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"
#include "storage/storage_config.hpp"
#include "storage/tenancy.hpp"
#include "storage/tenant_lifecycle.hpp"
#include "switchboard/sdk/quotas.hpp"
#include "switchboard/v1/envelope.pb.h"
#include "tenancy/tenancy_backends.hpp"

namespace switchboard::test {
namespace {

using namespace std::chrono_literals;
using host::Format;
using tenancytest::Backend;

constexpr const char* kAcmeAccount = "15550002222";
constexpr const char* kBetaAccount = "15550001111";

// The daemon's runtime as the lifecycle sees it: records which tenant each transition reached.
class RecordingRuntime final : public host::TenantRuntime {
 public:
  host::TenantRuntimeChange stop(const std::string& tenant) override { return note("stop", tenant); }
  host::TenantRuntimeChange start(const std::string& tenant) override { return note("start", tenant); }
  host::TenantRuntimeChange unlink(const std::string& tenant) override { return note("unlink", tenant); }
  std::vector<std::string> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  host::TenantRuntimeChange note(const std::string& what, const std::string& tenant) {
    std::lock_guard lock(mutex_);
    calls_.push_back(what + " " + tenant);
    return {};
  }
  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
};

class TenancyKafkaTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const auto url = tenancytest::freshDatabaseUrl(GetParam(), dir_.path());
    ASSERT_FALSE(url.empty());
    auto opened = host::openStore(sdk::ConfigValue::ofMap(
        {{"url", sdk::ConfigValue::ofString(url)}, {"key_file", sdk::ConfigValue::ofString(dir_.path() + "/storage.key")}}));
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    store_ = opened.value();
    auto t = host::Tenancy::of(store_);
    ASSERT_TRUE(t.ok());
    tenancy_ = t.value();
    ASSERT_TRUE(tenancy_->create("acme", "Acme").ok());
    ASSERT_TRUE(tenancy_->create("beta", "Beta").ok());
    ASSERT_TRUE(store_->upsertAccount({kAcmeAccount, "acme", "", "", "paired", 1, 1}).ok());
    ASSERT_TRUE(store_->upsertAccount({kBetaAccount, "beta", "", "", "paired", 1, 1}).ok());
    sink_ = std::make_unique<TestSink>(store_, std::set<std::string>{kAcmeAccount, kBetaAccount});
    bridge_ = std::make_unique<host::KafkaBridge>(
        kafkaSection("json", {{"tenant_export_dir", sdk::ConfigValue::ofString(dir_.path() + "/exports")}}), store_,
        *sink_, metrics_);
    lifecycle_ = std::make_shared<host::TenantLifecycle>(store_, tenancy_, nullptr);
    lifecycle_->setRuntime(&runtime_);
    bridge_->setTenantLifecycle(lifecycle_);
    auto status = bridge_->start();
    ASSERT_TRUE(status.ok()) << status.error().describe();
    boot_ = bridge_->bootstrapServers();
  }
  void TearDown() override {
    if (bridge_) {
      bridge_->stop(2s);
    }
  }

  void produce(const std::string& id, const std::string& tenant, const std::string& account,
               const std::string& topic = "switchboard.outbound") {
    sdk::OutboundCommand c;
    c.commandId = id;
    c.tenant = tenant;
    c.account = account;
    c.to = "15552223333";
    c.text = "hello from " + tenant;
    produceRaw(boot_, topic, id, host::encodeCommand(c, Format::Json),
               {{"content-type", host::contentType(Format::Json)}});
  }

  // The result records of one command, as they arrive.
  std::vector<std::pair<Record, v1::CommandResult>> resultsOf(const std::string& id, std::size_t count,
                                                              const std::string& topic = "switchboard.results") {
    std::vector<std::pair<Record, v1::CommandResult>> out;
    for (const auto& r : readTopic(boot_, topic, count, 20s,
                                   [&id](const Record& rec) { return rec.key == id; })) {
      v1::Envelope env;
      EXPECT_TRUE(host::fromWire(r.value, Format::Json, env).ok()) << r.value;
      out.emplace_back(r, env.result());
    }
    return out;
  }

  bool dispatched(const std::string& id) const {
    for (const auto& c : sink_->dispatched()) {
      if (c.commandId == id) {
        return true;
      }
    }
    return false;
  }

  TempDir dir_;
  std::shared_ptr<host::Store> store_;
  std::shared_ptr<host::Tenancy> tenancy_;
  RecordingRuntime runtime_;
  std::shared_ptr<host::TenantLifecycle> lifecycle_;
  std::unique_ptr<TestSink> sink_;
  host::MetricsRegistry metrics_;
  std::unique_ptr<host::KafkaBridge> bridge_;
  std::string boot_;
};

SB_TENANCY_BACKENDS(TenancyKafkaTest);

TEST_P(TenancyKafkaTest, AnotherTenantsAccountIsDeadLetteredWithTheReason) {
  produce("cmd-cross", "acme", kBetaAccount);  // acme names beta's account
  produce("cmd-own", "acme", kAcmeAccount);
  auto dlq = readTopic(boot_, "switchboard.dlq", 1, 20s);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].key, "cmd-cross");
  EXPECT_EQ(dlq[0].headers.at("sb-dlq-code"), "command.tenant_mismatch");
  EXPECT_EQ(dlq[0].headers.at("sb-dlq-stage"), "tenant");
  const auto& reason = dlq[0].headers.at("sb-dlq-reason");
  EXPECT_NE(reason.find("\"beta\""), std::string::npos) << reason;
  EXPECT_NE(reason.find("\"acme\""), std::string::npos) << reason;
  ASSERT_TRUE(eventually([&] { return dispatched("cmd-own"); }, 30s));
  EXPECT_FALSE(dispatched("cmd-cross"));
  auto accepted = resultsOf("cmd-own", 1);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].first.headers.at("sb-tenant"), "acme");
}

TEST_P(TenancyKafkaTest, SuspendedTenantsCommandsFailOnResults) {
  ASSERT_TRUE(tenancy_->setState("acme", host::kTenantSuspended).ok());
  produce("cmd-suspended", "acme", kAcmeAccount);
  produce("cmd-beta", "beta", kBetaAccount);  // another tenant goes on
  auto failed = resultsOf("cmd-suspended", 1);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].second.stage(), v1::RESULT_STAGE_FAILED);
  EXPECT_EQ(failed[0].second.error_code(), "tenant_suspended");
  EXPECT_EQ(failed[0].first.headers.at("sb-tenant"), "acme");
  ASSERT_TRUE(eventually([&] { return dispatched("cmd-beta"); }, 30s));
  EXPECT_FALSE(dispatched("cmd-suspended"));

  ASSERT_TRUE(tenancy_->setState("acme", host::kTenantActive).ok());
  produce("cmd-resumed", "acme", kAcmeAccount);
  ASSERT_TRUE(eventually([&] { return dispatched("cmd-resumed"); }, 30s));
}

TEST_P(TenancyKafkaTest, MessagesOverTheDailyQuotaFailOnResultsAndAreCounted) {
  ASSERT_TRUE(tenancy_->setQuota("acme", sdk::quota::kMessagesPerDay, 1).ok());
  produce("cmd-q1", "acme", kAcmeAccount);
  ASSERT_TRUE(eventually([&] { return dispatched("cmd-q1"); }, 30s));
  produce("cmd-q2", "acme", kAcmeAccount);
  produce("cmd-b", "beta", kBetaAccount);  // beta has no quota
  auto failed = resultsOf("cmd-q2", 1);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].second.stage(), v1::RESULT_STAGE_FAILED);
  EXPECT_EQ(failed[0].second.error_code(), "quota_exceeded");
  EXPECT_NE(failed[0].second.reason().find("messages_per_day"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return dispatched("cmd-b"); }, 30s));
  EXPECT_FALSE(dispatched("cmd-q2"));
  EXPECT_EQ(metrics_.value("tenant_quota_exceeded_total", {{"tenant", "acme"}, {"quota", "messages_per_day"}}), 1);
  // A redelivered command is a duplicate: it neither takes quota nor fails again.
  produce("cmd-q1", "acme", kAcmeAccount);
  ASSERT_TRUE(eventually([&] { return metrics_.value("kafka_commands_duplicate_total") == 1; }, 30s));
  EXPECT_EQ(tenancy_->quotas("acme", host::nowMs())->usedToday.at(sdk::quota::kMessagesPerDay), 1);
}

TEST_P(TenancyKafkaTest, TenantsAreAdministeredOnTheControlTopic) {
  auto control = [&](const std::string& key, const std::string& json) {
    produceRaw(boot_, "switchboard.control", key, json, {{"content-type", "application/json"}});
  };
  control("gamma", R"({"action":"tenant.create","tenant":"gamma","name":"Gamma","quotas":{"messages_per_day":7},)"
                   R"("request_id":"req-create"})");
  control("gamma", R"({"action":"tenant.suspend","tenant":"gamma","reason":"unpaid","request_id":"req-suspend"})");
  control("acct", R"({"action":"pause","account":"15550001111"})");  // a scale-out command: not ours
  control("gamma", R"({"action":"tenant.explode","tenant":"gamma"})");
  control("nobody", R"({"action":"tenant.resume","tenant":"nobody","request_id":"req-nobody"})");
  auto done = resultsOf("req-create", 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].second.stage(), v1::RESULT_STAGE_SENT);
  EXPECT_EQ(done[0].first.headers.at("sb-tenant"), "gamma");
  ASSERT_EQ(resultsOf("req-suspend", 1).size(), 1u);
  // The same transition as the admin API's: the daemon's runtime stopped gamma's instances and
  // disconnected its accounts (a suspension that changed the database only would not call it).
  EXPECT_EQ(runtime_.calls(), std::vector<std::string>{"stop gamma"});
  auto gamma = tenancy_->get("gamma");
  ASSERT_TRUE(gamma.ok() && gamma->has_value());
  EXPECT_EQ((*gamma)->name, "Gamma");
  EXPECT_EQ((*gamma)->state, host::kTenantSuspended);
  EXPECT_EQ(tenancy_->quotas("gamma", host::nowMs())->limits.at(sdk::quota::kMessagesPerDay), 7);
  auto unknown = resultsOf("req-nobody", 1);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].second.stage(), v1::RESULT_STAGE_FAILED);
  EXPECT_EQ(unknown[0].second.error_code(), "tenant.not_found");
  auto dlq = readTopic(boot_, "switchboard.dlq", 1, 20s);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].headers.at("sb-dlq-code"), "control.malformed");
  EXPECT_EQ(dlq[0].headers.at("sb-dlq-stage"), "control");
  EXPECT_NE(dlq[0].headers.at("sb-dlq-reason").find("tenant.explode"), std::string::npos);
  // An unknown tenant's resumption reached no runtime; gamma's does.
  control("gamma", R"({"action":"tenant.resume","tenant":"gamma","request_id":"req-resume"})");
  ASSERT_EQ(resultsOf("req-resume", 1).size(), 1u);
  EXPECT_EQ(runtime_.calls(), (std::vector<std::string>{"stop gamma", "start gamma"}));

  // Deleted: exported, then nothing of it left; the operator's audit log says so.
  ASSERT_TRUE(store_->tenant("gamma")->putState("plugin", "k", "gamma's state").ok());
  control("gamma", R"({"action":"tenant.delete","tenant":"gamma","request_id":"req-delete"})");
  auto deleted = resultsOf("req-delete", 1);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].second.stage(), v1::RESULT_STAGE_SENT) << deleted[0].second.reason();
  EXPECT_EQ(runtime_.calls().back(), "unlink gamma");
  EXPECT_FALSE(tenancy_->get("gamma")->has_value());
  EXPECT_FALSE(store_->tenant("gamma")->getState("plugin", "k")->has_value());
  bool exported = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() + "/exports")) {
    exported = exported || std::filesystem::exists(entry.path() / "plugin_state.jsonl");
  }
  EXPECT_TRUE(exported);
  bool audited = false;
  auto audit = store_->listAudit(sdk::kDefaultTenant, 50);
  ASSERT_TRUE(audit.ok());
  for (const auto& e : *audit) {
    audited = audited || (e.action == "tenant.delete" && e.subject == "gamma" && e.actor == "kafka:control");
  }
  EXPECT_TRUE(audited);
}

TEST_P(TenancyKafkaTest, ATenantWithTopicsOfItsOwn) {
  bridge_->stop(2s);
  bridge_.reset();
  sdk::ConfigValue::Map prefixes = {{"acme", sdk::ConfigValue::ofString("acme.")}};
  bridge_ = std::make_unique<host::KafkaBridge>(
      kafkaSection("json", {{"tenant_topic_prefixes", sdk::ConfigValue::ofMap(std::move(prefixes))}}), store_, *sink_,
      metrics_);
  ASSERT_TRUE(bridge_->start().ok());
  boot_ = bridge_->bootstrapServers();
  // On acme's own topic a command needs no tenant: the topic says whose it is.
  produce("cmd-acme-topic", sdk::kDefaultTenant, kAcmeAccount, "acme.outbound");
  produce("cmd-wrong-topic", "beta", kBetaAccount, "acme.outbound");
  produce("cmd-beta", "beta", kBetaAccount);
  ASSERT_TRUE(eventually([&] { return dispatched("cmd-acme-topic") && dispatched("cmd-beta"); }, 30s));
  for (const auto& c : sink_->dispatched()) {
    if (c.commandId == "cmd-acme-topic") {
      EXPECT_EQ(c.tenant, "acme");
    }
  }
  auto acme = resultsOf("cmd-acme-topic", 1, "acme.results");
  ASSERT_EQ(acme.size(), 1u);
  EXPECT_EQ(acme[0].first.headers.at("sb-tenant"), "acme");
  EXPECT_EQ(resultsOf("cmd-beta", 1).size(), 1u);
  // Not on the shared topic (read after beta's result there, which came later).
  EXPECT_TRUE(readTopic(boot_, "switchboard.results", 1, 2s,
                        [](const Record& r) { return r.key == "cmd-acme-topic"; })
                  .empty());
  auto dlq = readTopic(boot_, "switchboard.dlq", 1, 20s);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].key, "cmd-wrong-topic");
  EXPECT_EQ(dlq[0].headers.at("sb-dlq-code"), "command.tenant_mismatch");
  EXPECT_FALSE(dispatched("cmd-wrong-topic"));
}

}  // namespace
}  // namespace switchboard::test
