#include "storage/tenant_storage.hpp"

#include "common/clock.hpp"
#include "storage/codec.hpp"
#include "storage/phone_number.hpp"
#include "storage/stable_ids.hpp"

namespace switchboard::host::storage {

namespace {

sdk::Status asStatus(const sdk::Result<bool>& r) {
  if (!r.ok()) {
    return r.error();
  }
  return sdk::okStatus();
}

sdk::Error notFound(const std::string& what, const std::string& id) {
  return sdk::Error::permanent("storage.not_found", "no " + what + " \"" + id + "\" in this tenant");
}

const char* kContactColumns =
    "SELECT id, tenant, phone, jid, lid, name, language, vip, opted_in, tags, fields, created_at, updated_at"
    " FROM contacts";

struct ContactRow {
  sdk::Contact c;
  int vip = 0, optedIn = 0;
  std::string tags, fields;
  long long created = 0, updated = 0;
  void bind(soci::statement& st) {
    st.exchange(soci::into(c.id));
    st.exchange(soci::into(c.tenant));
    st.exchange(soci::into(c.phone));
    st.exchange(soci::into(c.jid));
    st.exchange(soci::into(c.lid));
    st.exchange(soci::into(c.name));
    st.exchange(soci::into(c.language));
    st.exchange(soci::into(vip));
    st.exchange(soci::into(optedIn));
    st.exchange(soci::into(tags));
    st.exchange(soci::into(fields));
    st.exchange(soci::into(created));
    st.exchange(soci::into(updated));
  }
  sdk::Contact value() const {
    sdk::Contact out = c;
    out.vip = vip != 0;
    out.optedIn = optedIn != 0;
    out.tags = decodeList(tags);
    out.fields = decodeMap(fields);
    out.createdAt = created;
    out.updatedAt = updated;
    return out;
  }
};

const char* kConversationColumns =
    "SELECT c.id, c.tenant, c.account, c.contact_id, c.peer, c.assignee, c.status, c.priority, c.tags,"
    " c.created_at, c.last_message_at, c.bot_paused FROM conversations c";

struct ConversationRow {
  sdk::Conversation c;
  std::string status, tags;
  long long created = 0, last = 0;
  int paused = 0;
  void bind(soci::statement& st) {
    st.exchange(soci::into(c.id));
    st.exchange(soci::into(c.tenant));
    st.exchange(soci::into(c.account));
    st.exchange(soci::into(c.contact));
    st.exchange(soci::into(c.peer));
    st.exchange(soci::into(c.assignee));
    st.exchange(soci::into(status));
    st.exchange(soci::into(c.priority));
    st.exchange(soci::into(tags));
    st.exchange(soci::into(created));
    st.exchange(soci::into(last));
    st.exchange(soci::into(paused));
  }
  sdk::Conversation value() const {
    sdk::Conversation out = c;
    out.status = conversationStatusFrom(status);
    out.tags = decodeList(tags);
    out.createdAt = created;
    out.lastMessageAt = last;
    out.botPaused = paused != 0;
    return out;
  }
};

// open_count: maintained by counting, so it can never drift from the conversations themselves.
const char* kAgentColumns =
    "SELECT a.id, a.tenant, a.name, a.skills, a.languages, a.department, a.capacity, a.hours, a.time_zone,"
    " a.status, a.priority, (SELECT COUNT(*) FROM conversations c WHERE c.tenant = a.tenant"
    " AND c.assignee = a.id AND c.status <> 'closed') FROM agents a";

struct AgentRow {
  sdk::Agent a;
  std::string skills, languages, hours, status;
  long long open = 0;
  void bind(soci::statement& st) {
    st.exchange(soci::into(a.id));
    st.exchange(soci::into(a.tenant));
    st.exchange(soci::into(a.name));
    st.exchange(soci::into(skills));
    st.exchange(soci::into(languages));
    st.exchange(soci::into(a.department));
    st.exchange(soci::into(a.capacity));
    st.exchange(soci::into(hours));
    st.exchange(soci::into(a.timeZone));
    st.exchange(soci::into(status));
    st.exchange(soci::into(a.priority));
    st.exchange(soci::into(open));
  }
  sdk::Agent value() const {
    sdk::Agent out = a;
    out.skills = decodeList(skills);
    out.languages = decodeList(languages);
    out.hours = decodeShifts(hours);
    out.status = agentStatusFrom(status);
    out.openConversations = static_cast<int>(open);
    return out;
  }
};

template <typename Row, typename Value>
std::vector<Value> readRows(TenantScope& s, const std::string& text, const std::vector<std::string>& args) {
  Row row;
  soci::statement st = s.prepareDynamic(text, args, [&](soci::statement& q) { row.bind(q); });
  std::vector<Value> out;
  if (st.execute(true)) {
    do {
      out.push_back(row.value());
    } while (st.fetch());
  }
  return out;
}

}  // namespace

std::optional<sdk::Contact> readContact(TenantScope& s, const sdk::ContactId& id) {
  auto rows = readRows<ContactRow, sdk::Contact>(s, std::string(kContactColumns) + " WHERE tenant = :tenant AND id = :i",
                                                 {id});
  return rows.empty() ? std::nullopt : std::optional<sdk::Contact>(rows.front());
}

std::vector<sdk::Contact> readContacts(TenantScope& s, const std::string& where, const std::string& order,
                                       const std::string& arg, int limit, int offset) {
  std::string text = std::string(kContactColumns) + " WHERE tenant = :tenant" + (where.empty() ? "" : " AND " + where) +
                     " ORDER BY " + order + " LIMIT " + std::to_string(limit) + " OFFSET " + std::to_string(offset);
  std::vector<std::string> args;
  for (auto pos = where.find(":q"); pos != std::string::npos; pos = where.find(":q", pos + 2)) {
    args.push_back(arg);
  }
  return readRows<ContactRow, sdk::Contact>(s, text, args);
}

sdk::Result<sdk::ContactId> writeContact(TenantScope& s, const sdk::Contact& in, bool* created) {
  std::string id = in.id;
  if (id.empty()) {
    std::string found;
    bool hit = false;
    if (!in.phone.empty()) {
      hit = s.queryOne("SELECT id FROM contacts WHERE tenant = :tenant AND phone = :p ORDER BY created_at, id LIMIT 1",
                       soci::use(in.phone), soci::into(found));
    }
    if (!hit && (!in.jid.empty() || !in.lid.empty())) {
      hit = s.queryOne("SELECT id FROM contacts WHERE tenant = :tenant AND ((jid = :j AND jid <> '')"
                       " OR (lid = :l AND lid <> '')) ORDER BY created_at, id LIMIT 1",
                       soci::use(in.jid), soci::use(in.lid), soci::into(found));
    }
    if (hit) {
      id = found;
    } else {
      const std::string identity = !in.phone.empty() ? in.phone : !in.jid.empty() ? in.jid : in.lid;
      if (identity.empty()) {
        return sdk::Error::permanent("contacts.no_identity", "a new contact needs an id, a phone number or a JID");
      }
      id = contactIdFor(s.tenant(), identity);
    }
  }
  long long now = nowMs();
  long long createdAt = in.createdAt != 0 ? in.createdAt : now;
  int vip = in.vip ? 1 : 0, optedIn = in.optedIn ? 1 : 0;
  std::string tags = encodeList(in.tags), fields = encodeMap(in.fields);
  int existed = 0;
  s.queryOne("SELECT COUNT(*) FROM contacts WHERE tenant = :tenant AND id = :i", soci::use(id), soci::into(existed));
  s.exec("INSERT INTO contacts (tenant, id, phone, jid, lid, name, language, vip, opted_in, tags, fields, created_at,"
         " updated_at) VALUES (:tenant, :i, :p, :j, :l, :n, :lg, :v, :o, :tg, :f, :c, :u)"
         " ON CONFLICT (tenant, id) DO UPDATE SET phone = excluded.phone, jid = excluded.jid, lid = excluded.lid,"
         " name = excluded.name, language = excluded.language, vip = excluded.vip, opted_in = excluded.opted_in,"
         " tags = excluded.tags, fields = excluded.fields, updated_at = excluded.updated_at",
         soci::use(id), soci::use(in.phone), soci::use(in.jid), soci::use(in.lid), soci::use(in.name),
         soci::use(in.language), soci::use(vip), soci::use(optedIn), soci::use(tags), soci::use(fields),
         soci::use(createdAt), soci::use(now));
  if (created != nullptr) {
    *created = existed == 0;
  }
  return id;
}

// ---- Contacts ----

sdk::Result<std::optional<sdk::Contact>> SqlTenantStorage::getContact(const sdk::ContactId& id) {
  return scoped<std::optional<sdk::Contact>>(false, [&](TenantScope& s) -> sdk::Result<std::optional<sdk::Contact>> {
    return readContact(s, id);
  });
}

sdk::Result<std::optional<sdk::Contact>> SqlTenantStorage::findContactByPhone(const std::string& phone) {
  auto normal = normalizePhone(phone);
  if (!normal) {
    return std::optional<sdk::Contact>();
  }
  return scoped<std::optional<sdk::Contact>>(false, [&](TenantScope& s) -> sdk::Result<std::optional<sdk::Contact>> {
    auto rows = readContacts(s, "phone = :q", "created_at, id", *normal, 1, 0);
    return rows.empty() ? std::optional<sdk::Contact>() : std::optional<sdk::Contact>(rows.front());
  });
}

sdk::Result<sdk::Contact> SqlTenantStorage::upsertContact(const sdk::Contact& contact) {
  sdk::Contact c = contact;
  c.tenant = tenant_;
  if (!c.phone.empty()) {
    auto normal = normalizePhone(c.phone);
    if (!normal) {
      return sdk::Error::permanent("contacts.bad_phone", "\"" + c.phone + "\" is not a phone number in E.164 form");
    }
    c.phone = *normal;
  }
  return scoped<sdk::Contact>(true, [&](TenantScope& s) -> sdk::Result<sdk::Contact> {
    auto id = writeContact(s, c, nullptr);
    SB_TRY(id);
    auto stored = readContact(s, *id);
    if (!stored) {
      return notFound("contact", *id);
    }
    return *stored;
  });
}

sdk::Result<std::vector<sdk::Contact>> SqlTenantStorage::searchContacts(const std::string& query, int limit,
                                                                        int offset) {
  return scoped<std::vector<sdk::Contact>>(false, [&](TenantScope& s) -> sdk::Result<std::vector<sdk::Contact>> {
    if (query.empty()) {
      return readContacts(s, "", "name, id", "", limit, offset);
    }
    std::string like = "%";
    for (char ch : query) {
      like += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    like += "%";
    return readContacts(s, "(LOWER(name) LIKE :q1 OR phone LIKE :q2 OR LOWER(jid) LIKE :q3 OR LOWER(fields) LIKE :q4)",
                        "name, id", like, limit, offset);
  });
}

sdk::Status SqlTenantStorage::addContactNote(const sdk::ContactId& id, const std::string& author,
                                             const std::string& note) {
  return asStatus(scoped<bool>(true, [&](TenantScope& s) -> sdk::Result<bool> {
    int n = 0;
    s.queryOne("SELECT COUNT(*) FROM contacts WHERE tenant = :tenant AND id = :i", soci::use(id), soci::into(n));
    if (n == 0) {
      return notFound("contact", id);
    }
    long long now = nowMs();
    s.exec("INSERT INTO contact_notes (tenant, contact_id, author, note, created_at) VALUES (:tenant, :c, :a, :n, :t)",
           soci::use(id), soci::use(author), soci::use(note), soci::use(now));
    return true;
  }));
}

// ---- Conversations ----

sdk::Result<std::optional<sdk::Conversation>> SqlTenantStorage::getConversation(const sdk::ConversationId& id) {
  using Out = std::optional<sdk::Conversation>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    auto rows = readRows<ConversationRow, sdk::Conversation>(
        s, std::string(kConversationColumns) + " WHERE c.tenant = :tenant AND c.id = :i", {id});
    return rows.empty() ? Out() : Out(rows.front());
  });
}

