// Tenant lifecycle, quotas, export and purge on the SQL store, once on SQLite and once on
// PostgreSQL (the storage suite's fixture).

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/metrics.hpp"
#include "storage/account_quota.hpp"
#include "storage/database.hpp"
#include "storage/storage_fixture.hpp"
#include "storage/tenancy.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::host::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
constexpr std::int64_t kDay = 24LL * 60 * 60 * 1000;
constexpr std::int64_t kNow = 1'700'000'000'000;

std::shared_ptr<Tenancy> tenancyOf(const std::shared_ptr<Store>& store) {
  auto t = Tenancy::of(store);
  EXPECT_TRUE(t.ok());
  return t.ok() ? t.value() : nullptr;
}

TEST_P(StorageTest, TenantIsCreatedSuspendedAndResumed) {
  auto store = open();
  auto tenancy = tenancyOf(store);
  ASSERT_TRUE(tenancy);
  ASSERT_TRUE(tenancy->create("acme", "Acme Ltd").ok());
  EXPECT_EQ(tenancy->create("acme", "again").error().code, "tenant.exists");
  EXPECT_EQ(tenancy->create("no spaces", "x").error().code, "invalid");
  EXPECT_EQ(tenancy->create(std::string(65, 'a'), "x").error().code, "invalid");
  auto got = tenancy->get("acme");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "Acme Ltd");
  EXPECT_EQ((*got)->state, kTenantActive);
  ASSERT_TRUE(tenancy->setState("acme", kTenantSuspended).ok());
  EXPECT_EQ((*tenancy->get("acme"))->state, kTenantSuspended);
  EXPECT_EQ((*tenancy->get("default"))->state, kTenantActive);  // only the one named
  ASSERT_TRUE(tenancy->setState("acme", kTenantActive).ok());
  EXPECT_EQ((*tenancy->get("acme"))->state, kTenantActive);
  EXPECT_EQ(tenancy->setState("nobody", kTenantSuspended).error().code, "tenant.not_found");
  EXPECT_EQ(tenancy->setState("acme", "paused").error().code, "invalid");
  auto all = tenancy->list();
  ASSERT_TRUE(all.ok());
  std::vector<std::string> ids;
  for (const auto& t : *all) {
    ids.push_back(t.id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"acme", "default"}));
  EXPECT_FALSE(tenancy->get("nobody")->has_value());
}

TEST_P(StorageTest, MessagesPerDayQuotaStopsAtItsLimitPerTenantAndDay) {
  auto store = open();
  auto tenancy = tenancyOf(store);
  ASSERT_TRUE(tenancy->create("acme", "").ok());
  ASSERT_TRUE(tenancy->create("other", "").ok());
  // No limit: anything goes.
  EXPECT_TRUE(*tenancy->consume("acme", sdk::quota::kMessagesPerDay, 1000, kNow));
  ASSERT_TRUE(tenancy->setQuota("acme", sdk::quota::kMessagesPerDay, 3).ok());
  const auto tomorrow = kNow + kDay;
  EXPECT_TRUE(*tenancy->consume("acme", sdk::quota::kMessagesPerDay, 2, tomorrow));
  EXPECT_TRUE(*tenancy->consume("acme", sdk::quota::kMessagesPerDay, 1, tomorrow));
  EXPECT_FALSE(*tenancy->consume("acme", sdk::quota::kMessagesPerDay, 1, tomorrow));
  EXPECT_FALSE(*tenancy->consume("acme", sdk::quota::kMessagesPerDay, 4, tomorrow + 2 * kDay));  // above the limit
  // Another tenant and another day are untouched.
  EXPECT_TRUE(*tenancy->consume("other", sdk::quota::kMessagesPerDay, 50, tomorrow));
  EXPECT_TRUE(*tenancy->consume("acme", sdk::quota::kMessagesPerDay, 3, tomorrow + kDay));
  auto q = tenancy->quotas("acme", tomorrow);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->limits.at(sdk::quota::kMessagesPerDay), 3);
  EXPECT_EQ(q->usedToday.at(sdk::quota::kMessagesPerDay), 3);
  // Lifting the limit lets it through again.
  ASSERT_TRUE(tenancy->setQuota("acme", sdk::quota::kMessagesPerDay, std::nullopt).ok());
  EXPECT_TRUE(*tenancy->consume("acme", sdk::quota::kMessagesPerDay, 1, tomorrow));
  EXPECT_EQ(tenancy->setQuota("acme", "bananas", 1).error().code, "invalid");
  EXPECT_EQ(tenancy->setQuota("nobody", sdk::quota::kMessagesPerDay, 1).error().code, "tenant.not_found");
  EXPECT_EQ(tenancy->setQuota("acme", sdk::quota::kMessagesPerDay, -1).error().code, "invalid");
}

