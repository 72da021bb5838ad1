// Outbound commands: idempotent by (tenant, command id); results update them and queue a record.

#include "common/clock.hpp"
#include "storage/codec.hpp"
#include "storage/command_gate.hpp"
#include "storage/phone_number.hpp"
#include "storage/sql_store.hpp"
#include "storage/stable_ids.hpp"

namespace switchboard::host::storage {

namespace {

// Stages only move forward: a late "delivered" must not overwrite "read".
int rank(const std::string& stage) {
  if (stage == "accepted") return 0;
  if (stage == "sent") return 1;
  if (stage == "delivered") return 2;
  if (stage == "read") return 3;
  if (stage == "failed") return 4;
  return -1;
}

std::string outboundMessageId(const std::string& tenant, const std::string& commandId) {
  return stableId("mo_", {tenant, commandId});
}

std::string peerAddress(const std::string& to) {
  if (to.find('@') != std::string::npos) {
    return to;
  }
  auto phone = normalizePhone(to);
  return phone ? *phone + "@s.whatsapp.net" : to;
}

}  // namespace

sdk::Result<CommandStored> SqlStore::storeCommand(const sdk::OutboundCommand& command, const std::string& raw) {
  if (command.commandId.empty()) {
    return sdk::Error::permanent("storage.no_command_id", "a command needs a command_id (its idempotency key)");
  }
  return db().transact<CommandStored>([&](Connection& c) -> sdk::Result<CommandStored> {
    const std::string tenant = command.tenant.empty() ? sdk::kDefaultTenant : command.tenant;
    const long long now = nowMs();
    const std::string kind = sdk::toString(command.kind);
    const std::string json = encodeCommand(command);
    const std::string raw64 = toBase64(raw);
    soci::statement ins = (c.sql.prepare << "INSERT INTO commands (tenant, command_id, account, kind, status, command,"
                                            " raw, created_at, updated_at) VALUES (:t, :i, :a, :k, 'accepted', :c,"
                                            " :r, :at, :u) ON CONFLICT (tenant, command_id) DO NOTHING",
                           soci::use(tenant), soci::use(command.commandId), soci::use(command.account),
                           soci::use(kind), soci::use(json), soci::use(raw64), soci::use(now), soci::use(now));
    ins.execute(true);
    CommandStored out;
    if (ins.get_affected_rows() == 0) {
      sdk::CommandResult prev;
      std::string status;
      long long updated = 0;
      c.sql << "SELECT account, status, network_id, reason, error_code, updated_at FROM commands"
               " WHERE tenant = :t AND command_id = :i",
          soci::use(tenant), soci::use(command.commandId), soci::into(prev.account), soci::into(status),
          soci::into(prev.networkId), soci::into(prev.reason), soci::into(prev.errorCode), soci::into(updated);
      prev.commandId = command.commandId;
      prev.tenant = tenant;
      prev.stage = resultStageFrom(status);
      prev.timestamp = updated;
      out.previous = prev;
      return out;
    }
    out.inserted = true;
    if (sendsMessage(command.kind)) {
      const std::string id = outboundMessageId(tenant, command.commandId);
      const std::string peer = peerAddress(command.to);
      const std::string conversation =
          command.conversation.empty() ? conversationIdFor(tenant, command.account, peer) : command.conversation;
      const std::string mkind = command.kind == sdk::CommandKind::SendReaction        ? "reaction"
                                : command.kind == sdk::CommandKind::EditMessage   ? "edit"
                                : command.kind == sdk::CommandKind::DeleteMessage ? "delete"
                                : command.kind == sdk::CommandKind::SendMedia && command.media
                                    ? "document"
                                    : "text";
      const int automatic = command.automatic ? 1 : 0;
      const long long ts = command.createdAt != 0 ? command.createdAt : now;
      const long long key = conversationKey(conversation);
      c.sql << "INSERT INTO messages (tenant, id, conversation_id, account, direction, kind, body, chat, reply_to,"
               " target_id, reaction, status, automatic, ts, conversation_key) VALUES (:t, :i, :c, :a, 'out', :k,"
               " :b, :ch, :r, :ti, :re, 'accepted', :au, :ts, :ck)",
          soci::use(tenant), soci::use(id), soci::use(conversation), soci::use(command.account), soci::use(mkind),
          soci::use(command.text), soci::use(peer), soci::use(command.replyTo), soci::use(command.targetId),
          soci::use(command.reaction), soci::use(automatic), soci::use(ts), soci::use(key);
    }
    return out;
  });
}

sdk::Result<std::vector<sdk::OutboundCommand>> SqlStore::pendingCommands(int limit) {
  using Out = std::vector<sdk::OutboundCommand>;
  return db().run<Out>([&](Connection& c) -> sdk::Result<Out> {
    Out out;
    std::string json;
    soci::statement st = (c.sql.prepare << "SELECT command FROM commands WHERE status = 'accepted'"
                                           " ORDER BY created_at, command_id LIMIT :l",
                          soci::into(json), soci::use(limit));
    st.execute();
    while (st.fetch()) {
      auto cmd = decodeCommand(json);
      SB_TRY(cmd);
      out.push_back(std::move(cmd).value());
    }
    return out;
  });
}

sdk::Status SqlStore::recordResult(const sdk::CommandResult& result, const OutboxRecord& record) {
  auto r = db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    const std::string tenant = result.tenant.empty() ? sdk::kDefaultTenant : result.tenant;
    const std::string stage = sdk::toString(result.stage);
    const long long at = result.timestamp != 0 ? result.timestamp : nowMs();
    std::string current;
    c.sql << "SELECT status FROM commands WHERE tenant = :t AND command_id = :i", soci::use(tenant),
        soci::use(result.commandId), soci::into(current);
    if (!c.sql.got_data()) {
      return sdk::Error::permanent("storage.unknown_command",
                                   "no stored command \"" + result.commandId + "\" in tenant \"" + tenant + "\"");
    }
    if (rank(stage) > rank(current)) {
      c.sql << "UPDATE commands SET status = :s, network_id = CASE WHEN :n1 = '' THEN network_id ELSE :n2 END,"
               " reason = :r, error_code = :e, updated_at = :u WHERE tenant = :t AND command_id = :i",
          soci::use(stage), soci::use(result.networkId), soci::use(result.networkId), soci::use(result.reason),
          soci::use(result.errorCode), soci::use(at), soci::use(tenant), soci::use(result.commandId);
      const std::string mid = outboundMessageId(tenant, result.commandId);
      c.sql << "UPDATE messages SET status = :s, network_id = CASE WHEN :n1 = '' THEN network_id ELSE :n2 END"
               " WHERE tenant = :t AND id = :i AND direction = 'out'",
          soci::use(stage), soci::use(result.networkId), soci::use(result.networkId), soci::use(tenant),
          soci::use(mid);
    }
    // The history keeps every stage reported, even one that arrives out of order.
    const std::string mid = outboundMessageId(tenant, result.commandId);
    const std::string detail = result.reason;
    c.sql << "INSERT INTO message_status (tenant, message_id, status, detail, at) VALUES (:t, :m, :s, :d, :a)",
        soci::use(tenant), soci::use(mid), soci::use(stage), soci::use(detail), soci::use(at);
    if (!record.topic.empty()) {
      insertOutboxRow(c, record);
    }
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

}  // namespace switchboard::host::storage
