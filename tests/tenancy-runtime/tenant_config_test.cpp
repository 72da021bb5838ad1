// `tenants:` in the daemon's file: each tenant's plugin instances, named <tenant>.<name>, scoped to
// the tenant, validated like `plugins:` with file:line:column errors.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "config/config_file.hpp"

using namespace switchboard::host;
namespace sb = switchboard::sdk;

namespace {

struct TempFile {
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/sbtenXXXXXX";
    int fd = mkstemp(tmpl);
    close(fd);
    path = tmpl;
    std::ofstream(path) << content;
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

std::optional<LoadedConfig> load(const std::string& yaml, ConfigErrors& errors, std::string* file = nullptr) {
  TempFile f(yaml);
  if (file != nullptr) {
    *file = f.path;
  }
  ConfigFile cfg;
  return cfg.load(f.path, [](const std::string& library) -> sb::Result<sb::ConfigSchema> {
    if (library != "routing") {
      return sb::Error::permanent("plugin.not_found", "no plugin library \"" + library + "\"");
    }
    return sb::ConfigSchema{{sb::field::string("strategy", "How to pick", std::string("round_robin"))
                                 .oneOf({"round_robin", "least_busy"})}};
  }, errors, {}, [](const std::string&) { return std::optional<std::string>(); });
}

const PluginSpec* find(const LoadedConfig& c, const std::string& name) {
  for (const auto& s : c.plugins) {
    if (s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

}  // namespace

TEST(TenantConfig, EachTenantsInstancesAreNamedAndScopedToIt) {
  ConfigErrors errors;
  auto c = load(R"(plugins:
  - name: shared
    library: routing
tenants:
  acme:
    plugins:
      - name: router
        library: routing
        config: { strategy: least_busy }
  beta-2:
    plugins:
      - name: router
        library: routing
  paused:
    enabled: false
    plugins:
      - name: router
        library: routing
)",
                errors);
  ASSERT_TRUE(c) << describe(errors);
  ASSERT_EQ(c->plugins.size(), 4U);
  EXPECT_EQ(c->plugins[0].name, "shared");
  EXPECT_EQ(c->plugins[0].tenant, "");
  EXPECT_TRUE(c->plugins[0].servesTenant("acme"));
  const auto* acme = find(*c, "acme.router");
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(acme->tenant, "acme");
  EXPECT_EQ(acme->config["strategy"].asString(), "least_busy");
  EXPECT_TRUE(acme->servesTenant("acme"));
  EXPECT_FALSE(acme->servesTenant("beta-2"));
  const auto* beta = find(*c, "beta-2.router");
  ASSERT_NE(beta, nullptr);
  EXPECT_EQ(beta->config["strategy"].asString(), "round_robin");
  EXPECT_NE(acme->fingerprint(), beta->fingerprint()) << "same library, another tenant: another instance";
  const auto* paused = find(*c, "paused.router");
  ASSERT_NE(paused, nullptr);
  EXPECT_FALSE(paused->enabled) << "a disabled tenant's instances do not run";
}

TEST(TenantConfig, ProblemsNameFileLineColumnAndTheTenantsKey) {
  ConfigErrors errors;
  std::string file;
  auto c = load(R"(tenants:
  acme:
    plugin:
      - name: router
  "bad id":
    plugins: []
  beta:
    plugins:
      - name: router
        library: routing
        config: { strategy: round-robbin }
)",
                errors, &file);
  ASSERT_FALSE(c);
  const auto all = describe(errors);
  EXPECT_NE(all.find(file + ":3:5: tenants.acme.plugin: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find(file + ":5:3: tenants.bad id: invalid tenant id"), std::string::npos) << all;
  EXPECT_NE(all.find(":11:29: tenants.beta.plugins.router.config.strategy"), std::string::npos) << all;
}

TEST(TenantConfig, InstanceNamesAreUniqueAcrossPluginsAndTenants) {
  ConfigErrors errors;
  auto c = load(R"(plugins:
  - name: acme.router
    library: routing
tenants:
  acme:
    plugins:
      - name: router
        library: routing
)",
                errors);
  ASSERT_FALSE(c);
  EXPECT_NE(describe(errors).find("duplicate plugin instance name \"acme.router\""), std::string::npos)
      << describe(errors);
}

TEST(TenantConfig, TenantsMustBeAMapOfMaps) {
  ConfigErrors errors;
  EXPECT_FALSE(load("tenants: [acme]\n", errors));
  EXPECT_NE(describe(errors).find(":1:10: tenants: expected a map of tenant ids"), std::string::npos)
      << describe(errors);
  errors.clear();
  EXPECT_FALSE(load("tenants:\n  acme: 3\n", errors));
  EXPECT_NE(describe(errors).find(":2:9: tenants.acme: expected a map"), std::string::npos) << describe(errors);
}
