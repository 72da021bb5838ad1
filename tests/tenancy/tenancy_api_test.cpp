// Tenants through the admin API: created, read, suspended (its tokens and its WebSocket feed
// refused), resumed, deleted (export, purge, tokens revoked, audited); quotas on API requests per
// second, messages per day and accounts, each answered with its code and counted in a metric.
// Every case runs on SQLite and on PostgreSQL.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <mutex>

#include "admin_test_support.hpp"
#include "tenancy/tenancy_backends.hpp"

using namespace admintest;
using switchboard::tenancytest::Backend;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

class TenancyApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    exportDir = fs::temp_directory_path() / ("sb-tenancy-exports-" + std::to_string(::getpid()));
    fs::remove_all(exportDir);
    auto settings = AdminHarness::defaults();
    settings.tenantExportDir = exportDir.string();
    // SQLite: the harness's own file; PostgreSQL: a fresh database for this case.
    std::string url;
    if (GetParam() == Backend::Postgres) {
      url = switchboard::tenancytest::freshDatabaseUrl(Backend::Postgres, "");
      ASSERT_FALSE(url.empty());
    }
    h = std::make_unique<AdminHarness>(settings, 0, url);
    root = h->token("root", "admin");
  }
  void TearDown() override {
    h.reset();
    fs::remove_all(exportDir);
  }

  // The feed's answer to a WebSocket upgrade with `token`: "" when it opened, else the error.
  std::string openFeed(const std::string& token) {
    boost::asio::io_context io;
    auto client = http::Client::create(io.get_executor(), {});
    EXPECT_TRUE(client.ok());
    std::optional<sb::Result<http::WebSocketPtr>> opened;
    (*client)->connectWebSocket(h->baseUrl() + "/v1/events?access_token=" + token, {},
                                [&](auto r) { opened.emplace(std::move(r)); });
    while (!opened) {
      io.run_one();
    }
    if (opened->ok()) {
      opened->value()->close();
      io.run_for(200ms);
      return "";
    }
    return opened->error().message;
  }

  fs::path exportDir;
  std::unique_ptr<AdminHarness> h;
  std::string root;
};

SB_TENANCY_BACKENDS(TenancyApiTest);

}  // namespace