sdk::Result<std::vector<sdk::Conversation>> SqlTenantStorage::listConversations(const sdk::ConversationFilter& f) {
  using Out = std::vector<sdk::Conversation>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    std::string text = std::string(kConversationColumns) + " WHERE c.tenant = :tenant";
    std::vector<std::string> args;
    if (f.account) {
      text += " AND c.account = :a";
      args.push_back(*f.account);
    }
    if (f.assignee) {
      text += " AND c.assignee = :as";
      args.push_back(*f.assignee);
    }
    if (f.status) {
      text += " AND c.status = :st";
      args.push_back(sdk::toString(*f.status));
    }
    if (f.tag) {
      text += " AND c.tags LIKE :tg";
      // Tags are a JSON array: match the quoted element, so "vip" does not match "vipx".
      std::string pattern = "%";
      pattern.append(encodeList({*f.tag}), 1, std::string::npos);
      pattern.back() = '%';
      args.push_back(std::move(pattern));
    }
    text += " ORDER BY c.last_message_at DESC, c.id LIMIT " + std::to_string(f.limit) + " OFFSET " +
            std::to_string(f.offset);
    return readRows<ConversationRow, sdk::Conversation>(s, text, args);
  });
}

sdk::Status SqlTenantStorage::assignConversation(const sdk::ConversationId& id, const sdk::AgentId& agent) {
  return asStatus(scoped<bool>(true, [&](TenantScope& s) -> sdk::Result<bool> {
    if (!agent.empty()) {
      int n = 0;
      s.queryOne("SELECT COUNT(*) FROM agents WHERE tenant = :tenant AND id = :i", soci::use(agent), soci::into(n));
      if (n == 0) {
        return notFound("agent", agent);
      }
    }
    if (s.exec("UPDATE conversations SET assignee = :a WHERE tenant = :tenant AND id = :i", soci::use(agent),
               soci::use(id)) == 0) {
      return notFound("conversation", id);
    }
    return true;
  }));
}

