#include "storage/fast_statement.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

namespace switchboard::host::storage {

namespace {

sqlite_api::sqlite3* handleOf(Connection& c) {
  // static_cast: the dialect says which backend this is, and SOCI exports no RTTI for it.
  return static_cast<soci::sqlite3_session_backend*>(c.sql.get_backend())->conn_;
}

[[noreturn]] void fail(sqlite_api::sqlite3* db, int rc, const std::string& what) {
  throw soci::sqlite3_soci_error(what + ": " + sqlite_api::sqlite3_errmsg(db), rc);
}

}  // namespace

FastStatement::FastStatement(Connection& c, const std::string& sql, std::vector<In> in, std::vector<Out> out)
    : conn_(c), in_(std::move(in)), out_(std::move(out)) {
  if (c.dialect == Dialect::Sqlite) {
    sqlite_api::sqlite3* db = handleOf(c);
    sqlite_api::sqlite3_stmt* st = nullptr;
    const int rc = sqlite_api::sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size() + 1),
                                                  SQLITE_PREPARE_PERSISTENT, &st, nullptr);
    if (rc != SQLITE_OK) {
      fail(db, rc, "cannot prepare \"" + sql + "\"");
    }
    stmt_ = st;
    return;
  }
  soci_ = std::make_unique<soci::statement>(c.sql);
  for (auto& o : out_) {
    if (auto* s = std::get_if<std::string*>(&o)) {
      soci_->exchange(soci::into(**s));
    } else if (auto* l = std::get_if<long long*>(&o)) {
      soci_->exchange(soci::into(**l));
    } else if (auto* i = std::get_if<int*>(&o)) {
      soci_->exchange(soci::into(**i));
    } else if (auto* b = std::get_if<BlobOut>(&o)) {
      soci_->exchange(soci::into(*b->value));  // base64 text (see BlobOut)
    }
  }
  for (auto& v : in_) {
    if (auto* s = std::get_if<const std::string*>(&v)) {
      soci_->exchange(soci::use(**s));
    } else if (auto* l = std::get_if<const long long*>(&v)) {
      soci_->exchange(soci::use(**l));
    } else if (auto* i = std::get_if<const int*>(&v)) {
      soci_->exchange(soci::use(**i));
    } else if (auto* b = std::get_if<BlobIn>(&v)) {
      soci_->exchange(soci::use(*b->value));  // base64 text (see BlobIn)
    }
  }
  soci_->alloc();
  soci_->prepare(sql);
  soci_->define_and_bind();
}

FastStatement::~FastStatement() {
  if (stmt_ != nullptr) {
    sqlite_api::sqlite3_finalize(static_cast<sqlite_api::sqlite3_stmt*>(stmt_));
  }
}

void FastStatement::bindSqlite() {
  auto* st = static_cast<sqlite_api::sqlite3_stmt*>(stmt_);
  sqlite_api::sqlite3_reset(st);
  int index = 1;
  for (const auto& v : in_) {
    int rc = SQLITE_OK;
    // SQLITE_STATIC: the variable outlives this execute, and nothing changes it meanwhile.
    const auto keep = static_cast<sqlite_api::sqlite3_destructor_type>(nullptr);
    if (const auto* s = std::get_if<const std::string*>(&v)) {
      rc = sqlite_api::sqlite3_bind_text(st, index, (*s)->data(), static_cast<int>((*s)->size()), keep);
    } else if (const auto* l = std::get_if<const long long*>(&v)) {
      rc = sqlite_api::sqlite3_bind_int64(st, index, **l);
    } else if (const auto* i = std::get_if<const int*>(&v)) {
      rc = sqlite_api::sqlite3_bind_int(st, index, **i);
    } else if (const auto* b = std::get_if<BlobIn>(&v)) {
      rc = sqlite_api::sqlite3_bind_blob(st, index, b->value->data(), static_cast<int>(b->value->size()), keep);
    }
    if (rc != SQLITE_OK) {
      fail(handleOf(conn_), rc, "cannot bind parameter " + std::to_string(index));
    }
    ++index;
  }
}

void FastStatement::readSqliteRow() {
  auto* st = static_cast<sqlite_api::sqlite3_stmt*>(stmt_);
  int col = 0;
  for (auto& o : out_) {
    if (auto* s = std::get_if<std::string*>(&o)) {
      const auto* text = reinterpret_cast<const char*>(sqlite_api::sqlite3_column_text(st, col));
      (*s)->assign(text != nullptr ? text : "", static_cast<std::size_t>(sqlite_api::sqlite3_column_bytes(st, col)));
    } else if (auto* l = std::get_if<long long*>(&o)) {
      **l = sqlite_api::sqlite3_column_int64(st, col);
    } else if (auto* i = std::get_if<int*>(&o)) {
      **i = sqlite_api::sqlite3_column_int(st, col);
    } else if (auto* b = std::get_if<BlobOut>(&o)) {
      const auto* bytes = static_cast<const char*>(sqlite_api::sqlite3_column_blob(st, col));
      b->value->assign(bytes != nullptr ? bytes : "",
                       static_cast<std::size_t>(sqlite_api::sqlite3_column_bytes(st, col)));
    }
    ++col;
  }
}

bool FastStatement::execute() {
  if (soci_) {
    const bool row = soci_->execute(true);
    affected_ = soci_->get_affected_rows();
    return row;
  }
  auto* st = static_cast<sqlite_api::sqlite3_stmt*>(stmt_);
  sqlite_api::sqlite3* db = handleOf(conn_);
  bindSqlite();
  const int rc = sqlite_api::sqlite3_step(st);
  bool row = false;
  if (rc == SQLITE_ROW) {
    row = true;
    readSqliteRow();
  } else if (rc != SQLITE_DONE) {
    sqlite_api::sqlite3_reset(st);
    fail(db, rc, "statement failed");
  }
  affected_ = row ? 0 : sqlite_api::sqlite3_changes(db);
  // Reset at once: a statement left on its first row would pin a read snapshot.
  sqlite_api::sqlite3_reset(st);
  return row;
}

void FastStatement::forEachRow(const std::function<void()>& row) {
  affected_ = 0;
  if (soci_) {
    if (soci_->execute(true)) {
      do {
        row();
      } while (soci_->fetch());
    }
    return;
  }
  auto* st = static_cast<sqlite_api::sqlite3_stmt*>(stmt_);
  bindSqlite();
  // Reset however this ends (a throwing callback included): an open read would pin a snapshot.
  struct Reset {
    sqlite_api::sqlite3_stmt* st;
    ~Reset() { sqlite_api::sqlite3_reset(st); }
  } reset{st};
  for (;;) {
    const int rc = sqlite_api::sqlite3_step(st);
    if (rc == SQLITE_DONE) {
      return;
    }
    if (rc != SQLITE_ROW) {
      fail(handleOf(conn_), rc, "statement failed");
    }
    readSqliteRow();
    row();
  }
}

}  // namespace switchboard::host::storage
