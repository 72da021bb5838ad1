// Running plugin instances: start, failure isolation, and reload restarting only what changed.

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "pipeline/pipeline.hpp"
#include "plugin/plugin_manager.hpp"

using namespace switchboard::host;
namespace sb = switchboard::sdk;

namespace {

struct Harness {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  MetricsRegistry metrics;
  LocalEventBus bus;
  Pipeline pipeline{io, PipelineSettings{}, nullptr, bus, metrics, RecordEncoder{}};
  HostServices services{io, metrics, nullptr, bus, pipeline, pipeline, "/tmp"};
  PluginCatalog catalog{SB_TEST_PLUGIN_DIR};
  PluginManager manager{services, catalog};

  ~Harness() {
    manager.stopAll(std::chrono::seconds(5));
    work.reset();
    thread.join();
  }
};

PluginSpec loopback(const std::string& name, const std::string& lifecycle, const std::string& marker) {
  PluginSpec s;
  s.name = name;
  s.library = std::string(SB_PLUGIN_DIR) + "/switchboard-loopback.so";
  sb::ConfigValue::Map m;
  m["account"] = sb::ConfigValue::ofString("acct-" + name);
  m["tenant"] = sb::ConfigValue::ofString("default");
  m["rate"] = sb::ConfigValue::ofInt(0);
  m["tick"] = sb::ConfigValue::ofInt(10);
  m["lifecycle_file"] = sb::ConfigValue::ofString(lifecycle);
  m["acked_file"] = sb::ConfigValue::ofString("");
  m["sent_file"] = sb::ConfigValue::ofString("");
  m["marker"] = sb::ConfigValue::ofString(marker);
  s.config = sb::ConfigValue::ofMap(std::move(m));
  return s;
}

std::vector<std::string> lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) {
    out.push_back(l);
  }
  return out;
}

}  // namespace

TEST(PluginManager, ReloadRestartsOnlyChangedInstances) {
  const std::string lifecycle = "/tmp/sb-lifecycle-" + std::to_string(getpid());
  std::remove(lifecycle.c_str());
  Harness h;
  auto r1 = h.manager.apply({loopback("a", lifecycle, "1"), loopback("b", lifecycle, "1")}, std::chrono::seconds(5));
  EXPECT_EQ(r1.started, (std::vector<std::string>{"a", "b"}));
  auto r2 = h.manager.apply({loopback("a", lifecycle, "1"), loopback("b", lifecycle, "2")}, std::chrono::seconds(5));
  EXPECT_EQ(r2.restarted, (std::vector<std::string>{"b"}));
  EXPECT_EQ(r2.unchanged, (std::vector<std::string>{"a"}));
  auto r3 = h.manager.apply({loopback("b", lifecycle, "2")}, std::chrono::seconds(5));
  EXPECT_EQ(r3.stopped, (std::vector<std::string>{"a"}));
  EXPECT_EQ(lines(lifecycle), (std::vector<std::string>{"start a", "start b", "stop b", "start b", "stop a"}));
  std::remove(lifecycle.c_str());
}

TEST(PluginManager, ThrowingConstructorFailsThatInstanceOnly) {
  Harness h;
  PluginSpec bad;
  bad.name = "boom";
  bad.library = "test-throwing";
  bad.config = sb::ConfigValue::ofMap({});
  auto report = h.manager.apply({bad, loopback("ok", "", "")}, std::chrono::seconds(5));
  EXPECT_EQ(report.failed, (std::vector<std::string>{"boom"}));
  EXPECT_EQ(report.started, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(h.manager.instances().size(), 1u);
}

TEST(PluginManager, ConnectorIsFoundByAccount) {
  Harness h;
  h.manager.apply({loopback("c", "", "")}, std::chrono::seconds(5));
  auto inst = h.manager.instances().at(0);
  auto* connector = inst->plugin()->asConnector();
  ASSERT_NE(connector, nullptr);
  EXPECT_TRUE(connector->handlesAccount("default", "acct-c"));
  EXPECT_FALSE(connector->handlesAccount("other", "acct-c"));
}
