// The configuration validator: every problem carries file:line:column and the dotted key.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "config/config_file.hpp"
#include "config/daemon_config.hpp"
#include "config/scalar_parsing.hpp"

using namespace switchboard::host;
namespace sb = switchboard::sdk;

namespace {

struct TempFile {
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/sbcfgXXXXXX";
    int fd = mkstemp(tmpl);
    close(fd);
    path = tmpl;
    std::ofstream(path) << content;
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

sb::ConfigSchema routingSchema() {
  return {{
      sb::field::string("strategy", "How to pick", std::string("round_robin"))
          .oneOf({"round_robin", "least_busy", "skills"}),
      sb::field::integer("max_chats", "Per agent", 5).range(1, 100),
      sb::field::string("api_token", "Secret").secret(),
  }};
}

std::optional<LoadedConfig> load(const std::string& yaml, ConfigErrors& errors,
                                 std::map<std::string, std::string> env = {}) {
  static TempFile* keep = nullptr;
  delete keep;
  keep = new TempFile(yaml);
  ConfigFile file;
  file.addSection("daemon", daemonConfigSchema());
  file.addSection("pipeline", pipelineConfigSchema());
  return file.load(
      keep->path,
      [](const std::string& lib) -> sb::Result<sb::ConfigSchema> {
        if (lib == "routing") {
          return routingSchema();
        }
        return sb::Error::permanent("plugin.not_found", "no plugin library \"" + lib + "\"");
      },
      errors, {},
      [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
      });
}

}  // namespace

TEST(ConfigValidation, DefaultsFillAnEmptyFile) {
  ConfigErrors errors;
  auto cfg = load("", errors);
  ASSERT_TRUE(cfg) << describe(errors);
  EXPECT_EQ(cfg->section("daemon")["threads"].asInt(), 2);
  EXPECT_EQ(cfg->section("daemon")["shutdown_deadline"].asInt(), 10'000);
  EXPECT_EQ(cfg->section("pipeline")["batch_linger"].asInt(), 2);
}

TEST(ConfigValidation, MisspelledKeyNamesFileLineColumnAndSuggests) {
  ConfigErrors errors;
  auto cfg = load("daemon:\n  threads: 4\n  shutdown_dedline: 5s\n", errors);
  ASSERT_FALSE(cfg);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].column, 3);
  EXPECT_EQ(errors[0].key, "daemon.shutdown_dedline");
  EXPECT_NE(errors[0].describe().find(":3:3: daemon.shutdown_dedline: unknown key (did you mean \"shutdown_deadline\"?)"),
            std::string::npos)
      << errors[0].describe();
}

TEST(ConfigValidation, WrongTypeAndOutOfRangeAreBothReported) {
  ConfigErrors errors;
  auto cfg = load("daemon:\n  threads: many\npipeline:\n  batch_size: 0\n", errors);
  ASSERT_FALSE(cfg);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].key, "daemon.threads");
  EXPECT_NE(errors[0].message.find("expected an integer"), std::string::npos);
  EXPECT_EQ(errors[1].key, "pipeline.batch_size");
  EXPECT_EQ(errors[1].line, 4);
  EXPECT_NE(errors[1].message.find("between 1 and 100000"), std::string::npos) << errors[1].message;
}

TEST(ConfigValidation, UnknownSectionIsAnError) {
  ConfigErrors errors;
  auto cfg = load("deamon:\n  threads: 1\n", errors);
  ASSERT_FALSE(cfg);
  EXPECT_NE(errors.at(0).message.find("did you mean \"daemon\""), std::string::npos);
}

TEST(ConfigValidation, PluginSectionIsValidatedAgainstThePluginSchema) {
  ConfigErrors errors;
  auto cfg = load(
      "plugins:\n"
      "  - name: router\n"
      "    library: routing\n"
      "    config:\n"
      "      strategy: round-robbin\n",
      errors);
  ASSERT_FALSE(cfg);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "plugins.router.config.strategy");
  EXPECT_EQ(errors[0].line, 5);
  EXPECT_EQ(errors[0].column, 17);
  EXPECT_NE(errors[0].message.find("unknown value \"round-robbin\" (did you mean \"round_robin\"?)"), std::string::npos)
      << errors[0].message;
}