TEST_P(StorageTest, CampaignRecipientQuotaThroughTheSdkHandle) {
  auto store = open();
  auto tenancy = tenancyOf(store);
  ASSERT_TRUE(tenancy->create("acme", "").ok());
  ASSERT_TRUE(tenancy->create("other", "").ok());
  ASSERT_TRUE(tenancy->setQuota("acme", sdk::quota::kCampaignRecipientsPerDay, 10).ok());
  auto acme = store->tenant("acme");
  auto r = acme->consumeQuota(sdk::quota::kCampaignRecipientsPerDay, 6);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(*r);
  EXPECT_FALSE(*acme->consumeQuota(sdk::quota::kCampaignRecipientsPerDay, 5));  // 11 > 10: nothing taken
  EXPECT_TRUE(*acme->consumeQuota(sdk::quota::kCampaignRecipientsPerDay, 4));
  EXPECT_FALSE(*acme->consumeQuota(sdk::quota::kCampaignRecipientsPerDay, 1));
  EXPECT_TRUE(*store->tenant("other")->consumeQuota(sdk::quota::kCampaignRecipientsPerDay, 500));
  EXPECT_EQ(acme->consumeQuota(sdk::quota::kCampaignRecipientsPerDay, -1).error().code, "invalid");
}

TEST_P(StorageTest, AccountQuotaCountsTheTenantsAccounts) {
  auto store = open();
  auto tenancy = tenancyOf(store);
  ASSERT_TRUE(tenancy->create("acme", "").ok());
  ASSERT_TRUE(tenancy->setQuota("acme", sdk::quota::kAccounts, 2).ok());
  EXPECT_TRUE(*tenancy->consume("acme", sdk::quota::kAccounts, 2, kNow));
  ASSERT_TRUE(store->upsertAccount({"acct-1", "acme", "", "", "new", 0, 0}).ok());
  ASSERT_TRUE(store->upsertAccount({"acct-9", "default", "", "", "new", 0, 0}).ok());  // not acme's
  EXPECT_TRUE(*tenancy->consume("acme", sdk::quota::kAccounts, 1, kNow));
  ASSERT_TRUE(store->upsertAccount({"acct-2", "acme", "", "", "new", 0, 0}).ok());
  EXPECT_FALSE(*tenancy->consume("acme", sdk::quota::kAccounts, 1, kNow));
  EXPECT_EQ(tenancy->quotas("acme", kNow)->usedToday.at(sdk::quota::kAccounts), 2);
}

// The one check every way of adding an account passes (admin API, Kafka control add, connectors).
TEST_P(StorageTest, AdmitAccountRefusesANewAccountOverTheQuotaNamingIt) {
  auto store = open();
  auto tenancy = tenancyOf(store);
  ASSERT_TRUE(tenancy->create("acme", "").ok());
  EXPECT_TRUE(admitAccount(store, "acme", "acct-1").ok());  // no limit yet
  ASSERT_TRUE(tenancy->setQuota("acme", sdk::quota::kAccounts, 2).ok());
  ASSERT_TRUE(store->upsertAccount({"acct-1", "acme", "", "", "new", 0, 0}).ok());
  ASSERT_TRUE(store->upsertAccount({"acct-9", "default", "", "", "new", 0, 0}).ok());  // not acme's
  EXPECT_TRUE(admitAccount(store, "acme", "acct-2").ok());
  // A connector's session the database does not hold yet counts too.
  MetricsRegistry metrics;
  auto refused = admitAccount(store, "acme", "acct-3", {"acct-2"}, &metrics);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, sdk::quota::kExceededCode);
  EXPECT_NE(refused.error().message.find("accounts quota (2)"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("acct-3"), std::string::npos);
  EXPECT_EQ(metrics.value("tenant_quota_exceeded_total", {{"tenant", "acme"}, {"quota", "accounts"}}), 1);
  // An account the tenant has already passes: reconnecting adds nothing.
  EXPECT_TRUE(admitAccount(store, "acme", "acct-2", {"acct-2"}).ok());
  EXPECT_TRUE(admitAccount(store, "acme", "acct-1", {"acct-2"}).ok());
  // Another tenant's count is its own.
  EXPECT_TRUE(admitAccount(store, "default", "acct-3", {"acct-2"}).ok());
}

