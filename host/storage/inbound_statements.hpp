#pragma once

// Statements and helpers the inbound path shares between its SQLite (row by row, native) and its
// PostgreSQL (bulk, few round trips) forms. Internal to host/storage.

#include <string>
#include <vector>

#include "storage/database.hpp"
#include "storage/fast_statement.hpp"
#include "storage/phone_number.hpp"
#include "storage/stable_ids.hpp"

namespace switchboard::host::storage {

// Every statement of the inbound path, prepared once per connection.
struct InboundStatements final : PreparedBase {
  // inbound_dedupe
  std::string dTenant, dAccount, dNetworkId, dFoundId;
  long long dSeq = 0;
  // contacts
  std::string cTenant, cId, cPhone, cJid, cLid, cName, cFound;
  long long cAt = 0;
  // conversations
  std::string vTenant, vId, vAccount, vContact, vPeer, vStatus, vFoundContact;
  long long vAt = 0;
  // messages
  std::string mTenant, mId, mConversation, mAccount, mKind, mBody, mExtra, mNetworkId, mChat, mSender, mSenderName,
      mReplyTo, mTargetId, mReaction, mHash;
  int mFromMe = 0, mIsGroup = 0;
  long long mTs = 0, mSeq = 0, mCipherKey = 0, mConversationKey = 0;

  FastStatement dedupeInsert, dedupeLookup, contactByPhone, contactByAddress, contactInsert, convSelect, convInsert,
      convReopen, convTouch, messageInsert;

