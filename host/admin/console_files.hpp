#pragma once

// The web console's static files (host/admin/console/), compiled in by embed_console.cmake and
// served at /console/ by routes_console.cpp. Private to host/admin.

#include <string_view>
#include <vector>

namespace switchboard::admin {

struct ConsoleFile {
  std::string_view name;         ///< "index.html", "console.js", ...
  std::string_view contentType;
  std::string_view content;
};

const std::vector<ConsoleFile>& consoleFiles();

}  // namespace switchboard::admin
