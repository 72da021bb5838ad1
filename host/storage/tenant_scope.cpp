#include "storage/tenant_scope.hpp"

#include <cctype>

namespace switchboard::host::storage {

namespace {

bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

std::size_t TenantScope::check(const std::string& text) {
  std::size_t index = 0, tenantAt = 0, tenantCount = 0;
  bool inQuote = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') {
      inQuote = !inQuote;
      continue;
    }
    if (inQuote || c != ':' || i + 1 >= text.size() || std::isalpha(static_cast<unsigned char>(text[i + 1])) == 0) {
      continue;
    }
    std::size_t end = i + 1;
    while (end < text.size() && identChar(text[end])) {
      ++end;
    }
    if (text.compare(i + 1, end - i - 1, "tenant") == 0) {
      tenantAt = index;
      ++tenantCount;
    }
    ++index;
    i = end - 1;
  }
  if (tenantCount != 1) {
    throw UnscopedQuery("tenant-scoped SQL must bind :tenant exactly once: " + text);
  }
  // A filter "tenant = :tenant" (any alias) or an INSERT whose first column is the tenant.
  const auto eq = text.find("tenant = :tenant");
  const bool filter = eq != std::string::npos && (eq == 0 || !identChar(text[eq - 1]) || text[eq - 1] == '.');
  const bool insert = text.rfind("INSERT INTO ", 0) == 0 && text.find("(tenant,") != std::string::npos &&
                      text.find("VALUES (:tenant,") != std::string::npos;
  if (!filter && !insert) {
    throw UnscopedQuery("tenant-scoped SQL must filter on the tenant column: " + text);
  }
  return tenantAt;
}

}  // namespace switchboard::host::storage
