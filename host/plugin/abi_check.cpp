#include "plugin/abi_check.hpp"

#include <cstring>

namespace switchboard::host {

const SwitchboardPluginAbi& hostAbi() {
  static const SwitchboardPluginAbi record = {SWITCHBOARD_ABI_MAGIC,         sizeof(SwitchboardPluginAbi),
                                              SWITCHBOARD_SDK_VERSION_MAJOR, SWITCHBOARD_SDK_VERSION_MINOR,
                                              SWITCHBOARD_COMPILER_STRING,   SWITCHBOARD_STDLIB_ABI_STRING,
                                              "switchboardd",                "host"};
  return record;
}

sdk::Status checkAbi(const SwitchboardPluginAbi& plugin, const std::string& file) {
  const auto& host = hostAbi();
  if (plugin.magic != SWITCHBOARD_ABI_MAGIC) {
    return sdk::Error::permanent("plugin.abi", "plugin library " + file +
                                                   " has a malformed ABI record (bad magic): not a Switchboard plugin");
  }
  // Fields are only appended, so the record must at least hold what SDK 1.0 defined.
  if (plugin.recordSize < offsetof(SwitchboardPluginAbi, pluginVersion) + sizeof(const char*)) {
    return sdk::Error::permanent("plugin.abi", "plugin library " + file + " has a truncated ABI record");
  }
  const std::string name = plugin.pluginName ? plugin.pluginName : "(unnamed)";
  const std::string theirs = std::to_string(plugin.sdkMajor) + "." + std::to_string(plugin.sdkMinor);
  const std::string ours = std::to_string(host.sdkMajor) + "." + std::to_string(host.sdkMinor);
  if (plugin.sdkMajor != host.sdkMajor) {
    return sdk::Error::permanent("plugin.abi", "plugin \"" + name + "\" (" + file + ") was built against SDK " +
                                                   theirs + ", but this daemon provides SDK " + ours +
                                                   "; rebuild the plugin against SDK " + std::to_string(host.sdkMajor) +
                                                   ".x");
  }
  if (plugin.sdkMinor > host.sdkMinor) {
    return sdk::Error::permanent("plugin.abi", "plugin \"" + name + "\" (" + file + ") needs SDK " + theirs +
                                                   ", newer than this daemon's SDK " + ours +
                                                   "; upgrade the daemon or rebuild the plugin");
  }
  const char* stdlib = plugin.stdlibAbi ? plugin.stdlibAbi : "unknown";
  if (std::strcmp(stdlib, host.stdlibAbi) != 0) {
    return sdk::Error::permanent("plugin.abi", "plugin \"" + name + "\" (" + file +
                                                   ") was built with C++ standard library ABI \"" + stdlib +
                                                   "\", but this daemon uses \"" + host.stdlibAbi +
                                                   "\"; rebuild the plugin with the same standard library");
  }
  return sdk::okStatus();
}

}  // namespace switchboard::host
