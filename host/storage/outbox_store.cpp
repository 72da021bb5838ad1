// The outbox: records waiting for Kafka. Written inside the transactions that produce them, read
// by the relay in pages by seq, deleted once delivered. The relay reads and deletes hundreds of
// thousands of rows a second when Kafka is fast, so the SQLite side drives sqlite3 directly and
// keeps payloads as bytes.

#include <algorithm>

#include "common/clock.hpp"
#include "storage/fast_statement.hpp"
#include "storage/sql_store.hpp"

namespace switchboard::host::storage {

namespace {

// On PostgreSQL SOCI binds text only: bytes travel as base64 and the server converts them
// (encode() wraps lines, hence the replace).
const char* const kInsertSqlite =
    "INSERT INTO outbox (tenant, topic, msg_key, ce_id, ce_type, account, conversation_id, assignee, payload, body,"
    " body_format, created_at, attempts) VALUES (:t, :tp, :k, :ce, :ct, :a, :c, :as, '', :b, :f, :at, :n)";
const char* const kInsertPostgres =
    "INSERT INTO outbox (tenant, topic, msg_key, ce_id, ce_type, account, conversation_id, assignee, payload, body,"
    " body_format, created_at, attempts) VALUES (:t, :tp, :k, :ce, :ct, :a, :c, :as, '', decode(:b, 'base64'), :f,"
    " :at, :n)";
// Rows at or below the produced mark (schema version 8) were delivered and wait for their bulk
// deletion: every reader skips them. The mark moves on SQLite only (see producedMarkSupported).
#define PRODUCED_MARK "COALESCE((SELECT upto FROM outbox_produced WHERE id = 1), 0)"

const char* const kSelectSqlite =
    "SELECT seq, topic, msg_key, ce_id, ce_type, tenant, account, conversation_id, assignee, created_at, attempts,"
    " body_format, CASE WHEN body IS NULL THEN 1 ELSE 0 END, payload, COALESCE(body, X'') FROM outbox"
    " WHERE seq > MAX(:after, " PRODUCED_MARK ") ORDER BY seq LIMIT :lim";
const char* const kSelectPostgres =
    "SELECT seq, topic, msg_key, ce_id, ce_type, tenant, account, conversation_id, assignee, created_at, attempts,"
    " body_format, CASE WHEN body IS NULL THEN 1 ELSE 0 END, payload,"
    " COALESCE(replace(encode(body, 'base64'), chr(10), ''), '') FROM outbox"
    " WHERE seq > GREATEST(:after, " PRODUCED_MARK ") ORDER BY seq LIMIT :lim";

struct OutboxInsert final : PreparedBase {
  std::string tenant, topic, key, ceId, ceType, account, conversation, assignee, body;
  long long createdAt = 0;
  int attempts = 0, format = 0;
  FastStatement st;
  explicit OutboxInsert(Connection& c)
      : st(c, c.dialect == Dialect::Sqlite ? kInsertSqlite : kInsertPostgres,
           {&tenant, &topic, &key, &ceId, &ceType, &account, &conversation, &assignee, BlobIn{&body}, &format,
            &createdAt, &attempts}) {}
};

struct OutboxPage final : PreparedBase {
  long long after = 0, seq = 0, createdAt = 0;
  int limit = 0, attempts = 0, format = 0, legacy = 0;
  std::string topic, key, ceId, ceType, tenant, account, conversation, assignee, legacyPayload, body;
  FastStatement st;
  explicit OutboxPage(Connection& c)
      : st(c, c.dialect == Dialect::Sqlite ? kSelectSqlite : kSelectPostgres, {&after, &limit},
           {&seq, &topic, &key, &ceId, &ceType, &tenant, &account, &conversation, &assignee, &createdAt, &attempts,
            &format, &legacy, &legacyPayload, BlobOut{&body}}) {}
};

// Deletes one run of consecutive seqs (SQLite: a range scan of the rowid b-tree, no round trips).
struct OutboxDeleteRange final : PreparedBase {
  long long from = 0, to = 0;
  FastStatement st;
  explicit OutboxDeleteRange(Connection& c)
      : st(c, "DELETE FROM outbox WHERE seq >= :from AND seq <= :to", {&from, &to}) {}
};

}  // namespace

void insertOutboxRow(Connection& c, const OutboxRecord& r) {
  auto& s = c.get<OutboxInsert>();
  s.tenant = r.tenant.empty() ? sdk::kDefaultTenant : r.tenant;
  s.topic = r.topic;
  s.key = r.key;
  s.ceId = r.ceId;
  s.ceType = r.ceType;
  s.account = r.account;
  s.conversation = r.conversation;
  s.assignee = r.assignee;
  if (c.dialect == Dialect::Sqlite) {
    s.body = r.payload;
  } else {
    s.body = toBase64(r.payload);
  }
  s.format = static_cast<int>(r.payloadFormat);
  s.createdAt = r.createdAtMs != 0 ? r.createdAtMs : nowMs();
  s.attempts = r.attempts;
  s.st.execute();
}

void insertOutboxRows(Connection& c, const std::vector<OutboxRecord>& records) {
  for (const auto& r : records) {
    insertOutboxRow(c, r);
  }
}

sdk::Status SqlStore::enqueue(const std::vector<OutboxRecord>& records) {
  if (records.empty()) {
    return sdk::okStatus();
  }
  auto r = db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    insertOutboxRows(c, records);
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

sdk::Result<std::vector<OutboxRecord>> SqlStore::pendingOutbox(std::int64_t afterSeq, int limit) {
  std::vector<OutboxRecord> out;
  SB_TRY(pendingOutboxInto(afterSeq, limit, out));
  return out;
}

sdk::Status SqlStore::pendingOutboxInto(std::int64_t afterSeq, int limit, std::vector<OutboxRecord>& out) {
  std::size_t n = 0;
  auto read = db().run<bool>([&](Connection& c) -> sdk::Result<bool> {
    auto& s = c.get<OutboxPage>();
    s.after = afterSeq;
    s.limit = limit;
    sdk::Status bad = sdk::okStatus();
    s.st.forEachRow([&] {
      if (n == out.size()) {
        out.emplace_back();
      }
      // The columns were copied once, into the statement's strings; swapping them into the record
      // hands the statement the record's old buffers to read the next row into (pages are
      // recycled, so after the first pages reading allocates nothing and copies each value once).
      OutboxRecord& r = out[n++];
      r.seq = s.seq;
      r.topic.swap(s.topic);
      r.key.swap(s.key);
      r.ceId.swap(s.ceId);
      r.ceType.swap(s.ceType);
      r.tenant.swap(s.tenant);
      r.account.swap(s.account);
      r.conversation.swap(s.conversation);
      r.assignee.swap(s.assignee);
      r.createdAtMs = s.createdAt;
      r.attempts = s.attempts;
      r.payloadFormat = s.format == static_cast<int>(PayloadFormat::Json) ? PayloadFormat::Json
                                                                          : PayloadFormat::Protobuf;
      if (s.legacy != 0) {
        // Written before schema version 2: base64 protobuf in the text column.
        auto bytes = fromBase64(s.legacyPayload);
        if (!bytes.ok()) {
          bad = bytes.takeError();
        } else {
          r.payload = std::move(bytes).value();
        }
        r.payloadFormat = PayloadFormat::Protobuf;
      } else if (c.dialect == Dialect::Sqlite) {
        r.payload.swap(s.body);  // the record's old buffer is read into next
      } else {
        auto bytes = fromBase64(s.body);
        if (!bytes.ok()) {
          bad = bytes.takeError();
        } else {
          r.payload = std::move(bytes).value();
        }
      }
    });
    SB_TRY(bad);
    return true;
  });
  if (!read.ok()) {
    out.clear();
    return read.takeError();
  }
  out.resize(n);
  return sdk::okStatus();
}

namespace {

// Deletes the sorted, distinct seqs as runs of consecutive seqs, one range statement per run.
void deleteRuns(Connection& c, const std::vector<std::int64_t>& sorted) {
  auto& del = c.get<OutboxDeleteRange>();
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    // Only seqs that were delivered: a run never spans a seq missing from the list.
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) {
      ++j;
    }
    del.from = sorted[i];
    del.to = sorted[j];
    del.st.execute();
    i = j + 1;
  }
}

// Sets a connection-level pragma for the length of one scope and puts the connection's own value
// back afterwards. A connection whose value cannot be restored is started afresh.
class ScopedPragma {
 public:
  ScopedPragma(Connection& c, const char* name, int value) : c_(c), name_(name) {
    c_.sql << "PRAGMA " + name_, soci::into(saved_);
    c_.sql << "PRAGMA " + name_ + " = " + std::to_string(value);
  }
  ~ScopedPragma() {
    try {
      c_.sql << "PRAGMA " + name_ + " = " + std::to_string(saved_);
    } catch (...) {
      c_.broken = true;
    }
  }
  ScopedPragma(const ScopedPragma&) = delete;
  ScopedPragma& operator=(const ScopedPragma&) = delete;
  int saved() const { return saved_; }

