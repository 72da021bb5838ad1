#include "common/clock.hpp"
#include "storage/fast_statement.hpp"
#include "storage/sql_store.hpp"

namespace switchboard::host::storage {

namespace {

struct OutboxInsert final : PreparedBase {
  std::string tenant, topic, key, ceId, ceType, account, conversation, assignee, payload;
  long long createdAt = 0;
  int attempts = 0;
  FastStatement st;
  explicit OutboxInsert(Connection& c)
      : st(c,
           "INSERT INTO outbox (tenant, topic, msg_key, ce_id, ce_type, account, conversation_id, assignee, payload,"
           " created_at, attempts) VALUES (:t, :tp, :k, :ce, :ct, :a, :c, :as, :p, :at, :n)",
           {&tenant, &topic, &key, &ceId, &ceType, &account, &conversation, &assignee, &payload, &createdAt,
            &attempts}) {}
};

struct OutboxDelete final : PreparedBase {
  long long seq = 0;
  soci::statement st;
  explicit OutboxDelete(soci::session& sql)
      : st((sql.prepare << "DELETE FROM outbox WHERE seq = :s", soci::use(seq))) {}
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
  // Protobuf bytes: base64 keeps them intact in a TEXT column on both backends.
  s.payload = toBase64(r.payload);
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
  return db().run<std::vector<OutboxRecord>>([&](Connection& c) -> sdk::Result<std::vector<OutboxRecord>> {
    std::vector<OutboxRecord> out;
    OutboxRecord r;
    long long seq = 0, created = 0, after = afterSeq;
    std::string payload;
    soci::statement st =
        (c.sql.prepare << "SELECT seq, topic, msg_key, ce_id, ce_type, tenant, account, conversation_id, assignee,"
                          " payload, created_at, attempts FROM outbox WHERE seq > :after ORDER BY seq LIMIT :lim",
         soci::into(seq), soci::into(r.topic), soci::into(r.key), soci::into(r.ceId), soci::into(r.ceType),
         soci::into(r.tenant), soci::into(r.account), soci::into(r.conversation), soci::into(r.assignee),
         soci::into(payload), soci::into(created), soci::into(r.attempts), soci::use(after), soci::use(limit));
    st.execute();
    while (st.fetch()) {
      auto bytes = fromBase64(payload);
      SB_TRY(bytes);
      r.seq = seq;
      r.createdAtMs = created;
      r.payload = std::move(bytes).value();
      out.push_back(r);
    }
    return out;
  });
}

sdk::Status SqlStore::markProduced(const std::vector<std::int64_t>& seqs) {
  if (seqs.empty()) {
    return sdk::okStatus();
  }
  auto r = db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    auto& del = c.get<OutboxDelete>();
    for (auto s : seqs) {
      del.seq = s;
      del.st.execute(true);
    }
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

sdk::Result<std::int64_t> SqlStore::outboxDepth() {
  return db().run<std::int64_t>([](Connection& c) -> sdk::Result<std::int64_t> {
    long long n = 0;
    c.sql << "SELECT COUNT(*) FROM outbox", soci::into(n);
    return static_cast<std::int64_t>(n);
  });
}

}  // namespace switchboard::host::storage