TEST_P(StorageTest, ConcurrentQuotaTakersNeverPassTheLimit) {
  auto store = open();
  auto tenancy = tenancyOf(store);
  ASSERT_TRUE(tenancy->create("acme", "").ok());
  ASSERT_TRUE(tenancy->setQuota("acme", sdk::quota::kMessagesPerDay, 60).ok());
  std::atomic<int> taken{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto handle = store->tenant("acme");
      for (int i = 0; i < 25; ++i) {
        auto r = handle->consumeQuota(sdk::quota::kMessagesPerDay, 1);
        if (!r.ok()) {
          ++failed;
        } else if (*r) {
          ++taken;
        } else {
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(taken.load(), 60);
  EXPECT_EQ(refused.load(), 40);
}

// ---- Deletion: export, then purge, checked against every table of the schema ----

// Every table of the schema with its columns, read here from the catalogue independently of the
// code under test.
std::map<std::string, std::vector<std::string>> schemaTables(storage::Database& db) {
  std::map<std::string, std::vector<std::string>> out;
  auto r = db.run<bool>([&](storage::Connection& c) -> sdk::Result<bool> {
    std::string table, column;
    const char* sql = c.dialect == storage::Dialect::Sqlite
                          ? "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
                            " WHERE m.type = 'table'"
                          : "SELECT table_name, column_name FROM information_schema.columns"
                            " WHERE table_schema = current_schema()";
    soci::statement st = (c.sql.prepare << sql, soci::into(table), soci::into(column));
    st.execute();
    while (st.fetch()) {
      out[table].push_back(column);
    }
    return true;
  });
  EXPECT_TRUE(r.ok());
  return out;
}

// Rows of each table with a cell containing `marker` (every column read as text).
std::map<std::string, long long> rowsMentioning(storage::Database& db, const std::string& marker) {
  std::map<std::string, long long> out;
  for (const auto& entry : schemaTables(db)) {
    // References, not structured bindings: the lambda below captures them (clang 14 refuses bindings).
    const std::string& table = entry.first;
    const std::vector<std::string>& columns = entry.second;
    std::string where;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      where += (where.empty() ? "" : " OR ") + std::string("CAST(") + columns[i] + " AS TEXT) LIKE :m" +
               std::to_string(i);
    }
    const std::string pattern = "%" + marker + "%";
    auto n = db.run<long long>([&](storage::Connection& c) -> sdk::Result<long long> {
      long long count = 0;
      soci::statement st(c.sql);
      st.exchange(soci::into(count));
      std::vector<std::string> patterns(columns.size(), pattern);
      for (auto& p : patterns) {
        st.exchange(soci::use(p));
      }
      st.alloc();
      std::string sql = "SELECT COUNT(*) FROM " + table + " WHERE " + where;
      st.prepare(sql);
      st.define_and_bind();
      st.execute(true);
      return count;
    });
    EXPECT_TRUE(n.ok()) << table << ": " << (n.ok() ? "" : n.error().describe());
    if (n.ok() && *n > 0) {
      out[table] = *n;
    }
  }
  return out;
}

// Fills `tenant` with a row in (nearly) every table; every id carries the tenant's name.
void seedTenant(Store& store, Tenancy& tenancy, const std::string& tenant, const std::string& mediaPath) {
  ASSERT_TRUE(tenancy.create(tenant, "Company " + tenant).ok());
  const std::string account = tenant + "-acct";
  ASSERT_TRUE(store.upsertAccount({account, tenant, "main", account + "@s.whatsapp.net", "paired", 1, 1}).ok());
  ASSERT_TRUE(store.saveDeviceCredentials(account, "{\"noise\":\"" + tenant + "-secret\"}").ok());
  std::vector<InboundWrite> batch = {makeInbound(tenant, account, "15551112222", tenant + "-W1", tenant + " hi", 100),
                                     makeInbound(tenant, account, "15553334444", tenant + "-W2", tenant + " yo", 200)};
  sdk::Media media;
  media.mimeType = "image/jpeg";
  media.ref = mediaPath;
  media.size = 3;
  batch[1].message.media = media;
  ASSERT_TRUE(store.storeInbound(batch).ok());
  ASSERT_TRUE(store.writeSignal({{SignalWrite::Table::Identity, account, "15551112222.0", "identity"},
                                 {SignalWrite::Table::PreKey, account, "7", "prekey"},
                                 {SignalWrite::Table::SignedPreKey, account, "1", "signed"},
                                 {SignalWrite::Table::SenderKey, account, "group:x", "sender-key"}})
                  .ok());
  auto t = store.tenant(tenant);
  sdk::Contact c;
  c.phone = "15559990000";
  c.name = tenant + " contact";
  auto contact = t->upsertContact(c);
  ASSERT_TRUE(contact.ok());
  ASSERT_TRUE(t->addContactNote(contact->id, "agent", tenant + " note").ok());
  sdk::Agent a;
  a.id = tenant + "-agent";
  ASSERT_TRUE(t->upsertAgent(a).ok());
  ASSERT_TRUE(t->upsertTemplate({tenant + "-hello", "en", "Hello", "greeting"}).ok());
  ASSERT_TRUE(t->putState("plugin", "key", tenant + " state").ok());
  auto convs = t->listConversations({});
  ASSERT_TRUE(convs.ok() && !convs->empty());
  ASSERT_TRUE(t->addConversationNote((*convs)[0].id, "agent", tenant + " conv note").ok());
  sdk::OutboundCommand cmd;
  cmd.commandId = tenant + "-cmd";
  cmd.tenant = tenant;
  cmd.account = account;
  cmd.to = "15551112222";
  cmd.text = "hello";
  ASSERT_TRUE(store.storeCommand(cmd, "raw").ok());
  sdk::CommandResult result;
  result.commandId = cmd.commandId;
  result.tenant = tenant;
  result.account = account;
  result.stage = sdk::ResultStage::Sent;
  result.networkId = tenant + "-net";
  OutboxRecord record;
  record.topic = "results";
  record.tenant = tenant;
  record.key = cmd.commandId;
  record.ceId = tenant + "-ce";
  record.ceType = "switchboard.v1.CommandResult";
  record.payload = "result";
  ASSERT_TRUE(store.recordResult(result, record).ok());
  AuditEntry audit;
  audit.tenant = tenant;
  audit.actor = tenant + "-admin";
  audit.action = "agent.create";
  ASSERT_TRUE(store.appendAudit(audit).ok());
  ASSERT_TRUE(tenancy.setQuota(tenant, sdk::quota::kMessagesPerDay, 100).ok());
  ASSERT_TRUE(*tenancy.consume(tenant, sdk::quota::kMessagesPerDay, 1, kNow));
}

std::vector<json> readJsonLines(const fs::path& file) {
  std::vector<json> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(json::parse(line));
  }
  return out;
}

TEST_P(StorageTest, DeletedTenantIsExportedCompletelyThenNothingOfItRemains) {
  auto store = open();
  auto tenancy = tenancyOf(store);
  ASSERT_TRUE(tenancy);
  const fs::path media = fs::path(dir_) / "media";
  fs::create_directories(media / "zulu-acct");
  fs::create_directories(media / "yankee-acct");
  const auto zuluFile = (media / "zulu-acct" / "abc.jpg").string();
  const auto yankeeFile = (media / "yankee-acct" / "abc.jpg").string();
  std::ofstream(zuluFile) << "jpg";
  std::ofstream(yankeeFile) << "jpg";
  seedTenant(*store, *tenancy, "zulu", zuluFile);
  seedTenant(*store, *tenancy, "yankee", yankeeFile);

  storage::DatabaseOptions options;
  options.url = url_;
  options.poolSize = 1;
  auto db = storage::Database::open(options);
  ASSERT_TRUE(db.ok()) << db.error().describe();
  const auto before = rowsMentioning(**db, "zulu");
  const auto yankeeBefore = rowsMentioning(**db, "yankee");
  // The seed reached the tables a tenant's data lives in, Signal keys and credentials included.
  for (const char* t : {"accounts", "device_credentials", "signal_sessions", "signal_identities", "signal_prekeys",
                        "signal_signed_prekeys", "signal_sender_keys", "messages", "contacts", "contact_notes",
                        "conversations", "conversation_notes", "agents", "message_templates", "plugin_state",
                        "commands", "outbox", "audit_log", "tenancy_quotas", "tenancy_usage", "tenants"}) {
    EXPECT_TRUE(before.count(t)) << "seed left " << t << " empty";
  }

  // Export: every table with the tenant's rows has a file with as many lines.
  const auto out = fs::path(dir_) / "export-zulu";
  auto exported = tenancy->exportTenant("zulu", out.string());
  ASSERT_TRUE(exported.ok()) << exported.error().describe();
  EXPECT_EQ(tenancy->exportTenant("zulu", out.string()).error().code, "tenant.export_exists");
  for (const auto& [table, rows] : before) {
    const auto file = out / (table + ".jsonl");
    ASSERT_TRUE(fs::exists(file)) << table;
    auto lines = readJsonLines(file);
    // Rows naming zulu only inside a value (none here) would be fewer than the tenant's rows.
    EXPECT_GE(static_cast<long long>(lines.size()), rows) << table;
    EXPECT_EQ(exported->rows.at(table), static_cast<long long>(lines.size())) << table;
  }
  // No other tenant's row got into the export.
  for (const auto& name : exported->files) {
    std::ifstream in(out / name);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(all.find("yankee"), std::string::npos) << name;
  }
  auto messages = readJsonLines(out / "messages.jsonl");
  ASSERT_GE(messages.size(), 2u);  // two received, and the command's outbound row
  EXPECT_EQ(messages[0]["tenant"], "zulu");
  EXPECT_TRUE(messages[0]["ts"].is_number());
  auto credentials = readJsonLines(out / "device_credentials.jsonl");
  ASSERT_EQ(credentials.size(), 1u);
  EXPECT_EQ(credentials[0]["account"], "zulu-acct");
  auto csv = readFile((out / "contacts.csv").string());
  EXPECT_NE(csv.find("zulu contact"), std::string::npos);

  // Purge: nothing of zulu anywhere, yankee untouched, zulu's media gone.
  auto purged = tenancy->purge("zulu");
  ASSERT_TRUE(purged.ok()) << purged.error().describe();
  EXPECT_EQ(purged->accounts, std::vector<std::string>{"zulu-acct"});
  EXPECT_EQ(purged->mediaFiles, std::vector<std::string>{zuluFile});
  EXPECT_EQ(rowsMentioning(**db, "zulu"), (std::map<std::string, long long>{}));
  EXPECT_EQ(rowsMentioning(**db, "yankee"), yankeeBefore);
  EXPECT_FALSE(fs::exists(zuluFile));
  EXPECT_TRUE(fs::exists(yankeeFile));
  EXPECT_FALSE(tenancy->get("zulu")->has_value());
  EXPECT_FALSE(store->loadDeviceCredentials("zulu-acct")->has_value());
  EXPECT_FALSE(store->readSignal(SignalWrite::Table::Session, "zulu-acct", "15551112222.0")->has_value());
  EXPECT_EQ(tenancy->purge("zulu").error().code, "tenant.not_found");
  EXPECT_EQ(tenancy->purge("default").error().code, "tenant.protected");
}

TEST_P(StorageTest, EveryTableKeyedByTenantOrAccountIsATenantTable) {
  auto store = open();
  auto tenancy = tenancyOf(store);
  auto tables = tenancy->tenantTables();
  ASSERT_TRUE(tables.ok());
  std::set<std::string> names;
  for (const auto& t : *tables) {
    names.insert(t.name);
  }
  storage::DatabaseOptions options;
  options.url = url_;
  options.poolSize = 1;
  auto db = storage::Database::open(options);
  ASSERT_TRUE(db.ok());
  for (const auto& [table, columns] : schemaTables(**db)) {
    const bool keyed = std::count(columns.begin(), columns.end(), "tenant") > 0 ||
                       std::count(columns.begin(), columns.end(), "account") > 0 || table == "tenants";
    EXPECT_EQ(names.count(table) == 1, keyed) << table;
  }
  EXPECT_EQ(tables->back().name, "tenants");  // deleted last
}

}  // namespace
}  // namespace switchboard::host::test
