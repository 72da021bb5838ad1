#include "kafka/replay.hpp"

#include <chrono>
#include <thread>

#include "common/logging.hpp"
#include "kafka/envelope.hpp"
#include "storage/codec.hpp"
#include "storage/sql_store.hpp"

namespace switchboard::host {
namespace {

constexpr int kBatch = 500;

// Reads one page of stored inbound messages after `afterSeq`. The messages table is the storage
// component's; this query belongs in Store once replay is part of its interface.
sdk::Result<std::vector<std::pair<std::int64_t, sdk::InboundMessage>>> page(storage::SqlStore& store,
                                                                            const ReplayRequest& r,
                                                                            std::int64_t afterSeq) {
  using Page = std::vector<std::pair<std::int64_t, sdk::InboundMessage>>;
  return store.db().run<Page>([&](storage::Connection& c) -> sdk::Result<Page> {
    std::string sql =
        "SELECT seq, tenant, id, conversation_id, account, kind, body, extra, network_id, chat, sender, sender_name,"
        " from_me, is_group, reply_to, target_id, reaction, ts FROM messages"
        " WHERE direction = 'in' AND seq > :after AND ts >= :from AND ts < :to";
    const std::string tenant = r.tenant.value_or(""), account = r.account.value_or(""),
                      conversation = r.conversation.value_or("");
    if (r.tenant) {
      sql += " AND tenant = :tenant";
    }
    if (r.account) {
      sql += " AND account = :account";
    }
    if (r.conversation) {
      sql += " AND conversation_id = :conversation";
    }
    sql += " ORDER BY seq LIMIT " + std::to_string(kBatch);
    long long seq = 0, ts = 0, after = afterSeq, from = r.fromMs, to = r.toMs;
    int fromMe = 0, isGroup = 0;
    std::string kind, extra;
    sdk::InboundMessage m;
    soci::statement st(c.sql);
    st.alloc();
    st.prepare(sql);
    st.exchange(soci::into(seq));
    st.exchange(soci::into(m.tenant));
    st.exchange(soci::into(m.id));
    st.exchange(soci::into(m.conversation));
    st.exchange(soci::into(m.account));
    st.exchange(soci::into(kind));
    st.exchange(soci::into(m.text));
    st.exchange(soci::into(extra));
    st.exchange(soci::into(m.networkId));
    st.exchange(soci::into(m.chat));
    st.exchange(soci::into(m.sender));
    st.exchange(soci::into(m.senderName));
    st.exchange(soci::into(fromMe));
    st.exchange(soci::into(isGroup));
    st.exchange(soci::into(m.replyTo));
    st.exchange(soci::into(m.targetId));
    st.exchange(soci::into(m.reaction));
    st.exchange(soci::into(ts));
    st.exchange(soci::use(after, "after"));
    st.exchange(soci::use(from, "from"));
    st.exchange(soci::use(to, "to"));
    if (r.tenant) {
      st.exchange(soci::use(tenant, "tenant"));
    }
    if (r.account) {
      st.exchange(soci::use(account, "account"));
    }
    if (r.conversation) {
      st.exchange(soci::use(conversation, "conversation"));
    }
    st.define_and_bind();
    st.execute();
    Page out;
    while (st.fetch()) {
      sdk::InboundMessage copy = m;
      copy.kind = storage::messageKindFrom(kind);
      copy.media.reset();
      copy.location.reset();
      copy.contact.reset();
      storage::decodeExtra(extra, copy);
      copy.fromMe = fromMe != 0;
      copy.isGroup = isGroup != 0;
      copy.timestamp = ts;
      out.emplace_back(seq, std::move(copy));
    }
    return out;
  });
}

}  // namespace

sdk::Result<ReplayReport> replayInbound(Store& store, const ReplayRequest& request, std::int64_t outboxLimit,
                                        const std::function<void()>& notify, Format format) {
  auto* sql = dynamic_cast<storage::SqlStore*>(&store);
  if (sql == nullptr) {
    return sdk::Error::permanent("kafka.replay_unsupported", "replay needs the SQL store");
  }
  auto log = componentLogger("kafka");
  ReplayReport report;
  std::int64_t after = 0;
  while (true) {
    auto rows = page(*sql, request, after);
    SB_TRY(rows);
    if (rows->empty()) {
      break;
    }
    std::vector<OutboxRecord> records;
    for (auto& [seq, message] : *rows) {
      after = seq;
      records.push_back(inboundRecord(message, format));
    }
    // Replay must not be what trips the outbox alarm: let the relay drain first.
    for (auto depth = store.outboxDepth(); depth.ok() && *depth + static_cast<std::int64_t>(records.size()) >
                                                             outboxLimit;
         depth = store.outboxDepth()) {
      notify();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    SB_TRY(store.enqueue(records));
    report.messages += static_cast<std::int64_t>(records.size());
    notify();
  }
  log->info("replay queued messages={} tenant={} account={} conversation={} from_ms={} to_ms={}", report.messages,
            request.tenant.value_or("*"), request.account.value_or("*"), request.conversation.value_or("*"),
            request.fromMs, request.toMs);
  return report;
}

}  // namespace switchboard::host