  explicit InboundStatements(Connection& c)
      : dedupeInsert(c,
                     "INSERT INTO inbound_dedupe (tenant, account, network_id, message_seq) VALUES (:t, :a, :n, :s)"
                     " ON CONFLICT (tenant, account, network_id) DO NOTHING",
                     {&dTenant, &dAccount, &dNetworkId, &dSeq}),
        dedupeLookup(c,
                     "SELECT m.id FROM inbound_dedupe d JOIN messages m ON m.seq = d.message_seq"
                     " WHERE d.tenant = :t AND d.account = :a AND d.network_id = :n",
                     {&dTenant, &dAccount, &dNetworkId}, {&dFoundId}),
        contactByPhone(c, "SELECT id FROM contacts WHERE tenant = :t AND phone = :p ORDER BY created_at, id LIMIT 1",
                       {&cTenant, &cPhone}, {&cFound}),
        // Two index searches: with "jid = :j OR lid = :l" SQLite walked the tenant's whole
        // contacts_lid range (most contacts have no lid), one scan of every contact per new
        // conversation.
        contactByAddress(c,
                         "SELECT id FROM (SELECT id, created_at FROM contacts WHERE tenant = :t AND jid = :j"
                         " UNION ALL SELECT id, created_at FROM contacts WHERE tenant = :t2 AND lid = :l) u"
                         " ORDER BY created_at, id LIMIT 1",
                         {&cTenant, &cJid, &cTenant, &cLid}, {&cFound}),
        contactInsert(c,
                      "INSERT INTO contacts (tenant, id, phone, jid, lid, name, created_at, updated_at)"
                      " VALUES (:t, :i, :p, :j, :l, :n, :c, :u) ON CONFLICT (tenant, id) DO NOTHING",
                      {&cTenant, &cId, &cPhone, &cJid, &cLid, &cName, &cAt, &cAt}),
        convSelect(c, "SELECT status, contact_id FROM conversations WHERE tenant = :t AND id = :i", {&vTenant, &vId},
                   {&vStatus, &vFoundContact}),
        convInsert(c,
                   "INSERT INTO conversations (tenant, id, account, contact_id, peer, status, created_at,"
                   " last_message_at) VALUES (:t, :i, :a, :c, :p, 'open', :at, :lm)",
                   {&vTenant, &vId, &vAccount, &vContact, &vPeer, &vAt, &vAt}),
        convReopen(c, "UPDATE conversations SET status = 'open', contact_id = :c WHERE tenant = :t AND id = :i",
                   {&vContact, &vTenant, &vId}),
        convTouch(c,
                  "UPDATE conversations SET last_message_at = :at WHERE tenant = :t AND id = :i"
                  " AND last_message_at < :at2",
                  {&vAt, &vTenant, &vId, &vAt}),
        messageInsert(c,
                      "INSERT INTO messages (seq, tenant, id, conversation_id, account, direction, kind, body, extra,"
                      " network_id, chat, sender, sender_name, from_me, is_group, reply_to, target_id, reaction,"
                      " status, automatic, ts, ciphertext_hash, cipher_key, conversation_key) VALUES (:sq, :t, :i, :c,"
                      " :a, 'in', :k, :b, :x, :n, :ch, :s, :sn, :fm, :g, :r, :ti, :re, 'received', 0, :ts, :h, :hk, :ck)",
                      {&mSeq, &mTenant, &mId, &mConversation, &mAccount, &mKind, &mBody, &mExtra, &mNetworkId,
                       &mChat, &mSender, &mSenderName, &mFromMe, &mIsGroup, &mReplyTo, &mTargetId, &mReaction,
                       &mTs, &mHash, &mCipherKey, &mConversationKey}) {}
};

// The highest message seq, prepared once (a SOCI one-off statement is parsed again each batch).
struct MessageSeqMax final : PreparedBase {
  long long max = 0;
  FastStatement st;
  explicit MessageSeqMax(Connection& c) : st(c, "SELECT COALESCE(MAX(seq), 0) FROM messages", {}, {&max}) {}
};

// Message seqs for a batch, taken before the rows so the dedupe row can point at its message.
// SQLite: we hold the write lock (BEGIN IMMEDIATE), so MAX(seq) + i is ours. PostgreSQL: one
// round trip draws them all from the column's sequence.
inline std::vector<long long> reserveMessageSeqs(Connection& c, std::size_t n) {
  std::vector<long long> seqs;
  if (n == 0) {
    return seqs;
  }
  if (c.dialect == Dialect::Sqlite) {
    auto& s = c.get<MessageSeqMax>();
    s.st.execute();
    const long long base = s.max;
    for (std::size_t i = 1; i <= n; ++i) {
      seqs.push_back(base + static_cast<long long>(i));
    }
    return seqs;
  }
  seqs.resize(n);
  const long long count = static_cast<long long>(n);
  c.sql << "SELECT nextval(pg_get_serial_sequence('messages', 'seq')) FROM generate_series(1, :n)", soci::into(seqs),
      soci::use(count);
  return seqs;
}

struct ConversationState {
  std::string contact;
  long long lastMessageAt = 0;
  long long key = 0;  // conversationKey(id), computed once per batch
  std::string tenant;
};

// Finds the contact for a network address, creating it on first contact (`*created` says so).
inline std::string resolveContact(InboundStatements& s, const std::string& tenant, const std::string& address,
                           const std::string& name, long long now, bool* created = nullptr) {
  s.cTenant = tenant;
  auto phone = phoneFromJid(address);
  const bool isLid = address.find("@lid") != std::string::npos;
  s.cPhone = phone.value_or("");
  s.cJid = isLid ? "" : address;
  s.cLid = isLid ? address : "";
  bool found = phone ? s.contactByPhone.execute() : false;
  if (!found) {
    s.cJid = address;
    s.cLid = address;
    found = s.contactByAddress.execute();
    s.cJid = isLid ? "" : address;
    s.cLid = isLid ? address : "";
  }
  if (found) {
    return s.cFound;
  }
  s.cId = contactIdFor(tenant, phone ? *phone : address);
  s.cName = name;
  s.cAt = now;
  s.contactInsert.execute();
  if (created != nullptr) {
    *created = true;
  }
  return s.cId;
}

}  // namespace switchboard::host::storage
