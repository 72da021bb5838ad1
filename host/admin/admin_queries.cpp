#include "admin/admin_queries.hpp"

#include "storage/tenant_storage.hpp"

namespace switchboard::admin {
namespace {

using host::storage::SqlTenantStorage;
using host::storage::TenantScope;

SqlTenantStorage* sqlOf(const std::shared_ptr<sdk::TenantStorage>& s) {
  return dynamic_cast<SqlTenantStorage*>(s.get());
}

sdk::Error unsupported() {
  return sdk::Error::permanent("storage.unsupported", "this storage does not support the admin queries");
}

// LIKE with the pattern's own wildcards escaped, so a search for "50%" finds "50%".
std::string likePattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out + "%";
}

std::vector<Note> readNotes(TenantScope& s, const std::string& table, const std::string& column, const std::string& id,
                            int limit) {
  std::vector<Note> out;
  Note n;
  long long id64 = 0, at = 0;
  auto st = s.prepare("SELECT id, author, note, created_at FROM " + table + " WHERE tenant = :tenant AND " + column +
                          " = :id ORDER BY id DESC LIMIT " + std::to_string(limit),
                      soci::use(id), soci::into(id64), soci::into(n.author), soci::into(n.text), soci::into(at));
  if (st.execute(true)) {
    do {
      n.id = id64;
      n.createdAt = at;
      out.push_back(n);
    } while (st.fetch());
  }
  return out;
}

}  // namespace

sdk::Result<std::vector<sdk::MessageTemplate>> AdminQueries::listTemplates() {
  auto* sql = sqlOf(storage_);
  if (sql == nullptr) {
    return unsupported();
  }
  using Out = std::vector<sdk::MessageTemplate>;
  return sql->scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    Out out;
    sdk::MessageTemplate t;
    auto st = s.prepare("SELECT name, language, body, category FROM message_templates WHERE tenant = :tenant ORDER BY name",
                        soci::into(t.name), soci::into(t.language), soci::into(t.body), soci::into(t.category));
    if (st.execute(true)) {
      do {
        out.push_back(t);
      } while (st.fetch());
    }
    return out;
  });
}

sdk::Result<bool> AdminQueries::deleteTemplate(const std::string& name) {
  auto* sql = sqlOf(storage_);
  if (sql == nullptr) {
    return unsupported();
  }
  return sql->scoped<bool>(false, [&](TenantScope& s) -> sdk::Result<bool> {
    return s.exec("DELETE FROM message_templates WHERE tenant = :tenant AND name = :n", soci::use(name)) > 0;
  });
}

sdk::Result<bool> AdminQueries::deleteContact(const sdk::ContactId& id) {
  auto* sql = sqlOf(storage_);
  if (sql == nullptr) {
    return unsupported();
  }
  return sql->scoped<bool>(true, [&](TenantScope& s) -> sdk::Result<bool> {
    long long uses = 0;
    s.queryOne("SELECT COUNT(*) FROM conversations WHERE tenant = :tenant AND contact_id = :id", soci::use(id),
               soci::into(uses));
    if (uses > 0) {
      return sdk::Error::permanent("contact.in_use", "contact \"" + id + "\" has " + std::to_string(uses) +
                                                         " conversation(s); merge it into another contact instead");
    }
    s.exec("DELETE FROM contact_notes WHERE tenant = :tenant AND contact_id = :id", soci::use(id));
    return s.exec("DELETE FROM contacts WHERE tenant = :tenant AND id = :id", soci::use(id)) > 0;
  });
}

sdk::Result<bool> AdminQueries::deleteAgent(const sdk::AgentId& id) {
  auto* sql = sqlOf(storage_);
  if (sql == nullptr) {
    return unsupported();
  }
  return sql->scoped<bool>(true, [&](TenantScope& s) -> sdk::Result<bool> {
    long long open = 0;
    s.queryOne("SELECT COUNT(*) FROM conversations WHERE tenant = :tenant AND assignee = :id AND status <> 'closed'",
               soci::use(id), soci::into(open));
    if (open > 0) {
      return sdk::Error::permanent("agent.busy", "agent \"" + id + "\" still has " + std::to_string(open) +
                                                     " open conversation(s); transfer them first");
    }
    return s.exec("DELETE FROM agents WHERE tenant = :tenant AND id = :id", soci::use(id)) > 0;
  });
}