namespace {

// :tenant must be the first placeholder, so updates put their SET values after the filter
// by writing the tenant filter through a sub-select that names it first.
template <typename T>
sdk::Status updateConversation(SqlTenantStorage& self, const sdk::ConversationId& id, const std::string& column,
                               const T& value) {
  auto r = self.scoped<bool>(false, [&](TenantScope& s) -> sdk::Result<bool> {
    if (s.exec("UPDATE conversations SET " + column + " = :v WHERE tenant = :tenant AND id = :i", soci::use(value),
               soci::use(id)) == 0) {
      return notFound("conversation", id);
    }
    return true;
  });
  return asStatus(r);
}

}  // namespace

sdk::Status SqlTenantStorage::setConversationStatus(const sdk::ConversationId& id, sdk::ConversationStatus status) {
  return updateConversation(*this, id, "status", std::string(sdk::toString(status)));
}

sdk::Status SqlTenantStorage::setConversationTags(const sdk::ConversationId& id, const std::vector<std::string>& tags) {
  return updateConversation(*this, id, "tags", encodeList(tags));
}

sdk::Status SqlTenantStorage::setBotPaused(const sdk::ConversationId& id, bool paused) {
  return updateConversation(*this, id, "bot_paused", paused ? 1 : 0);
}

sdk::Status SqlTenantStorage::addConversationNote(const sdk::ConversationId& id, const std::string& author,
                                                  const std::string& note) {
  return asStatus(scoped<bool>(true, [&](TenantScope& s) -> sdk::Result<bool> {
    int n = 0;
    s.queryOne("SELECT COUNT(*) FROM conversations WHERE tenant = :tenant AND id = :i", soci::use(id), soci::into(n));
    if (n == 0) {
      return notFound("conversation", id);
    }
    long long now = nowMs();
    s.exec("INSERT INTO conversation_notes (tenant, conversation_id, author, note, created_at)"
           " VALUES (:tenant, :c, :a, :n, :t)",
           soci::use(id), soci::use(author), soci::use(note), soci::use(now));
    return true;
  }));
}

