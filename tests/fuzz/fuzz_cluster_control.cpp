// The control-topic record parser (host/cluster/control_command.cpp): anyone who can write to
// `control` reaches it. Whatever parses must re-encode and parse to the same command, and its
// account must map to a valid partition.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cluster/account_partition.hpp"
#include "cluster/control_command.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace switchboard::host::cluster;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parseControlCommand(text);
  if (!parsed.ok()) {
    return 0;
  }
  auto again = parseControlCommand(encodeControlCommand(parsed.value()));
  if (!again.ok() || again->action != parsed->action || again->account != parsed->account ||
      again->tenant != parsed->tenant || again->name != parsed->name || again->to != parsed->to) {
    std::abort();
  }
  const int p = partitionOf(parsed->account, 7);
  if (p < 0 || p >= 7) {
    std::abort();
  }
  return 0;
}