 private:
  Connection& c_;
  std::string name_;
  int saved_ = 0;
};

// For writes whose loss costs only a duplicate (produced rows deleted, the produced mark moved):
// SQLite's `synchronous` at NORMAL for the scope, never above what the connection is configured
// with. In WAL mode the commit then appends to the WAL without an fsync; the next FULL commit or
// checkpoint syncs it. SQLite changes `synchronous` only outside a transaction.
class NoDiskWait {
 public:
  explicit NoDiskWait(Connection& c) : sync_(c, "synchronous", 1) {
    if (sync_.saved() < 1) {
      c.sql << "PRAGMA synchronous = " + std::to_string(sync_.saved());
    }
  }

 private:
  ScopedPragma sync_;
};

// Runs `body` in a BEGIN IMMEDIATE transaction opened here (where Database::transact cannot be
// used: the pragmas above must be set outside it); rolled back if it throws.
template <typename Body>
auto immediateTransaction(Connection& c, Body&& body) -> decltype(body()) {
  c.sql << "BEGIN IMMEDIATE";
  try {
    auto out = body();
    c.sql << "COMMIT";
    return out;
  } catch (...) {
    try {
      c.sql << "ROLLBACK";
    } catch (...) {
      c.broken = true;
    }
    throw;  // classified by Database::run
  }
}

}  // namespace