// ---- Messages ----

sdk::Result<std::vector<sdk::StoredMessage>> SqlTenantStorage::listMessages(const sdk::ConversationId& id, int limit,
                                                                            std::optional<sdk::TimestampMs> beforeMs) {
  using Out = std::vector<sdk::StoredMessage>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    Out out;
    sdk::StoredMessage m;
    std::string direction, kind;
    int automatic = 0;
    long long ts = 0;
    long long before = beforeMs.value_or(std::numeric_limits<long long>::max());
    const long long key = conversationKey(id);
    soci::statement st =
        s.prepare("SELECT id, conversation_id, account, direction, kind, body, network_id, status, automatic, ts"
                  " FROM messages WHERE conversation_key = :k AND tenant = :tenant AND conversation_id = :c"
                  " AND ts < :b ORDER BY conversation_key DESC, ts DESC, seq DESC LIMIT :l",
                  soci::use(key), soci::use(id), soci::use(before), soci::use(limit), soci::into(m.id),
                  soci::into(m.conversation), soci::into(m.account), soci::into(direction), soci::into(kind),
                  soci::into(m.text), soci::into(m.networkId), soci::into(m.status), soci::into(automatic),
                  soci::into(ts));
    if (st.execute(true)) {
      do {
        m.outbound = direction == "out";
        m.kind = messageKindFrom(kind);
        m.automatic = automatic != 0;
        m.timestamp = ts;
        out.push_back(m);
      } while (st.fetch());
    }
    return out;
  });
}

