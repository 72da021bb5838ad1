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
    std::visit([this](auto* p) { soci_->exchange(soci::into(*p)); }, o);
  }
  for (auto& i : in_) {
    std::visit([this](auto* p) { soci_->exchange(soci::use(*p)); }, i);
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

bool FastStatement::execute() {
  if (soci_) {
    const bool row = soci_->execute(true);
    affected_ = soci_->get_affected_rows();
    return row;
  }
  auto* st = static_cast<sqlite_api::sqlite3_stmt*>(stmt_);
  sqlite_api::sqlite3* db = handleOf(conn_);
  sqlite_api::sqlite3_reset(st);
  int index = 1;
  for (const auto& v : in_) {
    int rc = SQLITE_OK;
    if (const auto* s = std::get_if<const std::string*>(&v)) {
      // SQLITE_STATIC: the variable outlives this execute, and nothing changes it meanwhile.
      rc = sqlite_api::sqlite3_bind_text(st, index, (*s)->data(), static_cast<int>((*s)->size()),
                                           static_cast<sqlite_api::sqlite3_destructor_type>(nullptr));
    } else if (const auto* l = std::get_if<const long long*>(&v)) {
      rc = sqlite_api::sqlite3_bind_int64(st, index, **l);
    } else if (const auto* i = std::get_if<const int*>(&v)) {
      rc = sqlite_api::sqlite3_bind_int(st, index, **i);
    }
    if (rc != SQLITE_OK) {
      fail(db, rc, "cannot bind parameter " + std::to_string(index));
    }
    ++index;
  }
  const int rc = sqlite_api::sqlite3_step(st);
  bool row = false;
  if (rc == SQLITE_ROW) {
    row = true;
    int col = 0;
    for (auto& o : out_) {
      if (auto* s = std::get_if<std::string*>(&o)) {
        const auto* text = reinterpret_cast<const char*>(sqlite_api::sqlite3_column_text(st, col));
        (*s)->assign(text != nullptr ? text : "", static_cast<std::size_t>(sqlite_api::sqlite3_column_bytes(st, col)));
      } else if (auto* l = std::get_if<long long*>(&o)) {
        **l = sqlite_api::sqlite3_column_int64(st, col);
      } else if (auto* i = std::get_if<int*>(&o)) {
        **i = sqlite_api::sqlite3_column_int(st, col);
      }
      ++col;
    }
  } else if (rc != SQLITE_DONE) {
    sqlite_api::sqlite3_reset(st);
    fail(db, rc, "statement failed");
  }
  affected_ = row ? 0 : sqlite_api::sqlite3_changes(db);
  // Reset at once: a statement left on its first row would pin a read snapshot.
  sqlite_api::sqlite3_reset(st);
  return row;
}

}  // namespace switchboard::host::storage
