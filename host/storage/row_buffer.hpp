#pragma once

// Rows of one table gathered and inserted kRows at a time by one multi-row INSERT (SQLite only).
// A single-row statement pays its bind, step, cursor opening and b-tree seek for every row; one
// statement of kRows rows pays them once and appends the rows through the same open cursor.
// Internal to host/storage.

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/fast_statement.hpp"

namespace switchboard::host::storage {

template <typename Row>
class RowBuffer {
 public:
  static constexpr std::size_t kRows = 16;
  /// The inputs of one row, in the order of `rowSql`'s placeholders.
  using Bind = std::function<std::vector<FastStatement::In>(const Row&)>;

  /// `head`: "INSERT INTO t (a, b) VALUES "; `rowSql`: one row's "(?, ?)".
  RowBuffer(Connection& c, std::string head, std::string rowSql, Bind bind)
      : conn_(c), head_(std::move(head)), rowSql_(std::move(rowSql)), bind_(std::move(bind)) {}

  /// The slot to fill next; push() takes it.
  Row& next() { return rows_[count_]; }
  /// The slot from next() is filled: written at once when it fills the buffer.
  void push() {
    if (++count_ == kRows) {
      flush();
    }
  }
  /// Writes the pending rows (in the order pushed). Throws as FastStatement does.
  void flush() {
    if (count_ == 0) {
      return;
    }
    auto& st = statements_[count_];
    if (!st) {
      std::string sql = head_;
      std::vector<FastStatement::In> in;
      for (std::size_t i = 0; i < count_; ++i) {
        sql += (i == 0 ? "" : ", ") + rowSql_;
        auto row = bind_(rows_[i]);
        in.insert(in.end(), row.begin(), row.end());
      }
      st = std::make_unique<FastStatement>(conn_, sql, std::move(in));
    }
    // Zero the count before the write: a failed write abandons the transaction, and the rows with it.
    count_ = 0;
    st->execute();
  }
  /// Rows waiting for flush().
  std::size_t pending() const { return count_; }
  /// Forgets pending rows (the transaction they belonged to was abandoned).
  void discard() { count_ = 0; }

 private:
  Connection& conn_;
  std::string head_, rowSql_;
  Bind bind_;
  std::array<Row, kRows> rows_{};
  std::size_t count_ = 0;
  // One statement per row count, prepared the first time that count is written.
  std::array<std::unique_ptr<FastStatement>, kRows + 1> statements_{};
};

}  // namespace switchboard::host::storage
