#pragma once

/// @file
/// @brief The ABI record and export macro. The host reads the record before calling anything else
/// in a plugin library and refuses it if the SDK major version or the C++ standard-library ABI
/// differs from its own.

#include <boost/config.hpp>

#include <cstdint>

#include "switchboard/sdk/plugin.hpp"
#include "switchboard/sdk/version.hpp"

#define SWITCHBOARD_ABI_MAGIC 0x5342504cu  // "SBPL"

extern "C" {
/// @brief Plain-C description of how a plugin was built. Fields are only ever appended.
struct SwitchboardPluginAbi {
  std::uint32_t magic;        ///< SWITCHBOARD_ABI_MAGIC
  std::uint32_t recordSize;   ///< sizeof(SwitchboardPluginAbi) in the plugin's SDK
  std::uint32_t sdkMajor;
  std::uint32_t sdkMinor;
  const char* compiler;       ///< e.g. "gcc 12.2.0"
  const char* stdlibAbi;      ///< e.g. "libstdc++ cxx11"
  const char* pluginName;
  const char* pluginVersion;
};
}

#if defined(__clang__)
#define SWITCHBOARD_COMPILER_STRING "clang " __clang_version__
#elif defined(__GNUC__)
#define SWITCHBOARD_COMPILER_STRING "gcc " __VERSION__
#else
#define SWITCHBOARD_COMPILER_STRING "unknown"
#endif

#if defined(_LIBCPP_VERSION)
#define SWITCHBOARD_STDLIB_ABI_STRING "libc++"
#elif defined(__GLIBCXX__) && _GLIBCXX_USE_CXX11_ABI
#define SWITCHBOARD_STDLIB_ABI_STRING "libstdc++ cxx11"
#elif defined(__GLIBCXX__)
#define SWITCHBOARD_STDLIB_ABI_STRING "libstdc++ pre-cxx11"
#else
#define SWITCHBOARD_STDLIB_ABI_STRING "unknown"
#endif

/// Symbol names the host resolves.
#define SWITCHBOARD_ABI_SYMBOL "switchboard_plugin_abi"
#define SWITCHBOARD_FACTORY_SYMBOL "switchboard_plugin_factory"

/// @brief Export a plugin class from a shared library, in one line at namespace scope:
/// `SWITCHBOARD_PLUGIN(MyPlugin, "my-plugin", "1.2.0")`. MyPlugin needs
/// `static switchboard::sdk::ConfigSchema schema()` and a constructor taking PluginContext&.
#define SWITCHBOARD_PLUGIN(PluginClass, NameLiteral, VersionLiteral)                                    \
  extern "C" BOOST_SYMBOL_EXPORT const SwitchboardPluginAbi switchboard_plugin_abi;                      \
  extern "C" BOOST_SYMBOL_EXPORT const SwitchboardPluginAbi switchboard_plugin_abi = {                   \
      SWITCHBOARD_ABI_MAGIC,         sizeof(SwitchboardPluginAbi),  SWITCHBOARD_SDK_VERSION_MAJOR,       \
      SWITCHBOARD_SDK_VERSION_MINOR, SWITCHBOARD_COMPILER_STRING,   SWITCHBOARD_STDLIB_ABI_STRING,       \
      NameLiteral,                   VersionLiteral};                                                    \
  extern "C" BOOST_SYMBOL_EXPORT const ::switchboard::sdk::PluginFactory* switchboard_plugin_factory();  \
  extern "C" BOOST_SYMBOL_EXPORT const ::switchboard::sdk::PluginFactory* switchboard_plugin_factory() {  \
    static const ::switchboard::sdk::SimplePluginFactory<PluginClass> factory(NameLiteral, VersionLiteral); \
    return &factory;                                                                                     \
  }
