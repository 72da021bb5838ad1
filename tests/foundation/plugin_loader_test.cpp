// Loading plugin libraries: the ABI record is checked before anything else is called.

#include <gtest/gtest.h>

#include "plugin/plugin_library.hpp"

using namespace switchboard::host;

namespace {
std::string testPlugin(const std::string& name) { return std::string(SB_TEST_PLUGIN_DIR) + "/" + name + ".so"; }
}  // namespace

TEST(PluginLoader, LoadsAGoodPluginAndReadsItsSchema) {
  auto lib = PluginLibrary::open(std::string(SB_PLUGIN_DIR) + "/switchboard-loopback.so");
  ASSERT_TRUE(lib.ok()) << lib.error().describe();
  EXPECT_STREQ(lib.value()->abi().pluginName, "loopback");
  EXPECT_STREQ(lib.value()->factory().name(), "loopback");
  auto schema = lib.value()->factory().configSchema();
  EXPECT_FALSE(schema.fields.empty());
}

TEST(PluginLoader, WrongSdkMajorIsRefusedNamingPluginAndBothVersions) {
  auto lib = PluginLibrary::open(testPlugin("test-bad-major"));
  ASSERT_FALSE(lib.ok());
  const auto& msg = lib.error().message;
  EXPECT_NE(msg.find("plugin \"future-plugin\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("test-bad-major.so"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::string("built against SDK 2.0, but this daemon provides SDK ") +
                     SWITCHBOARD_SDK_VERSION_STRING),
            std::string::npos)
      << msg;
}

TEST(PluginLoader, OtherStandardLibraryAbiIsRefused) {
  auto lib = PluginLibrary::open(testPlugin("test-bad-stdlib"));
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.error().message.find("standard library ABI \"libc++\""), std::string::npos) << lib.error().message;
}

TEST(PluginLoader, LibraryWithoutRecordIsRefused) {
  auto lib = PluginLibrary::open(testPlugin("test-no-symbol"));
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.error().message.find("exports no switchboard_plugin_abi record"), std::string::npos)
      << lib.error().message;
}

TEST(PluginLoader, MissingFileIsAClearError) {
  auto lib = PluginLibrary::open("/nonexistent/plugin.so");
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.error().message.find("cannot load plugin library /nonexistent/plugin.so"), std::string::npos);
}

TEST(PluginLoader, LibraryOutlivesItsLastObject) {
  // A factory pointer obtained from the library stays valid while we hold the library handle.
  std::weak_ptr<PluginLibrary> weak;
  {
    auto lib = PluginLibrary::open(std::string(SB_PLUGIN_DIR) + "/switchboard-loopback.so");
    ASSERT_TRUE(lib.ok());
    weak = lib.value();
    EXPECT_STREQ(lib.value()->factory().version(), "1.0.0");
  }
  EXPECT_TRUE(weak.expired());
}