// Why a deletion may skip the wait for the disk: the delete only records that rows were
// delivered. Losing it (a power cut right after the commit) leaves those rows pending, so they are
// produced again with the same ce_id: a duplicate, never a loss, exactly as for a delivered row
// whose deletion had not been committed yet. Every commit that must be durable (an inbound
// message, its outbox row) still waits for the disk, and the WAL (SQLite) or the commit log
// (PostgreSQL) is a sequence: making such a commit durable makes every earlier deletion durable
// too, so only deletions are ever lost, and only the last ones.
sdk::Status SqlStore::markProduced(const std::vector<std::int64_t>& seqs) {
  if (seqs.empty()) {
    return sdk::okStatus();
  }
  // Delivery reports arrive per partition, so the seqs come interleaved; sorted, they are mostly
  // a few long runs, each deleted by one range statement instead of one statement per row.
  std::vector<std::int64_t> sorted(seqs);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (db().dialect() == Dialect::Postgres) {
    auto r = db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
      // Per transaction: the commit returns without waiting for the WAL flush (see above).
      c.sql << "SET LOCAL synchronous_commit TO OFF";
      // One round trip for the whole list.
      std::string list = "{";
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i != 0) {
          list += ',';
        }
        list += std::to_string(sorted[i]);
      }
      list += "}";
      c.sql << "DELETE FROM outbox WHERE seq = ANY(CAST(:s AS bigint[]))", soci::use(list);
      return true;
    });
    SB_TRY(r);
    return sdk::okStatus();
  }
  auto r = db().run<bool>([&](Connection& c) -> sdk::Result<bool> {
    NoDiskWait noWait(c);  // and so the transaction is opened here, not by Database::transact
    // Debian builds SQLite with secure_delete on, which zeroes every deleted row and writes
    // every freed page once more: twice the work of the deletion itself. A produced record's
    // content is a copy of what the messages table keeps anyway, so here FAST is enough (rows
    // are still zeroed inside the pages being written; emptied pages go to the freelist as
    // they are).
    ScopedPragma secure(c, "secure_delete", 2);
    return immediateTransaction(c, [&] {
      deleteRuns(c, sorted);
      return true;
    });
  });
  SB_TRY(r);
  return sdk::okStatus();
}

