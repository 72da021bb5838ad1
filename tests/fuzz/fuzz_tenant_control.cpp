// The tenant records of the `control` topic (host/kafka/tenant_control.cpp): anyone who can write
// to `control` reaches the parser. Whatever parses must re-encode and parse to the same request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kafka/tenant_control.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace switchboard::host;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parseTenantControl(text);
  if (!parsed.ok() || !parsed.value()) {
    return 0;
  }
  const auto& c = *parsed.value();
  auto again = parseTenantControl(encodeTenantControl(c));
  if (!again.ok() || !again.value() || again.value()->action != c.action || again.value()->tenant != c.tenant ||
      again.value()->name != c.name || again.value()->reason != c.reason || again.value()->requestId != c.requestId ||
      again.value()->quotas != c.quotas) {
    std::abort();
  }
  return 0;
}