TEST(ConfigValidation, UnknownPluginLibraryIsReportedAtItsLine) {
  ConfigErrors errors;
  auto cfg = load("plugins:\n  - name: x\n    library: nothere\n", errors);
  ASSERT_FALSE(cfg);
  EXPECT_EQ(errors.at(0).line, 3);
  EXPECT_EQ(errors.at(0).key, "plugins.x.library");
}

TEST(ConfigValidation, DuplicateInstanceNamesAreRefused) {
  ConfigErrors errors;
  auto cfg = load("plugins:\n  - {name: a, library: routing}\n  - {name: a, library: routing}\n", errors);
  ASSERT_FALSE(cfg);
  EXPECT_NE(errors.at(0).message.find("duplicate"), std::string::npos);
}

TEST(ConfigValidation, EnvironmentSubstitutionWithFallback) {
  ConfigErrors errors;
  auto cfg = load("daemon:\n  threads: ${SB_THREADS}\n  instance_id: ${SB_NAME:-edge}\n", errors, {{"SB_THREADS", "6"}});
  ASSERT_TRUE(cfg) << describe(errors);
  EXPECT_EQ(cfg->section("daemon")["threads"].asInt(), 6);
  EXPECT_EQ(cfg->section("daemon")["instance_id"].asString(), "edge");
}

TEST(ConfigValidation, UnsetEnvironmentVariableIsAnError) {
  ConfigErrors errors;
  auto cfg = load("daemon:\n  instance_id: ${SB_MISSING}\n", errors);
  ASSERT_FALSE(cfg);
  EXPECT_NE(errors.at(0).message.find("SB_MISSING is not set"), std::string::npos);
  EXPECT_EQ(errors.at(0).line, 2);
}

TEST(ConfigValidation, SecretsComeFromFiles) {
  TempFile secret("s3cr3t\n");
  ConfigErrors errors;
  auto cfg = load("plugins:\n  - name: r\n    library: routing\n    config:\n      api_token_file: " + secret.path + "\n",
                  errors);
  ASSERT_TRUE(cfg) << describe(errors);
  EXPECT_EQ(cfg->plugins.at(0).config["api_token"].asString(), "s3cr3t");
}

TEST(ConfigValidation, MissingSecretFileIsAnError) {
  ConfigErrors errors;
  auto cfg = load("plugins:\n  - name: r\n    library: routing\n    config:\n      api_token_file: /nonexistent/tok\n",
                  errors);
  ASSERT_FALSE(cfg);
  EXPECT_NE(errors.at(0).message.find("cannot read secret file /nonexistent/tok"), std::string::npos);
}

TEST(ConfigValidation, YamlSyntaxErrorHasAPlace) {
  ConfigErrors errors;
  auto cfg = load("daemon:\n  threads: [1,\n", errors);
  ASSERT_FALSE(cfg);
  EXPECT_GT(errors.at(0).line, 0);
  EXPECT_NE(errors.at(0).message.find("YAML syntax error"), std::string::npos);
}

TEST(ConfigValidation, FingerprintChangesOnlyWithThePluginsOwnSection) {
  ConfigErrors errors;
  auto a = load("plugins:\n  - {name: r, library: routing, config: {max_chats: 3}}\n", errors);
  auto b = load("daemon: {threads: 3}\nplugins:\n  - {name: r, library: routing, config: {max_chats: 3}}\n", errors);
  auto c = load("plugins:\n  - {name: r, library: routing, config: {max_chats: 4}}\n", errors);
  ASSERT_TRUE(a && b && c) << describe(errors);
  EXPECT_EQ(a->plugins[0].fingerprint(), b->plugins[0].fingerprint());
  EXPECT_NE(a->plugins[0].fingerprint(), c->plugins[0].fingerprint());
}

TEST(ScalarParsing, Durations) {
  std::chrono::milliseconds ms{};
  EXPECT_TRUE(parseDuration("250ms", ms).empty());
  EXPECT_EQ(ms.count(), 250);
  EXPECT_TRUE(parseDuration("2h", ms).empty());
  EXPECT_EQ(ms.count(), 7'200'000);
  EXPECT_TRUE(parseDuration("1500", ms).empty());
  EXPECT_EQ(ms.count(), 1500);
  EXPECT_FALSE(parseDuration("10 parsecs", ms).empty());
  EXPECT_FALSE(parseDuration("s", ms).empty());
  EXPECT_FALSE(parseDuration("99999999999999999d", ms).empty());
}