TEST_P(TenancyApiTest, CreateSuspendResumeDelete) {
  auto created = h->call("POST", "/v1/tenants", root, R"({"id":"acme","name":"Acme","quotas":{"messages_per_day":5}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.j()["state"], "active");
  EXPECT_EQ(created.j()["quotas"]["messages_per_day"], 5);
  EXPECT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"acme"})").code(), "tenant.exists");
  EXPECT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"bad id"})").status, 400);
  EXPECT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"q","quotas":{"bananas":1}})").status, 400);

  auto acme = h->token("acme-admin", "admin", "acme");
  // A tenant's own token reads its tenant only, and manages none.
  EXPECT_EQ(h->call("POST", "/v1/tenants", acme, R"({"id":"other"})").status, 403);
  auto seen = h->call("GET", "/v1/tenants", acme).j();
  ASSERT_EQ(seen["items"].size(), 1U) << seen.dump();
  EXPECT_EQ(seen["items"][0]["id"], "acme");
  EXPECT_EQ(h->call("GET", "/v1/tenants/default", acme).status, 404);
  EXPECT_EQ(h->call("GET", "/v1/tenants/acme", acme).status, 200);
  EXPECT_EQ(h->call("POST", "/v1/tenants/acme/suspend", acme).status, 403);
  EXPECT_GE(h->call("GET", "/v1/tenants", root).j()["items"].size(), 2U);

  ASSERT_EQ(h->call("POST", "/v1/agents", acme, R"({"id":"acme-agent","name":"Acme's agent"})").status, 201);
  EXPECT_EQ(openFeed(acme), "");

  auto suspended = h->call("POST", "/v1/tenants/acme/suspend", root);
  ASSERT_EQ(suspended.status, 200) << suspended.body;
  EXPECT_EQ(suspended.j()["state"], "suspended");
  auto refused = h->call("GET", "/v1/agents", acme);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.code(), "tenant_suspended");
  EXPECT_NE(openFeed(acme).find("403"), std::string::npos);
  // The operator still sees into it (to resume it, to answer its owner).
  EXPECT_EQ(h->call("GET", "/v1/agents/acme-agent?tenant=acme", root).status, 200);
  // Sending on its behalf is refused too, whoever asks.
  auto send = h->call("POST", "/v1/messages?tenant=acme", root, R"({"account":"15550009","to":"1555","text":"x"})");
  EXPECT_EQ(send.status, 403);
  EXPECT_EQ(send.code(), "tenant_suspended");
  EXPECT_EQ(h->call("POST", "/v1/tenants/default/suspend", root).status, 409);

  ASSERT_EQ(h->call("POST", "/v1/tenants/acme/resume", root).status, 200);
  EXPECT_EQ(h->call("GET", "/v1/agents", acme).status, 200);

  EXPECT_EQ(h->call("DELETE", "/v1/tenants/default", root).status, 409);
  auto deleted = h->call("DELETE", "/v1/tenants/acme", root);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  const auto dir = deleted.j()["export"]["directory"].get<std::string>();
  EXPECT_EQ(fs::path(dir).parent_path(), exportDir);
  std::ifstream agents(fs::path(dir) / "agents.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(agents, line));
  EXPECT_EQ(json::parse(line)["name"], "Acme's agent");
  EXPECT_GE(deleted.j()["purged"]["rows"]["agents"], 1);
  EXPECT_EQ(deleted.j()["tokens_revoked"], json::array({"acme-admin"}));
  EXPECT_EQ(h->call("GET", "/v1/agents", acme).status, 401);
  EXPECT_EQ(h->call("GET", "/v1/tenants/acme", root).status, 404);
  EXPECT_EQ(h->call("GET", "/v1/agents/acme-agent?tenant=acme", root).status, 404);
  // The deletion is audited where the operator's entries are, naming the export.
  bool audited = false;
  const auto audit = h->call("GET", "/v1/audit", root).j();
  for (const auto& e : audit["items"]) {
    audited = audited || (e["action"] == "tenant.delete" && e["subject"] == "acme" &&
                          e["detail"].get<std::string>().find("export=" + dir) != std::string::npos);
  }
  EXPECT_TRUE(audited);
}

TEST_P(TenancyApiTest, ApiRequestsPerSecondQuota) {
  ASSERT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"acme"})").status, 201);
  auto acme = h->token("acme-ro", "read-only", "acme");
  auto set = h->call("PUT", "/v1/tenants/acme/quotas", root, R"({"api_requests_per_second":2})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.j()["quotas"]["api_requests_per_second"], 2);
  int ok = 0, limited = 0;
  Reply last;
  for (int i = 0; i < 8; ++i) {
    auto r = h->call("GET", "/v1/agents", acme);
    if (r.status == 200) {
      ++ok;
    } else {
      EXPECT_EQ(r.status, 429);
      EXPECT_EQ(r.code(), "quota_exceeded");
      last = r;
      ++limited;
    }
  }
  EXPECT_GE(ok, 2);
  EXPECT_GE(limited, 1);
  EXPECT_FALSE(last.headers["Retry-After"].empty());
  // The operator's own token is not held back by the tenant's quota.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(h->call("GET", "/v1/agents?tenant=acme", root).status, 200);
  }
  auto metrics = h->call("GET", "/v1/metrics", root).body;
  EXPECT_NE(metrics.find("tenant_quota_exceeded_total{"), std::string::npos);
  EXPECT_NE(metrics.find("quota=\"api_requests_per_second\""), std::string::npos);
  // Lifted: through again.
  ASSERT_EQ(h->call("PUT", "/v1/tenants/acme/quotas", root, R"({"api_requests_per_second":null})").status, 200);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(h->call("GET", "/v1/agents", acme).status, 200);
  }
}