sdk::Result<std::vector<Note>> AdminQueries::contactNotes(const sdk::ContactId& id, int limit) {
  auto* sql = sqlOf(storage_);
  if (sql == nullptr) {
    return unsupported();
  }
  return sql->scoped<std::vector<Note>>(
      false, [&](TenantScope& s) -> sdk::Result<std::vector<Note>> { return readNotes(s, "contact_notes", "contact_id", id, limit); });
}

sdk::Result<std::vector<Note>> AdminQueries::conversationNotes(const sdk::ConversationId& id, int limit) {
  auto* sql = sqlOf(storage_);
  if (sql == nullptr) {
    return unsupported();
  }
  return sql->scoped<std::vector<Note>>(false, [&](TenantScope& s) -> sdk::Result<std::vector<Note>> {
    return readNotes(s, "conversation_notes", "conversation_id", id, limit);
  });
}

sdk::Result<std::vector<sdk::ConversationId>> AdminQueries::searchConversations(const std::string& text, int limit,
                                                                                 int offset) {
  auto* sql = sqlOf(storage_);
  if (sql == nullptr) {
    return unsupported();
  }
  using Out = std::vector<sdk::ConversationId>;
  return sql->scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    Out out;
    std::string id;
    const auto like = likePattern(text);
    // The statement binds these by reference: they must outlive its execution.
    const std::vector<std::string> args = {like, like, like, like};
    // The contact is looked up in the same tenant (k.tenant = c.tenant).
    auto st = s.prepareDynamic(
        "SELECT c.id FROM conversations c WHERE c.tenant = :tenant AND (c.id LIKE :q1 ESCAPE '\\' OR c.peer LIKE :q2 "
        "ESCAPE '\\' OR c.contact_id IN (SELECT k.id FROM contacts k WHERE k.tenant = c.tenant AND (k.name LIKE :q3 "
        "ESCAPE '\\' OR k.phone LIKE :q4 ESCAPE '\\'))) ORDER BY c.last_message_at DESC LIMIT " +
            std::to_string(limit) + " OFFSET " + std::to_string(offset),
        args, [&](soci::statement& statement) { statement.exchange(soci::into(id)); });
    if (st.execute(true)) {
      do {
        out.push_back(id);
      } while (st.fetch());
    }
    return out;
  });
}

sdk::Result<AdminQueries::RecentMessages> AdminQueries::recentMessages(sdk::TimestampMs sinceMs, int maxRows) {
  auto* sql = sqlOf(storage_);
  if (sql == nullptr) {
    return unsupported();
  }
  return sql->scoped<RecentMessages>(false, [&](TenantScope& s) -> sdk::Result<RecentMessages> {
    RecentMessages out;
    std::string conversation, direction;
    int automatic = 0;
    long long ts = 0;
    // Walks back by seq (the table's own order, no index needed) rather than filtering on ts.
    auto st = s.prepare("SELECT conversation_id, direction, automatic, ts FROM messages WHERE tenant = :tenant "
                        "ORDER BY seq DESC LIMIT " + std::to_string(maxRows + 1),
                        soci::into(conversation), soci::into(direction), soci::into(automatic), soci::into(ts));
    if (st.execute(true)) {
      do {
        if (ts < sinceMs) {
          return out;
        }
        if (static_cast<int>(out.rows.size()) == maxRows) {
          out.truncated = true;
          return out;
        }
        out.rows.push_back(MessageRow{conversation, direction == "in", automatic != 0, ts});
      } while (st.fetch());
    }
    return out;
  });
}

}  // namespace switchboard::admin
