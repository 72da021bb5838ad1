#pragma once

// A statement of the hot paths, prepared once per connection and bound to variables by pointer
// (as SOCI's use/into bind by reference). On SQLite it drives sqlite3 directly: values are bound
// without copies and the statement is reset right after its first row, so it never holds a read
// snapshot; SOCI's per-execute copies and allocations were a sixth of the inbound path's time.
// On PostgreSQL it is a SOCI statement.

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "storage/database.hpp"

namespace switchboard::host::storage {

/// Bytes bound or read as a BLOB on SQLite. On PostgreSQL SOCI passes text only, so there the
/// value is base64 text and the SQL converts it (decode(:p, 'base64') / encode(col, 'base64')).
struct BlobIn {
  const std::string* value;
};
struct BlobOut {
  std::string* value;
};

class FastStatement {
 public:
  using In = std::variant<const std::string*, const long long*, const int*, BlobIn>;
  using Out = std::variant<std::string*, long long*, int*, BlobOut>;

  /// `in` are bound to the placeholders in order; `out` receive the columns of the first row.
  FastStatement(Connection& c, const std::string& sql, std::vector<In> in, std::vector<Out> out = {});
  ~FastStatement();
  FastStatement(const FastStatement&) = delete;
  FastStatement& operator=(const FastStatement&) = delete;

  /// Runs with the current values of the bound variables; true when a row came back (outputs set).
  /// Throws soci errors (sqlite3_soci_error on SQLite), which Database classifies.
  bool execute();
  /// Runs and calls `row` for every row, with the outputs set to it. For reads of many rows.
  void forEachRow(const std::function<void()>& row);
  /// Rows changed by the last execute.
  long long affected() const { return affected_; }

 private:
  void bindSqlite();
  void readSqliteRow();

  Connection& conn_;
  std::vector<In> in_;
  std::vector<Out> out_;
  void* stmt_ = nullptr;  // sqlite3_stmt*; SOCI's header puts sqlite3 in its own namespace
  std::unique_ptr<soci::statement> soci_;
  long long affected_ = 0;
};

}  // namespace switchboard::host::storage