TEST_P(TenancyApiTest, MessagesPerDayQuotaOnSend) {
  ASSERT_EQ(h->call("PUT", "/v1/tenants/default/quotas", root, R"({"messages_per_day":1})").status, 200);
  auto first = h->call("POST", "/v1/messages", root, R"({"account":"15550001","to":"15557770005","text":"one"})");
  EXPECT_EQ(first.status, 202) << first.body;
  auto second = h->call("POST", "/v1/messages", root, R"({"account":"15550001","to":"15557770005","text":"two"})");
  EXPECT_EQ(second.status, 429) << second.body;
  EXPECT_EQ(second.code(), "quota_exceeded");
  auto usage = h->call("GET", "/v1/tenants/default", root).j();
  EXPECT_EQ(usage["usage_today"]["messages_per_day"], 1);
  EXPECT_NE(h->call("GET", "/v1/metrics", root).body.find("quota=\"messages_per_day\""), std::string::npos);
}

TEST_P(TenancyApiTest, AccountsQuotaOnCreate) {
  // The default tenant runs one account (15550001) on the fake connector.
  ASSERT_EQ(h->call("PUT", "/v1/tenants/default/quotas", root, R"({"accounts":1})").status, 200);
  auto refused = h->call("POST", "/v1/accounts", root, R"({"id":"15550002"})");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.code(), "quota_exceeded");
  // The refusal says which quota and its value.
  EXPECT_NE(refused.j()["error"].value("message", "").find("accounts quota (1)"), std::string::npos) << refused.body;
  ASSERT_EQ(h->call("PUT", "/v1/tenants/default/quotas", root, R"({"accounts":2})").status, 200);
  EXPECT_EQ(h->call("POST", "/v1/accounts", root, R"({"id":"15550002"})").status, 201);
}

TEST_P(TenancyApiTest, EachTenantsFeedCarriesItsOwnEventsOnly) {
  ASSERT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"acme"})").status, 201);
  ASSERT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"beta"})").status, 201);
  auto acme = h->token("acme-ro", "read-only", "acme");
  auto beta = h->token("beta-ro", "read-only", "beta");
  boost::asio::io_context io;
  auto client = http::Client::create(io.get_executor(), {});
  ASSERT_TRUE(client.ok());
  std::map<std::string, std::vector<json>> seen;
  std::vector<http::WebSocketPtr> sockets;
  for (const auto& [name, token] : {std::pair<std::string, std::string>{"acme", acme}, {"beta", beta}}) {
    std::optional<sb::Result<http::WebSocketPtr>> opened;
    (*client)->connectWebSocket(h->baseUrl() + "/v1/events?access_token=" + token, {},
                                [&](auto r) { opened.emplace(std::move(r)); });
    while (!opened) {
      io.run_one();
    }
    ASSERT_TRUE(opened->ok()) << opened->error().describe();
    auto ws = opened->value();
    ws->start([&seen, n = name](std::string m, bool) { seen[n].push_back(json::parse(m, nullptr, false)); },
              [](sb::Status) {});
    sockets.push_back(ws);
  }
  // A scoped token asking for another tenant's feed gets a 404, not that feed.
  std::optional<sb::Result<http::WebSocketPtr>> crossed;
  (*client)->connectWebSocket(h->baseUrl() + "/v1/events?tenant=beta&access_token=" + acme, {},
                              [&](auto r) { crossed.emplace(std::move(r)); });
  while (!crossed) {
    io.run_one();
  }
  ASSERT_FALSE(crossed->ok());
  EXPECT_NE(crossed->error().message.find("404"), std::string::npos);
  io.run_for(200ms);  // both feeds subscribed
  for (const char* tenant : {"acme", "beta", "default"}) {
    sb::Event e;
    e.type = "message.received";
    e.tenant = tenant;
    e.subject = std::string("secret of ") + tenant;
    h->bus.publish(e);
  }
  auto has = [&](const std::string& feed, const std::string& subject) {
    for (const auto& j : seen[feed]) {
      if (j.is_object() && j.value("subject", "") == subject) {
        return true;
      }
    }
    return false;
  };
  const auto end = std::chrono::steady_clock::now() + 5s;
  while (!(has("acme", "secret of acme") && has("beta", "secret of beta")) && std::chrono::steady_clock::now() < end) {
    io.run_for(50ms);
  }
  io.run_for(200ms);
  EXPECT_TRUE(has("acme", "secret of acme"));
  EXPECT_TRUE(has("beta", "secret of beta"));
  for (const auto& [feed, events] : seen) {
    for (const auto& j : events) {
      if (j.value("type", "") != "feed.open") {
        EXPECT_EQ(j.value("tenant", ""), feed) << j.dump();
      }
    }
  }
  for (auto& ws : sockets) {
    ws->close();
  }
  io.run_for(300ms);
}

