#include "storage/migrations.hpp"

#include <chrono>
#include <thread>

#include "common/clock.hpp"
#include "common/logging.hpp"

namespace switchboard::host::storage {

namespace {

// Tables that belong to a company lead with `tenant` in their key, so every lookup is an index
// range within one tenant. Signal and credential rows belong to an account, and an account to
// one tenant (accounts.tenant). JSON lists/maps are TEXT; binary values are base64 TEXT so both
// backends store them the same way.
const std::vector<Migration> kMigrations = {
    {1,
     "initial schema",
     {
         "CREATE TABLE storage_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
         "CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL)",
         "INSERT INTO tenants (id, name, created_at) VALUES ('default', 'Default', 0)",
         "CREATE TABLE accounts (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
         " jid TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'new', created_at BIGINT NOT NULL,"
         " updated_at BIGINT NOT NULL)",
         "CREATE INDEX accounts_tenant ON accounts (tenant, id)",
         "CREATE TABLE device_credentials (account TEXT PRIMARY KEY, tenant TEXT NOT NULL,"
         " sealed TEXT NOT NULL, updated_at BIGINT NOT NULL)",
         "CREATE TABLE signal_identities (account TEXT NOT NULL, address TEXT NOT NULL, sealed TEXT NOT NULL,"
         " PRIMARY KEY (account, address)){{WITHOUT_ROWID}}",
         "CREATE TABLE signal_sessions (account TEXT NOT NULL, address TEXT NOT NULL, sealed TEXT NOT NULL,"
         " PRIMARY KEY (account, address)){{WITHOUT_ROWID}}",
         "CREATE TABLE signal_prekeys (account TEXT NOT NULL, address TEXT NOT NULL, sealed TEXT NOT NULL,"
         " PRIMARY KEY (account, address)){{WITHOUT_ROWID}}",
         "CREATE TABLE signal_signed_prekeys (account TEXT NOT NULL, address TEXT NOT NULL, sealed TEXT NOT NULL,"
         " PRIMARY KEY (account, address)){{WITHOUT_ROWID}}",
         "CREATE TABLE signal_sender_keys (account TEXT NOT NULL, address TEXT NOT NULL, sealed TEXT NOT NULL,"
         " PRIMARY KEY (account, address)){{WITHOUT_ROWID}}",
         "CREATE TABLE contacts (tenant TEXT NOT NULL, id TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '',"
         " jid TEXT NOT NULL DEFAULT '', lid TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',"
         " language TEXT NOT NULL DEFAULT '', vip INTEGER NOT NULL DEFAULT 0, opted_in INTEGER NOT NULL DEFAULT 0,"
         " tags TEXT NOT NULL DEFAULT '[]', fields TEXT NOT NULL DEFAULT '{}', created_at BIGINT NOT NULL,"
         " updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, id))",
         "CREATE INDEX contacts_phone ON contacts (tenant, phone)",
         "CREATE INDEX contacts_jid ON contacts (tenant, jid)",
         "CREATE INDEX contacts_lid ON contacts (tenant, lid)",
         "CREATE TABLE contact_notes (id {{SERIAL}}, tenant TEXT NOT NULL, contact_id TEXT NOT NULL,"
         " author TEXT NOT NULL, note TEXT NOT NULL, created_at BIGINT NOT NULL)",
         "CREATE INDEX contact_notes_contact ON contact_notes (tenant, contact_id)",
         "CREATE TABLE conversations (tenant TEXT NOT NULL, id TEXT NOT NULL, account TEXT NOT NULL,"
         " contact_id TEXT NOT NULL DEFAULT '', peer TEXT NOT NULL, assignee TEXT NOT NULL DEFAULT '',"
         " status TEXT NOT NULL DEFAULT 'open', priority INTEGER NOT NULL DEFAULT 0, tags TEXT NOT NULL DEFAULT '[]',"
         " bot_paused INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, last_message_at BIGINT NOT NULL,"
         " PRIMARY KEY (tenant, id))",
         "CREATE INDEX conversations_assignee ON conversations (tenant, assignee, status)",
         "CREATE INDEX conversations_contact ON conversations (tenant, contact_id)",
         "CREATE TABLE conversation_notes (id {{SERIAL}}, tenant TEXT NOT NULL, conversation_id TEXT NOT NULL,"
         " author TEXT NOT NULL, note TEXT NOT NULL, created_at BIGINT NOT NULL)",
         "CREATE INDEX conversation_notes_conv ON conversation_notes (tenant, conversation_id)",
         // Rows are appended in seq order; lookups go by conversation (history), by seq (from the
         // dedupe row) or, for outbound messages only, by id. No index on the random inbound id:
         // the dedupe table already guarantees it is unique, and a random index would cost one
         // scattered page write per message on the hot path.
         "CREATE TABLE messages (seq {{ROWID}}, tenant TEXT NOT NULL, id TEXT NOT NULL, conversation_id TEXT NOT NULL,"
         " account TEXT NOT NULL, direction TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL DEFAULT '',"
         " extra TEXT NOT NULL DEFAULT '', network_id TEXT NOT NULL DEFAULT '', chat TEXT NOT NULL DEFAULT '',"
         " sender TEXT NOT NULL DEFAULT '', sender_name TEXT NOT NULL DEFAULT '', from_me INTEGER NOT NULL DEFAULT 0,"
         " is_group INTEGER NOT NULL DEFAULT 0, reply_to TEXT NOT NULL DEFAULT '', target_id TEXT NOT NULL DEFAULT '',"
         " reaction TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, automatic INTEGER NOT NULL DEFAULT 0,"
         " ts BIGINT NOT NULL, ciphertext_hash TEXT NOT NULL DEFAULT '', cipher_key BIGINT NOT NULL DEFAULT 0,"
         " conversation_key BIGINT NOT NULL DEFAULT 0)",
         // History by conversation through an 8-byte digest of its id: every batch appends to the
         // tail of each conversation it touches, so small entries mean few pages rewritten.
         "CREATE INDEX messages_conversation ON messages (conversation_key, ts, seq)",
         // A redelivered stanza is found by its ciphertext hash through an 8-byte digest of it:
         // a small index, since its inserts are random too; the full hash is compared in the row.
         "CREATE INDEX messages_ciphertext ON messages (cipher_key) WHERE cipher_key <> 0",
         "CREATE UNIQUE INDEX messages_outbound ON messages (tenant, id) WHERE direction = 'out'",
         "CREATE TABLE message_status (id {{SERIAL}}, tenant TEXT NOT NULL, message_id TEXT NOT NULL,"
         " status TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', at BIGINT NOT NULL)",
         "CREATE INDEX message_status_message ON message_status (tenant, message_id)",
         // The inbound dedupe table: only the key and where the message is, so its rows stay small
         // (its inserts land at random places: WhatsApp ids are random).
         "CREATE TABLE inbound_dedupe (tenant TEXT NOT NULL, account TEXT NOT NULL, network_id TEXT NOT NULL,"
         " message_seq BIGINT NOT NULL, PRIMARY KEY (tenant, account, network_id)){{WITHOUT_ROWID}}",
         "CREATE TABLE agents (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
         " skills TEXT NOT NULL DEFAULT '[]', languages TEXT NOT NULL DEFAULT '[]', department TEXT NOT NULL DEFAULT '',"
         " capacity INTEGER NOT NULL DEFAULT 5, hours TEXT NOT NULL DEFAULT '[]', time_zone TEXT NOT NULL DEFAULT 'UTC',"
         " status TEXT NOT NULL DEFAULT 'offline', priority INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant, id))",
         "CREATE TABLE message_templates (tenant TEXT NOT NULL, name TEXT NOT NULL, language TEXT NOT NULL DEFAULT '',"
         " body TEXT NOT NULL, category TEXT NOT NULL DEFAULT '', updated_at BIGINT NOT NULL,"
         " PRIMARY KEY (tenant, name))",
         // Only pending records live here: a produced record is deleted, so the table stays small.
         "CREATE TABLE outbox (seq {{SERIAL}}, tenant TEXT NOT NULL, topic TEXT NOT NULL, msg_key TEXT NOT NULL,"
         " ce_id TEXT NOT NULL, ce_type TEXT NOT NULL, account TEXT NOT NULL, conversation_id TEXT NOT NULL,"
         " assignee TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL,"
         " attempts INTEGER NOT NULL DEFAULT 0)",
         "CREATE TABLE commands (tenant TEXT NOT NULL, command_id TEXT NOT NULL, account TEXT NOT NULL,"
         " kind TEXT NOT NULL, status TEXT NOT NULL, network_id TEXT NOT NULL DEFAULT '',"
         " reason TEXT NOT NULL DEFAULT '', error_code TEXT NOT NULL DEFAULT '', command TEXT NOT NULL,"
         " raw TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
         " PRIMARY KEY (tenant, command_id))",
         "CREATE INDEX commands_status ON commands (status, created_at)",
         "CREATE TABLE audit_log (id {{SERIAL}}, tenant TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
         " subject TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', at BIGINT NOT NULL)",
         "CREATE INDEX audit_log_tenant ON audit_log (tenant, at)",
         "CREATE TABLE plugin_state (tenant TEXT NOT NULL, ns TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL,"
         " PRIMARY KEY (tenant, ns, k)){{WITHOUT_ROWID}}",
     }},
    {2,
     "outbox payload as bytes",
     {
         // The record's value as bytes, already in the wire format named by body_format
         // (0 protobuf, 1 JSON), so the relay sends it as stored: no base64 decoding, and no
         // conversion when the deployment's format is the one it was stored in. Rows from
         // before keep body NULL and their base64 protobuf in payload; new rows leave payload ''.
         "ALTER TABLE outbox ADD COLUMN body {{BLOB}}",
         "ALTER TABLE outbox ADD COLUMN body_format INTEGER NOT NULL DEFAULT 0",
     }},
    {3,
     "tenant lifecycle and quotas",
     {
         // active | suspended: a suspended tenant keeps its data, its tokens and commands are refused.
         "ALTER TABLE tenants ADD COLUMN state TEXT NOT NULL DEFAULT 'active'",
         // One limit per tenant and kind (accounts, messages_per_day, ...); no row: unlimited.
         "CREATE TABLE tenancy_quotas (tenant TEXT NOT NULL, kind TEXT NOT NULL, quota BIGINT NOT NULL,"
         " PRIMARY KEY (tenant, kind))",
         // Use of the per-day quotas, one row per tenant, kind and UTC day (days since the epoch).
         "CREATE TABLE tenancy_usage (tenant TEXT NOT NULL, kind TEXT NOT NULL, day BIGINT NOT NULL,"
         " used BIGINT NOT NULL, PRIMARY KEY (tenant, kind, day))",
     }},
    {5,
     "scale-out: account owners (fencing)",
     {
         // Not an arbiter (the daemons' Kafka consumer group decides who owns an account): the
         // generation the current owner took the account over with, which every write of the
         // account must carry; `state` paused keeps an account from running anywhere.
         "CREATE TABLE account_owners (account TEXT PRIMARY KEY, generation BIGINT NOT NULL,"
         " owner TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'active', updated_at BIGINT NOT NULL)",
     }},
    {6,
     "analytics: closes and satisfaction surveys",
     {
         // One row per close of a conversation: where its episodes end and who resolved them.
         "CREATE TABLE analytics_closures (tenant TEXT NOT NULL, conversation_id TEXT NOT NULL,"
         " closed_at BIGINT NOT NULL, agent TEXT NOT NULL DEFAULT '', PRIMARY KEY (tenant, conversation_id,"
         " closed_at))",
         // One row per survey sent (keyed by its command id); score 0 and answered_at 0 while open,
         // score 0 with answered_at set when the next message was no score.
         "CREATE TABLE analytics_surveys (tenant TEXT NOT NULL, command_id TEXT NOT NULL,"
         " conversation_id TEXT NOT NULL, agent TEXT NOT NULL DEFAULT '', sent_at BIGINT NOT NULL,"
         " score INTEGER NOT NULL DEFAULT 0, answer_message TEXT NOT NULL DEFAULT '',"
         " answered_at BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (tenant, command_id))",
         "CREATE INDEX analytics_surveys_conversation ON analytics_surveys (tenant, conversation_id, sent_at)",
         "CREATE INDEX analytics_surveys_sent ON analytics_surveys (tenant, sent_at)",
         // Survey answers are left out of response times: looked up by message id.
         "CREATE INDEX analytics_surveys_answer ON analytics_surveys (tenant, answer_message)",
     }},
    {7,
     "cluster: accounts moved to a chosen daemon, partitions each daemon holds",
     {
         // An operator's `move`: the account belongs to this partition of `control` instead of its
         // hash's. The group still decides who holds the partition.
         "CREATE TABLE cluster_placements (account TEXT PRIMARY KEY, partition_id INTEGER NOT NULL,"
         " target TEXT NOT NULL, updated_at BIGINT NOT NULL)",
         // What each daemon was last assigned (written by the daemon itself): where a move finds a
         // partition of its target. Informative only; it decides nothing.
         "CREATE TABLE cluster_members (instance TEXT PRIMARY KEY, partitions TEXT NOT NULL,"
         " updated_at BIGINT NOT NULL)",
     }},
    {8,
     "outbox: produced mark",
     {
         // Every outbox row with seq <= upto was delivered; readers skip those rows and they are
         // deleted later, in bulk. One row (id 1). Moved on SQLite only, where rows commit in seq
         // order and one daemon owns the file; it stays 0 on PostgreSQL (rows deleted one by one).
         "CREATE TABLE outbox_produced (id INTEGER PRIMARY KEY, upto BIGINT NOT NULL)",
         "INSERT INTO outbox_produced (id, upto) VALUES (1, 0)",
     }},
    {9,
     "inbound: redeliveries found through the dedupe key",
     {
         // A redelivered stanza carries its network id, so it is found through inbound_dedupe
         // (which every inbound message writes anyway) and its ciphertext hash compared in the
         // message row. This random index cost every stored message one more scattered page write
         // (4 KiB of WAL per message once it outgrew a batch). cipher_key is 0 in rows from here on.
         "DROP INDEX messages_ciphertext",
     }},
};

std::string render(std::string sql, Dialect d) {
  auto replace = [&sql](const std::string& from, const std::string& to) {
    for (auto pos = sql.find(from); pos != std::string::npos; pos = sql.find(from, pos + to.size())) {
      sql.replace(pos, from.size(), to);
    }
  };
  // {{ROWID}}: increasing ids the inbound path assigns itself; SQLite skips AUTOINCREMENT's extra
  // sqlite_sequence write (ids are only reused if the newest row is deleted, which never happens).
  replace("{{ROWID}}", d == Dialect::Sqlite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY");
  replace("{{SERIAL}}", d == Dialect::Sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY");
  // SQLite keeps small rows looked up by their key in the key's b-tree only, saving one b-tree
  // write per row on the hot path (PostgreSQL has no such option and needs none).
  replace("{{WITHOUT_ROWID}}", d == Dialect::Sqlite ? " WITHOUT ROWID" : "");
  replace("{{BLOB}}", d == Dialect::Sqlite ? "BLOB" : "BYTEA");
  return sql;
}

}  // namespace

const std::vector<Migration>& knownMigrations() { return kMigrations; }

int latestSchemaVersion() { return kMigrations.empty() ? 0 : kMigrations.back().version; }

sdk::Result<int> schemaVersion(Database& db) {
  return db.run<int>([](Connection& c) -> sdk::Result<int> {
    c.sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
             " applied_at BIGINT NOT NULL)";
    int version = 0;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
    return ind == soci::i_ok ? version : 0;
  });
}

sdk::Status migrate(Database& db, const std::vector<Migration>& migrations) {
  auto log = componentLogger("storage");
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  auto current = schemaVersion(db);
  if (!current.ok() && !current.error().isFatal()) {
    // Daemons starting together on an empty PostgreSQL can race on CREATE TABLE IF NOT EXISTS
    // (a unique violation in the catalog); the loser simply looks again.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    current = schemaVersion(db);
  }
  SB_TRY(current);
  if (*current > latest) {
    return sdk::Error::fatal("storage.schema_too_new",
                             "database " + db.url().redacted + " has schema version " + std::to_string(*current) +
                                 ", newer than this build of switchboard knows (" + std::to_string(latest) +
                                 "); run a newer switchboard or point storage.url at another database");
  }
  for (const auto& m : migrations) {
    if (m.version <= *current) {
      continue;
    }
    auto applied = db.transact<bool>([&](Connection& c) -> sdk::Result<bool> {
      if (c.dialect == Dialect::Postgres) {
        // Several daemons may start at once on one PostgreSQL: one migrates, the others wait.
        c.sql << "LOCK TABLE schema_migrations IN EXCLUSIVE MODE";
      }
      int done = 0;
      c.sql << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m.version), soci::into(done);
      if (done != 0) {
        return false;
      }
      for (const auto& stmt : m.statements) {
        c.sql << render(stmt, c.dialect);
      }
      std::int64_t at = nowMs();
      c.sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :a)", soci::use(m.version),
          soci::use(m.name), soci::use(at);
      return true;
    });
    SB_TRY(applied);
    if (*applied) {
      log->info("applied schema migration version={} name=\"{}\" database={}", m.version, m.name, db.url().redacted);
    }
  }
  return sdk::okStatus();
}

}  // namespace switchboard::host::storage
