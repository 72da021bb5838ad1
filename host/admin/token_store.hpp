#pragma once

// Bearer tokens for the admin API. Only SHA-256 hashes are kept: in the database (the default
// tenant's key/value area, namespace "switchboard.admin.tokens", keyed by hash) for tokens made by
// `switchboardd --create-token` or the API, and in an optional read-only file (admin.tokens_file)
// with one token per line:
//
//     # name  role       tenant  sha256-hex
//     ci      read-only  *       9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// where tenant "*" means every tenant. A token itself is "sbt_" followed by 43 base64url
// characters (32 random bytes); it is shown once, when created.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "admin/roles.hpp"
#include "storage/store.hpp"

namespace switchboard::admin {

namespace sdk = switchboard::sdk;

struct TokenRecord {
  std::string name;
  Role role = Role::ReadOnly;
  std::string tenant;      ///< empty: every tenant
  std::string hashHex;
  std::int64_t createdAtMs = 0;
  std::string source;      ///< "database" or the tokens file's path
};

/// A fresh random token.
std::string generateToken();
/// Lower-case hex SHA-256 of the token.
std::string hashToken(const std::string& token);

class TokenStore {
 public:
  explicit TokenStore(std::shared_ptr<host::Store> store) : store_(std::move(store)) {}

  /// Reads a tokens file (replacing what an earlier call read). Errors name the file and line.
  sdk::Status loadFile(const std::string& path);

  /// The principal a bearer token stands for, or nullopt when no token matches.
  sdk::Result<std::optional<Principal>> authenticate(const std::string& token);

  /// Creates a token in the database; returns the token (shown once) and its record. Names are
  /// unique ("token.exists" otherwise): letters, digits, '.', '_', '-', 1 to 64 characters.
  sdk::Result<std::pair<std::string, TokenRecord>> create(const std::string& name, Role role, const std::string& tenant);
  /// Removes a database token by name ("token.not_found" when absent; file tokens cannot be revoked here).
  sdk::Status revoke(const std::string& name);
  /// Every token (database and file), hashes included, by name.
  sdk::Result<std::vector<TokenRecord>> list();

 private:
  sdk::Result<std::vector<TokenRecord>> databaseTokens();

  std::shared_ptr<host::Store> store_;
  std::mutex mutex_;
  std::map<std::string, TokenRecord> fileTokens_;  // by hash
};

}  // namespace switchboard::admin
