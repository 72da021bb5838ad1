#include "admin/token_store.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace switchboard::admin {
namespace {

constexpr const char* kNamespace = "switchboard.admin.tokens";

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

bool isHexHash(const std::string& s) {
  if (s.size() != 64) {
    return false;
  }
  for (char c : s) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0 || std::isupper(static_cast<unsigned char>(c)) != 0) {
      return false;
    }
  }
  return true;
}

std::string encodeRecord(const TokenRecord& r) {
  return nlohmann::json{{"name", r.name}, {"role", toString(r.role)}, {"tenant", r.tenant}, {"created_at", r.createdAtMs}}
      .dump();
}

std::optional<TokenRecord> decodeRecord(const std::string& hash, const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("role") || !j["role"].is_string()) {
    return std::nullopt;
  }
  auto role = parseRole(j["role"].get<std::string>());
  if (!role) {
    return std::nullopt;
  }
  TokenRecord r;
  r.name = j["name"].get<std::string>();
  r.role = *role;
  r.tenant = j.value("tenant", std::string());
  r.createdAtMs = j.value("created_at", std::int64_t{0});
  r.hashHex = hash;
  r.source = "database";
  return r;
}

}  // namespace

std::string generateToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // The process cannot produce secrets at all: nothing sensible can continue.
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "sbt_";
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  }
  return out;
}

std::string hashToken(const std::string& token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

sdk::Status TokenStore::loadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return sdk::Error::permanent("admin.tokens_file", "cannot read the tokens file " + path);
  }
  std::map<std::string, TokenRecord> loaded;
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    auto hash = line.find('#');
    if (hash != std::string::npos) {
      line.resize(hash);
    }
    std::istringstream fields(line);
    std::string name, role, tenant, digest, extra;
    if (!(fields >> name)) {
      continue;  // blank or comment
    }
    auto where = path + ":" + std::to_string(lineNo) + ": ";
    if (!(fields >> role >> tenant >> digest) || (fields >> extra)) {
      return sdk::Error::permanent("admin.tokens_file", where + "expected four fields: name role tenant sha256-hex");
    }
    auto parsed = parseRole(role);
    if (!validName(name)) {
      return sdk::Error::permanent("admin.tokens_file", where + "bad token name \"" + name + "\"");
    }
    if (!parsed) {
      return sdk::Error::permanent("admin.tokens_file",
                                   where + "unknown role \"" + role + "\"; allowed: admin, operator, read-only");
    }
    if (!isHexHash(digest)) {
      return sdk::Error::permanent("admin.tokens_file", where + "the hash must be 64 lower-case hex digits (SHA-256)");
    }
    TokenRecord r{name, *parsed, tenant == "*" ? std::string() : tenant, digest, 0, path};
    loaded[digest] = std::move(r);
  }
  std::lock_guard lock(mutex_);
  fileTokens_ = std::move(loaded);
  return sdk::okStatus();
}

sdk::Result<std::optional<Principal>> TokenStore::authenticate(const std::string& token) {
  if (token.empty()) {
    return std::optional<Principal>();
  }
  const auto digest = hashToken(token);
  {
    std::lock_guard lock(mutex_);
    if (auto it = fileTokens_.find(digest); it != fileTokens_.end()) {
      return std::optional<Principal>(Principal{it->second.name, it->second.role, it->second.tenant});
    }
  }
  if (!store_) {
    return std::optional<Principal>();
  }
  auto value = store_->tenant(sdk::kDefaultTenant)->getState(kNamespace, digest);
  if (!value.ok()) {
    return value.takeError();
  }
  if (!value.value()) {
    return std::optional<Principal>();
  }
  auto record = decodeRecord(digest, **value);
  if (!record) {
    return std::optional<Principal>();
  }
  return std::optional<Principal>(Principal{record->name, record->role, record->tenant});
}

sdk::Result<std::vector<TokenRecord>> TokenStore::databaseTokens() {
  std::vector<TokenRecord> out;
  if (!store_) {
    return out;
  }
  auto rows = store_->tenant(sdk::kDefaultTenant)->scanState(kNamespace, "", 100000);
  if (!rows.ok()) {
    return rows.takeError();
  }
  for (const auto& [hash, value] : rows.value()) {
    if (auto r = decodeRecord(hash, value)) {
      out.push_back(std::move(*r));
    }
  }
  return out;
}

sdk::Result<std::pair<std::string, TokenRecord>> TokenStore::create(const std::string& name, Role role,
                                                                    const std::string& tenant) {
  if (!validName(name)) {
    return sdk::Error::permanent("invalid", "a token name is 1 to 64 letters, digits, '.', '_' or '-'");
  }
  if (!store_) {
    return sdk::Error::permanent("token.no_storage", "tokens are stored in the database, and there is none");
  }
  auto existing = list();
  if (!existing.ok()) {
    return existing.takeError();
  }
  for (const auto& r : existing.value()) {
    if (r.name == name) {
      return sdk::Error::permanent("token.exists", "a token named \"" + name + "\" exists already");
    }
  }
  auto token = generateToken();
  TokenRecord record{name, role, tenant, hashToken(token), nowMs(), "database"};
  SB_TRY(store_->tenant(sdk::kDefaultTenant)->putState(kNamespace, record.hashHex, encodeRecord(record)));
  return std::make_pair(std::move(token), std::move(record));
}

sdk::Status TokenStore::revoke(const std::string& name) {
  auto tokens = databaseTokens();
  if (!tokens.ok()) {
    return tokens.takeError();
  }
  for (const auto& r : tokens.value()) {
    if (r.name == name) {
      return store_->tenant(sdk::kDefaultTenant)->deleteState(kNamespace, r.hashHex);
    }
  }
  return sdk::Error::permanent("token.not_found", "no database token named \"" + name + "\"");
}

sdk::Result<std::vector<TokenRecord>> TokenStore::list() {
  auto out = databaseTokens();
  if (!out.ok()) {
    return out;
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& [hash, r] : fileTokens_) {
      out.value().push_back(r);
    }
  }
  std::sort(out.value().begin(), out.value().end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace switchboard::admin