// ---- Agents ----

sdk::Result<std::vector<sdk::Agent>> SqlTenantStorage::listAgents() {
  using Out = std::vector<sdk::Agent>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    return readRows<AgentRow, sdk::Agent>(s, std::string(kAgentColumns) + " WHERE a.tenant = :tenant ORDER BY a.id",
                                          {});
  });
}

sdk::Result<std::optional<sdk::Agent>> SqlTenantStorage::getAgent(const sdk::AgentId& id) {
  using Out = std::optional<sdk::Agent>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    auto rows = readRows<AgentRow, sdk::Agent>(s, std::string(kAgentColumns) + " WHERE a.tenant = :tenant AND a.id = :i",
                                               {id});
    return rows.empty() ? Out() : Out(rows.front());
  });
}

sdk::Result<sdk::Agent> SqlTenantStorage::upsertAgent(const sdk::Agent& agent) {
  if (agent.id.empty()) {
    return sdk::Error::permanent("agents.no_id", "an agent needs an id");
  }
  return scoped<sdk::Agent>(true, [&](TenantScope& s) -> sdk::Result<sdk::Agent> {
    std::string skills = encodeList(agent.skills), languages = encodeList(agent.languages),
                hours = encodeShifts(agent.hours), status = sdk::toString(agent.status);
    s.exec("INSERT INTO agents (tenant, id, name, skills, languages, department, capacity, hours, time_zone, status,"
           " priority) VALUES (:tenant, :i, :n, :s, :l, :d, :c, :h, :z, :st, :p) ON CONFLICT (tenant, id) DO UPDATE"
           " SET name = excluded.name, skills = excluded.skills, languages = excluded.languages,"
           " department = excluded.department, capacity = excluded.capacity, hours = excluded.hours,"
           " time_zone = excluded.time_zone, status = excluded.status, priority = excluded.priority",
           soci::use(agent.id), soci::use(agent.name), soci::use(skills), soci::use(languages),
           soci::use(agent.department), soci::use(agent.capacity), soci::use(hours), soci::use(agent.timeZone),
           soci::use(status), soci::use(agent.priority));
    auto rows = readRows<AgentRow, sdk::Agent>(s, std::string(kAgentColumns) + " WHERE a.tenant = :tenant AND a.id = :i",
                                               {agent.id});
    if (rows.empty()) {
      return notFound("agent", agent.id);
    }
    return rows.front();
  });
}