TEST_P(TenancyApiTest, SuspensionDisconnectsTheTenantsAccountsAndResumeReconnectsThem) {
  // The placement probe beside the fake connector: it records which accounts the host releases.
  host::PluginSpec probe;
  probe.name = "probe";
  probe.library = PLACEMENT_PROBE_PLUGIN;
  h->specs.push_back(probe);
  auto report = h->instances->apply(h->specs, 5s);
  ASSERT_TRUE(report.failed.empty());
  ASSERT_EQ(report.started, std::vector<std::string>{"probe"});
  ASSERT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"acme"})").status, 201);
  ASSERT_TRUE(h->store->upsertAccount({"15550007001", "acme", "", "", "paired", 1, 1}).ok());
  std::mutex m;
  std::vector<sb::Event> seen;
  auto sub = h->bus.subscribe("probe.", [&](const sb::Event& e) {
    std::lock_guard lock(m);
    seen.push_back(e);
  });
  auto count = [&](const std::string& type, const std::string& account) {
    std::lock_guard lock(m);
    return std::count_if(seen.begin(), seen.end(),
                         [&](const sb::Event& e) { return e.type == type && e.account == account; });
  };
  auto suspended = h->call("POST", "/v1/tenants/acme/suspend", root);
  ASSERT_EQ(suspended.status, 200) << suspended.body;
  EXPECT_EQ(suspended.j()["accounts"], json::array({"15550007001"}));
  ASSERT_TRUE(waitFor([&] { return count("probe.released", "15550007001") == 1; }));
  EXPECT_EQ(count("probe.released", "15550001"), 0);  // the default tenant's account stays
  auto resumed = h->call("POST", "/v1/tenants/acme/resume", root);
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  ASSERT_TRUE(waitFor([&] { return count("probe.run", "15550007001") == 1; }));
}

// A tenant's own plugin instances (`tenants.<id>.plugins`) stop while it is suspended, stay stopped
// through a configuration reload, and start again on resume; another tenant's instance and the
// shared instances run on throughout.
TEST_P(TenancyApiTest, SuspensionStopsTheTenantsOwnInstancesOnly) {
  ASSERT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"acme"})").status, 201);
  ASSERT_EQ(h->call("POST", "/v1/tenants", root, R"({"id":"beta"})").status, 201);
  for (const std::string tenant : {"acme", "beta"}) {
    host::PluginSpec own;
    own.name = tenant + ".probe";
    own.tenant = tenant;
    own.library = PLACEMENT_PROBE_PLUGIN;
    h->specs.push_back(own);
  }
  auto report = h->instances->apply(h->specs, 5s);
  ASSERT_TRUE(report.failed.empty());
  ASSERT_EQ(report.started, (std::vector<std::string>{"acme.probe", "beta.probe"}));
  auto running = [&](const std::string& name) {
    for (const auto& i : h->plugins->instances()) {
      if (i->spec().name == name) {
        return true;
      }
    }
    return false;
  };
  auto suspended = h->call("POST", "/v1/tenants/acme/suspend", root);
  ASSERT_EQ(suspended.status, 200) << suspended.body;
  EXPECT_EQ(suspended.j()["instances"], json::array({"acme.probe"}));
  EXPECT_FALSE(running("acme.probe"));
  EXPECT_TRUE(running("beta.probe"));
  EXPECT_TRUE(running("wa"));
  // A reload (the daemon's SIGHUP applies its file the same way) does not bring them back.
  report = h->instances->apply(h->specs, 5s);
  EXPECT_TRUE(report.started.empty());
  EXPECT_FALSE(running("acme.probe"));

  auto resumed = h->call("POST", "/v1/tenants/acme/resume", root);
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(resumed.j()["instances"], json::array({"acme.probe"}));
  EXPECT_TRUE(running("acme.probe"));
  EXPECT_TRUE(running("beta.probe"));
}
