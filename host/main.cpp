// switchboardd: the Switchboard daemon's command line.

#include <filesystem>
#include <iostream>

#include <boost/program_options.hpp>
#include <librdkafka/rdkafka.h>

#include "common/logging.hpp"
#include "daemon/daemon.hpp"
#include "switchboard/sdk/abi.hpp"

namespace po = boost::program_options;
using namespace switchboard::host;

namespace {
// The plugins shipped with the daemon: beside the executable in the build tree, or where the
// package installs them.
std::string builtinPluginDir() {
  std::error_code ec;
  const auto exeDir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  for (const char* rel : {SB_PLUGIN_DIR_BUILD_REL, SB_PLUGIN_DIR_INSTALL_REL}) {
    auto dir = (exeDir / rel).lexically_normal();
    if (std::filesystem::is_directory(dir, ec)) {
      return dir.string();
    }
  }
  return (exeDir / SB_PLUGIN_DIR_INSTALL_REL).lexically_normal().string();
}
}  // namespace

int main(int argc, char** argv) {
  po::options_description visible("Usage: switchboardd [options] [CONFIG]\nOptions");
  visible.add_options()                                                                          //
      ("help,h", "print this help and exit")                                                      //
      ("version,V", "print the version and exit")                                                 //
      ("config,c", po::value<std::string>()->default_value("/etc/switchboard/switchboard.yaml"),  //
       "configuration file")                                                                      //
      ("check-config", po::bool_switch(), "validate the configuration and every plugin section, start nothing")  //
      ("plugin-dir", po::value<std::string>(), "directory of plugin libraries (overrides daemon.plugin_dir)")     //
      ("log-level", po::value<std::string>(), "trace, debug, info, warn, error, critical or off")  //
      ("create-token", po::value<std::string>(), "create an admin API token NAME in the database, print it, exit")  //
      ("role", po::value<std::string>()->default_value("read-only"), "with --create-token: admin, operator or read-only")  //
      ("tenant", po::value<std::string>()->default_value(""), "with --create-token: the one tenant it may see");
  po::positional_options_description positional;
  positional.add("config", 1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(visible).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "switchboardd: " << e.what() << "\n" << visible << "\n";
    return kExitConfig;
  }
  if (vm.count("help") != 0) {
    std::cout << visible << "\n";
    return kExitOk;
  }
  if (vm.count("version") != 0) {
    std::cout << "switchboardd " SB_VERSION " (SDK " SWITCHBOARD_SDK_VERSION_STRING ", " SWITCHBOARD_COMPILER_STRING
                 ", librdkafka "
              << rd_kafka_version_str() << ")\n";
    return kExitOk;
  }

  DaemonOptions options;
  options.configPath = vm["config"].as<std::string>();
  options.builtinPluginDir = builtinPluginDir();
  if (vm.count("plugin-dir") != 0) {
    options.pluginDir = vm["plugin-dir"].as<std::string>();
  }
  if (vm.count("log-level") != 0) {
    spdlog::level::level_enum level{};
    if (!parseLogLevel(vm["log-level"].as<std::string>(), level)) {
      std::cerr << "switchboardd: --log-level: unknown level \"" << vm["log-level"].as<std::string>()
                << "\"; allowed: trace, debug, info, warn, error, critical, off\n";
      return kExitConfig;
    }
    options.logLevel = vm["log-level"].as<std::string>();
  }
  if (vm["check-config"].as<bool>()) {
    return checkConfig(options);
  }
  if (vm.count("create-token") != 0) {
    return createToken(options, vm["create-token"].as<std::string>(), vm["role"].as<std::string>(),
                       vm["tenant"].as<std::string>());
  }
  return runDaemon(options);
}