sdk::Status SqlTenantStorage::setAgentStatus(const sdk::AgentId& id, sdk::AgentStatus status) {
  return asStatus(scoped<bool>(false, [&](TenantScope& s) -> sdk::Result<bool> {
    std::string st = sdk::toString(status);
    if (s.exec("UPDATE agents SET status = :s WHERE tenant = :tenant AND id = :i", soci::use(st), soci::use(id)) == 0) {
      return notFound("agent", id);
    }
    return true;
  }));
}

// ---- Templates ----

sdk::Result<std::optional<sdk::MessageTemplate>> SqlTenantStorage::getTemplate(const std::string& name) {
  using Out = std::optional<sdk::MessageTemplate>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    sdk::MessageTemplate t;
    if (!s.queryOne("SELECT name, language, body, category FROM message_templates WHERE tenant = :tenant AND name = :n",
                    soci::use(name), soci::into(t.name), soci::into(t.language), soci::into(t.body),
                    soci::into(t.category))) {
      return Out();
    }
    return Out(t);
  });
}

sdk::Status SqlTenantStorage::upsertTemplate(const sdk::MessageTemplate& t) {
  if (t.name.empty()) {
    return sdk::Error::permanent("templates.no_name", "a template needs a name");
  }
  return asStatus(scoped<bool>(false, [&](TenantScope& s) -> sdk::Result<bool> {
    long long now = nowMs();
    s.exec("INSERT INTO message_templates (tenant, name, language, body, category, updated_at)"
           " VALUES (:tenant, :n, :l, :b, :c, :u) ON CONFLICT (tenant, name) DO UPDATE SET language = excluded.language,"
           " body = excluded.body, category = excluded.category, updated_at = excluded.updated_at",
           soci::use(t.name), soci::use(t.language), soci::use(t.body), soci::use(t.category), soci::use(now));
    return true;
  }));
}

// ---- Plugin state ----

sdk::Result<std::optional<std::string>> SqlTenantStorage::getState(const std::string& ns, const std::string& key) {
  using Out = std::optional<std::string>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    std::string v;
    if (!s.queryOne("SELECT v FROM plugin_state WHERE tenant = :tenant AND ns = :n AND k = :k", soci::use(ns),
                    soci::use(key), soci::into(v))) {
      return Out();
    }
    return Out(v);
  });
}

sdk::Status SqlTenantStorage::putState(const std::string& ns, const std::string& key, const std::string& value) {
  return asStatus(scoped<bool>(false, [&](TenantScope& s) -> sdk::Result<bool> {
    s.exec("INSERT INTO plugin_state (tenant, ns, k, v) VALUES (:tenant, :n, :k, :v)"
           " ON CONFLICT (tenant, ns, k) DO UPDATE SET v = excluded.v",
           soci::use(ns), soci::use(key), soci::use(value));
    return true;
  }));
}

sdk::Status SqlTenantStorage::deleteState(const std::string& ns, const std::string& key) {
  return asStatus(scoped<bool>(false, [&](TenantScope& s) -> sdk::Result<bool> {
    s.exec("DELETE FROM plugin_state WHERE tenant = :tenant AND ns = :n AND k = :k", soci::use(ns), soci::use(key));
    return true;
  }));
}

sdk::Result<std::vector<std::pair<std::string, std::string>>> SqlTenantStorage::scanState(const std::string& ns,
                                                                                          const std::string& prefix,
                                                                                          int limit) {
  using Out = std::vector<std::pair<std::string, std::string>>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    Out out;
    std::string k, v;
    int len = static_cast<int>(prefix.size());
    soci::statement st = s.prepare("SELECT k, v FROM plugin_state WHERE tenant = :tenant AND ns = :n"
                                   " AND substr(k, 1, :len) = :p ORDER BY k LIMIT :l",
                                   soci::use(ns), soci::use(len), soci::use(prefix), soci::use(limit), soci::into(k),
                                   soci::into(v));
    if (st.execute(true)) {
      do {
        out.emplace_back(k, v);
      } while (st.fetch());
    }
    return out;
  });
}

}  // namespace switchboard::host::storage
