#pragma once

// The append-only rows of an inbound batch on SQLite (messages and outbox records), written
// RowBuffer::kRows at a time. Prepared once per connection. Internal to host/storage.

#include <string>

#include "storage/codec.hpp"
#include "storage/database.hpp"
#include "storage/store.hpp"
#include "storage/row_buffer.hpp"

namespace switchboard::host::storage {

struct InboundMessageRow {
  std::string tenant, id, conversation, account, kind, body, extra, networkId, chat, sender, senderName, replyTo,
      targetId, reaction, hash;
  int fromMe = 0, isGroup = 0;
  long long ts = 0, seq = 0, conversationKey = 0;
};

struct InboundOutboxRow {
  std::string tenant, topic, key, ceId, ceType, account, conversation, assignee, body;
  int format = 0, attempts = 0;
  long long createdAt = 0;
};

struct InboundRows final : PreparedBase {
  RowBuffer<InboundMessageRow> messages;
  RowBuffer<InboundOutboxRow> outbox;

  explicit InboundRows(Connection& c)
      // cipher_key is 0: redeliveries are found through the dedupe key (schema version 9).
      : messages(c,
                 "INSERT INTO messages (seq, tenant, id, conversation_id, account, direction, kind, body, extra,"
                 " network_id, chat, sender, sender_name, from_me, is_group, reply_to, target_id, reaction, status,"
                 " automatic, ts, ciphertext_hash, cipher_key, conversation_key) VALUES ",
                 "(?, ?, ?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 0, ?, ?, 0, ?)",
                 [](const InboundMessageRow& r) -> std::vector<FastStatement::In> {
                   return {&r.seq,      &r.tenant,   &r.id,      &r.conversation, &r.account, &r.kind,
                           &r.body,     &r.extra,    &r.networkId, &r.chat,      &r.sender,  &r.senderName,
                           &r.fromMe,   &r.isGroup,  &r.replyTo, &r.targetId,    &r.reaction, &r.ts,
                           &r.hash,     &r.conversationKey};
                 }),
        // The same row as insertOutboxRow's (outbox_store.cpp) writes on SQLite.
        outbox(c,
               "INSERT INTO outbox (tenant, topic, msg_key, ce_id, ce_type, account, conversation_id, assignee,"
               " payload, body, body_format, created_at, attempts) VALUES ",
               "(?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)",
               [](const InboundOutboxRow& r) -> std::vector<FastStatement::In> {
                 return {&r.tenant,  &r.topic,        &r.key,      &r.ceId,       &r.ceType,    &r.account,
                         &r.conversation, &r.assignee, BlobIn{&r.body}, &r.format, &r.createdAt, &r.attempts};
               }) {}

  /// Queues the row of a new inbound message (its dedupe row already holds `seq`).
  void addMessage(const sdk::InboundMessage& m, const std::string& ciphertextHash, long long seq,
                  long long conversationKey) {
    auto& r = messages.next();
    r.seq = seq;
    r.tenant = m.tenant;
    r.id = m.id;
    r.conversation = m.conversation;
    r.account = m.account;
    r.kind = sdk::toString(m.kind);
    r.body = m.text;
    r.extra = encodeExtra(m);
    r.networkId = m.networkId;
    r.chat = m.chat;
    r.sender = m.sender;
    r.senderName = m.senderName;
    r.fromMe = m.fromMe ? 1 : 0;
    r.isGroup = m.isGroup ? 1 : 0;
    r.replyTo = m.replyTo;
    r.targetId = m.targetId;
    r.reaction = m.reaction;
    r.ts = m.timestamp;
    r.hash = ciphertextHash;
    r.conversationKey = conversationKey;
    messages.push();
  }

  /// Queues an outbox record; `now` stands in for a creation time it does not carry.
  void addOutbox(const OutboxRecord& o, long long now) {
    auto& r = outbox.next();
    r.tenant = o.tenant.empty() ? sdk::kDefaultTenant : o.tenant;
    r.topic = o.topic;
    r.key = o.key;
    r.ceId = o.ceId;
    r.ceType = o.ceType;
    r.account = o.account;
    r.conversation = o.conversation;
    r.assignee = o.assignee;
    r.body = o.payload;
    r.format = static_cast<int>(o.payloadFormat);
    r.createdAt = o.createdAtMs != 0 ? o.createdAtMs : now;
    r.attempts = o.attempts;
    outbox.push();
  }

  /// Writes what is queued.
  void flush() {
    messages.flush();
    outbox.flush();
  }

  /// Forgets rows of an abandoned transaction.
  void discard() {
    messages.discard();
    outbox.discard();
  }
};

}  // namespace switchboard::host::storage
