#pragma once

// Versioned, forward-only schema migrations, recorded in the database (schema_migrations). One
// schema for both backends: the few type spellings that differ are written as placeholders.

#include <string>
#include <vector>

#include "storage/database.hpp"

namespace switchboard::host::storage {

struct Migration {
  int version;
  std::string name;
  std::vector<std::string> statements;  // {{SERIAL}}, {{ROWID}}, {{WITHOUT_ROWID}} and {{BLOB}} are replaced per dialect
};

/// The migrations this build knows, in order.
const std::vector<Migration>& knownMigrations();

/// The newest version this build knows.
int latestSchemaVersion();

/// Applies what is missing, each migration in its own transaction. Refuses (Fatal) a database
/// whose schema is newer than this build.
sdk::Status migrate(Database& db, const std::vector<Migration>& migrations = knownMigrations());

/// Current version recorded in the database (0 for an empty one).
sdk::Result<int> schemaVersion(Database& db);

}  // namespace switchboard::host::storage