// SQLite only: one writer at a time, so rows commit in seq order and a relay reading by seq has
// seen every row below the last one it read. On PostgreSQL a transaction may commit a lower seq
// after a higher one was read, and several daemons may share the outbox (scale-out), each with
// rows of its own: there rows are deleted one by one as their reports arrive (markProduced).
bool SqlStore::producedMarkSupported() const { return core_->db->dialect() == Dialect::Sqlite; }

// Moving the mark rewrites one row instead of every page the delivered rows sit in; the rows
// themselves go later, in bulk (purgeProduced). Like a deletion, the mark may skip the wait for
// the disk (see markProduced): losing it produces rows again, never loses them.
sdk::Status SqlStore::markProducedUpTo(std::int64_t seq) {
  if (!producedMarkSupported()) {
    return Store::markProducedUpTo(seq);
  }
  auto r = db().run<bool>([&](Connection& c) -> sdk::Result<bool> {
    NoDiskWait noWait(c);
    long long upto = seq;
    c.sql << "UPDATE outbox_produced SET upto = :s WHERE id = 1 AND upto < :s", soci::use(upto, "s");
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

// Deletes the oldest produced rows, at most `maxRows` seqs' worth per transaction so that the
// write lock is held briefly. Called when the relay is quiet (or the produced rows pile up): one
// range deletion of many rows frees whole pages at once, where deleting each delivery report's
// rows rewrote the same partly emptied pages again and again.
sdk::Result<std::int64_t> SqlStore::purgeProduced(std::int64_t maxRows) {
  if (!producedMarkSupported() || maxRows <= 0) {
    return std::int64_t{0};
  }
  return db().run<std::int64_t>([&](Connection& c) -> sdk::Result<std::int64_t> {
    NoDiskWait noWait(c);
    ScopedPragma secure(c, "secure_delete", 2);  // as in markProduced
    return immediateTransaction(c, [&] {
      long long upto = 0, oldest = 0;
      soci::indicator oldestInd = soci::i_null;
      c.sql << "SELECT " PRODUCED_MARK, soci::into(upto);
      c.sql << "SELECT MIN(seq) FROM outbox", soci::into(oldest, oldestInd);
      std::int64_t deleted = 0;
      if (oldestInd == soci::i_ok && oldest <= upto) {
        long long to = std::min<long long>(upto, oldest + static_cast<long long>(maxRows) - 1);
        soci::statement del = (c.sql.prepare << "DELETE FROM outbox WHERE seq >= :f AND seq <= :t",
                               soci::use(oldest, "f"), soci::use(to, "t"));
        del.execute(true);
        deleted = static_cast<std::int64_t>(del.get_affected_rows());
      }
      return deleted;
    });
  });
}

sdk::Result<std::int64_t> SqlStore::outboxDepth() {
  return db().run<std::int64_t>([](Connection& c) -> sdk::Result<std::int64_t> {
    long long n = 0;
    c.sql << "SELECT COUNT(*) FROM outbox WHERE seq > " PRODUCED_MARK, soci::into(n);
    return static_cast<std::int64_t>(n);
  });
}

}  // namespace switchboard::host::storage
