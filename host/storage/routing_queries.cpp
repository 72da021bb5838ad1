// What routers ask of storage beyond the basic rows (SDK 1.1): the assignment history a learned
// router trains on, agents' response times, and a capacity-checked claim of a conversation.

#include <map>

#include "storage/stable_ids.hpp"
#include "storage/tenant_storage.hpp"

namespace switchboard::host::storage {

namespace {

struct AssignedRow {
  std::string id, account, assignee, status;
  long long created = 0;
};

// Assigned conversations, newest first. Collected before any per-conversation query runs, so no
// two statements are active on the connection at once.
std::vector<AssignedRow> assignedSince(TenantScope& s, long long since, int limit) {
  std::vector<AssignedRow> out;
  AssignedRow row;
  soci::statement st = s.prepare(
      "SELECT id, account, assignee, status, created_at FROM conversations WHERE tenant = :tenant"
      " AND assignee <> '' AND created_at >= :s ORDER BY created_at DESC, id LIMIT :l",
      soci::use(since), soci::use(limit), soci::into(row.id), soci::into(row.account), soci::into(row.assignee),
      soci::into(row.status), soci::into(row.created));
  if (st.execute(true)) {
    do {
      out.push_back(row);
    } while (st.fetch());
  }
  return out;
}

}  // namespace

sdk::Result<std::vector<sdk::AssignedConversation>> SqlTenantStorage::listAssignedConversations(
    sdk::TimestampMs sinceMs, int limit, int messagesPerConversation) {
  using Out = std::vector<sdk::AssignedConversation>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    Out out;
    for (const auto& row : assignedSince(s, sinceMs, limit)) {
      sdk::AssignedConversation a;
      a.id = row.id;
      a.account = row.account;
      a.agent = row.assignee;
      a.closed = row.status == "closed";
      a.createdAt = row.created;
      // The history index is keyed by the conversation's digest; the id check removes collisions.
      const long long key = conversationKey(row.id);
      std::string body;
      soci::statement st = s.prepare(
          "SELECT body FROM messages WHERE conversation_key = :k AND tenant = :tenant AND conversation_id = :c"
          " AND direction = 'in' AND from_me = 0 AND body <> '' ORDER BY conversation_key, ts, seq LIMIT :l",
          soci::use(key), soci::use(row.id), soci::use(messagesPerConversation), soci::into(body));
      if (st.execute(true)) {
        do {
          a.text += (a.text.empty() ? "" : "\n") + body;
        } while (st.fetch());
      }
      out.push_back(std::move(a));
    }
    return out;
  });
}

sdk::Result<std::vector<sdk::AgentResponseStats>> SqlTenantStorage::agentResponseStats(sdk::TimestampMs sinceMs,
                                                                                       int conversationLimit) {
  using Out = std::vector<sdk::AgentResponseStats>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    struct Sum {
      double totalMs = 0;
      int samples = 0;
    };
    std::map<std::string, Sum> sums;
    for (const auto& row : assignedSince(s, sinceMs, conversationLimit)) {
      // A customer turn starts at the first customer message after a reply and ends at the next
      // human reply: a message sent through a command that no plugin produced, or one typed on
      // the account's own phone (received with from_me). Replies are credited to the current
      // assignee: the history does not say which person typed them.
      const long long key = conversationKey(row.id);
      std::string direction;
      int fromMe = 0, automatic = 0;
      long long ts = 0;
      soci::statement st = s.prepare(
          "SELECT direction, from_me, automatic, ts FROM messages WHERE conversation_key = :k AND tenant = :tenant"
          " AND conversation_id = :c ORDER BY conversation_key, ts, seq LIMIT 500",
          soci::use(key), soci::use(row.id), soci::into(direction), soci::into(fromMe), soci::into(automatic),
          soci::into(ts));
      // A plain flag beside the value: GCC's Release build takes an optional<long long> here for
      // "maybe uninitialized".
      bool waiting = false;
      long long turnStart = 0;
      if (st.execute(true)) {
        do {
          const bool customer = direction == "in" && fromMe == 0;
          const bool human = (direction == "out" && automatic == 0) || (direction == "in" && fromMe != 0);
          if (customer && !waiting) {
            waiting = true;
            turnStart = ts;
          } else if (human && waiting) {
            auto& sum = sums[row.assignee];
            sum.totalMs += static_cast<double>(std::max(0LL, ts - turnStart));
            ++sum.samples;
            waiting = false;
          }
        } while (st.fetch());
      }
    }
    Out out;
    for (const auto& [agent, sum] : sums) {
      out.push_back({agent, sum.totalMs / sum.samples, sum.samples});
    }
    return out;
  });
}

sdk::Result<bool> SqlTenantStorage::claimConversation(const sdk::ConversationId& id, const sdk::AgentId& agent) {
  return scoped<bool>(true, [&](TenantScope& s) -> sdk::Result<bool> {
    // Claims on one agent run one at a time: SQLite's transaction already holds the write lock
    // (BEGIN IMMEDIATE); PostgreSQL locks the agent's row, and the count below then sees every
    // claim committed before it. The conversation's row is locked too, so two claims of the same
    // conversation for different agents cannot both win.
    const std::string lock = s.dialect() == Dialect::Postgres ? " FOR UPDATE" : "";
    int capacity = 0;
    if (!s.queryOne("SELECT capacity FROM agents WHERE tenant = :tenant AND id = :i" + lock, soci::use(agent),
                    soci::into(capacity))) {
      return sdk::Error::permanent("storage.not_found", "no agent \"" + agent + "\" in this tenant");
    }
    std::string assignee, status;
    if (!s.queryOne("SELECT assignee, status FROM conversations WHERE tenant = :tenant AND id = :i" + lock,
                    soci::use(id), soci::into(assignee), soci::into(status))) {
      return sdk::Error::permanent("storage.not_found", "no conversation \"" + id + "\" in this tenant");
    }
    if (status == "closed" || (!assignee.empty() && assignee != agent)) {
      return false;
    }
    if (assignee == agent) {
      return true;
    }
    int open = 0;
    s.queryOne("SELECT COUNT(*) FROM conversations WHERE tenant = :tenant AND assignee = :a AND status <> 'closed'",
               soci::use(agent), soci::into(open));
    if (open >= capacity) {
      return false;
    }
    s.exec("UPDATE conversations SET assignee = :a WHERE tenant = :tenant AND id = :i", soci::use(agent),
           soci::use(id));
    return true;
  });
}

}  // namespace switchboard::host::storage
