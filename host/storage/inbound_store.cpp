// The "nothing lost" path: one transaction per batch of received messages.

#include <set>
#include <unordered_map>

#include "common/clock.hpp"
#include "storage/account_lock.hpp"
#include "storage/codec.hpp"
#include "storage/phone_number.hpp"
#include "storage/sql_store.hpp"
#include "storage/stable_ids.hpp"

namespace switchboard::host::storage {

namespace {

// Every statement of the inbound path, prepared once per connection.
struct InboundStatements final : PreparedBase {
  // inbound_dedupe
  std::string dTenant, dAccount, dNetworkId, dMessageId, dHash, dFoundId;
  long long dAt = 0, dSeq = 0;
  soci::statement dedupeInsert, dedupeLookup;
  // contacts
  std::string cTenant, cId, cPhone, cJid, cLid, cName, cFound;
  long long cAt = 0;
  soci::statement contactByPhone, contactByAddress, contactInsert;
  // conversations
  std::string vTenant, vId, vAccount, vContact, vPeer, vStatus, vFoundContact;
  long long vAt = 0;
  soci::statement convSelect, convInsert, convReopen, convTouch;
  // messages
  std::string mTenant, mId, mConversation, mAccount, mKind, mBody, mExtra, mNetworkId, mChat, mSender, mSenderName,
      mReplyTo, mTargetId, mReaction;
  int mFromMe = 0, mIsGroup = 0;
  long long mTs = 0, mSeq = 0;
  soci::statement messageInsert;

  explicit InboundStatements(soci::session& sql)
      : dedupeInsert((sql.prepare << "INSERT INTO inbound_dedupe (tenant, account, network_id, message_id,"
                                     " message_seq, ciphertext_hash, created_at) VALUES (:t, :a, :n, :m, :s, :h, :at)"
                                     " ON CONFLICT (tenant, account, network_id) DO NOTHING",
                      soci::use(dTenant), soci::use(dAccount), soci::use(dNetworkId), soci::use(dMessageId),
                      soci::use(dSeq), soci::use(dHash), soci::use(dAt))),
        dedupeLookup((sql.prepare << "SELECT message_id FROM inbound_dedupe WHERE tenant = :t AND account = :a"
                                     " AND network_id = :n",
                      soci::into(dFoundId), soci::use(dTenant), soci::use(dAccount), soci::use(dNetworkId))),
        contactByPhone((sql.prepare << "SELECT id FROM contacts WHERE tenant = :t AND phone = :p ORDER BY created_at, id"
                                       " LIMIT 1",
                        soci::into(cFound), soci::use(cTenant), soci::use(cPhone))),
        contactByAddress((sql.prepare << "SELECT id FROM contacts WHERE tenant = :t AND (jid = :j OR lid = :l)"
                                         " ORDER BY created_at, id LIMIT 1",
                          soci::into(cFound), soci::use(cTenant), soci::use(cJid), soci::use(cLid))),
        contactInsert((sql.prepare << "INSERT INTO contacts (tenant, id, phone, jid, lid, name, created_at, updated_at)"
                                      " VALUES (:t, :i, :p, :j, :l, :n, :c, :u) ON CONFLICT (tenant, id) DO NOTHING",
                       soci::use(cTenant), soci::use(cId), soci::use(cPhone), soci::use(cJid), soci::use(cLid),
                       soci::use(cName), soci::use(cAt), soci::use(cAt))),
        convSelect((sql.prepare << "SELECT status, contact_id FROM conversations WHERE tenant = :t AND id = :i",
                    soci::into(vStatus), soci::into(vFoundContact), soci::use(vTenant), soci::use(vId))),
        convInsert((sql.prepare << "INSERT INTO conversations (tenant, id, account, contact_id, peer, status,"
                                   " created_at, last_message_at) VALUES (:t, :i, :a, :c, :p, 'open', :at, :lm)",
                    soci::use(vTenant), soci::use(vId), soci::use(vAccount), soci::use(vContact), soci::use(vPeer),
                    soci::use(vAt), soci::use(vAt))),
        convReopen((sql.prepare << "UPDATE conversations SET status = 'open', contact_id = :c"
                                   " WHERE tenant = :t AND id = :i",
                    soci::use(vContact), soci::use(vTenant), soci::use(vId))),
        convTouch((sql.prepare << "UPDATE conversations SET last_message_at = :at WHERE tenant = :t AND id = :i"
                                  " AND last_message_at < :at2",
                   soci::use(vAt), soci::use(vTenant), soci::use(vId), soci::use(vAt))),
        messageInsert((sql.prepare << "INSERT INTO messages (tenant, id, conversation_id, account, direction, kind,"
                                      " body, extra, network_id, chat, sender, sender_name, from_me, is_group,"
                                      " reply_to, target_id, reaction, status, automatic, ts) VALUES (:t, :i, :c,"
                                      " :a, 'in', :k, :b, :x, :n, :ch, :s, :sn, :fm, :g, :r, :ti, :re, 'received',"
                                      " 0, :ts) RETURNING seq",
                       soci::use(mTenant), soci::use(mId), soci::use(mConversation), soci::use(mAccount),
                       soci::use(mKind), soci::use(mBody), soci::use(mExtra), soci::use(mNetworkId),
                       soci::use(mChat), soci::use(mSender), soci::use(mSenderName), soci::use(mFromMe),
                       soci::use(mIsGroup), soci::use(mReplyTo), soci::use(mTargetId), soci::use(mReaction),
                       soci::use(mTs), soci::into(mSeq))) {}
};

struct ConversationState {
  std::string contact;
  long long lastMessageAt = 0;
  std::string tenant;
};

// Finds the contact for a network address, creating it on first contact.
std::string resolveContact(InboundStatements& s, const std::string& tenant, const std::string& address,
                           const std::string& name, long long now) {
  s.cTenant = tenant;
  auto phone = phoneFromJid(address);
  const bool isLid = address.find("@lid") != std::string::npos;
  s.cPhone = phone.value_or("");
  s.cJid = isLid ? "" : address;
  s.cLid = isLid ? address : "";
  bool found = phone ? s.contactByPhone.execute(true) : false;
  if (!found) {
    s.cJid = address;
    s.cLid = address;
    found = s.contactByAddress.execute(true);
    s.cJid = isLid ? "" : address;
    s.cLid = isLid ? address : "";
  }
  if (found) {
    return s.cFound;
  }
  s.cId = contactIdFor(tenant, phone ? *phone : address);
  s.cName = name;
  s.cAt = now;
  s.contactInsert.execute(true);
  return s.cId;
}

}  // namespace

sdk::Result<std::vector<InboundStored>> SqlStore::storeInbound(std::vector<InboundWrite>& batch) {
  const KeySealer& sealer = core_->sealer;
  return db().transact<std::vector<InboundStored>>(
      [&](Connection& c) -> sdk::Result<std::vector<InboundStored>> {
        std::set<std::string> accounts;
        for (const auto& w : batch) {
          accounts.insert(w.message.account);
          for (const auto& sw : w.signal) {
            accounts.insert(sw.account);
          }
        }
        lockAccounts(c, accounts);
        auto& s = c.get<InboundStatements>();
        const long long now = nowMs();
        std::vector<InboundStored> out;
        out.reserve(batch.size());
        // Within a batch most messages come from conversations already seen in it: resolve each
        // conversation once and touch its last_message_at once at the end.
        std::unordered_map<std::string, ConversationState> conversations;
        for (auto& w : batch) {
          auto& m = w.message;
          if (m.tenant.empty()) {
            m.tenant = sdk::kDefaultTenant;
          }
          if (m.id.empty()) {
            m.id = inboundMessageIdFor(m.tenant, m.account, m.networkId);
          }
          const std::string peer = m.chat.empty() ? m.sender : m.chat;
          if (m.conversation.empty()) {
            m.conversation = conversationIdFor(m.tenant, m.account, peer);
          }
          InboundStored stored;
          stored.id = m.id;
          stored.conversation = m.conversation;

          s.dTenant = m.tenant;
          s.dAccount = m.account;
          s.dNetworkId = m.networkId;
          if (s.dedupeLookup.execute(true)) {
            // Seen before: report what was stored then, change nothing.
            stored.id = s.dFoundId;
            stored.duplicate = true;
            out.push_back(std::move(stored));
            continue;
          }

          auto it = conversations.find(m.conversation);
          if (it == conversations.end()) {
            // The contact is the other party: the chat peer in a 1:1, the author in a group. A
            // known 1:1 conversation already names its contact, which spares the lookup.
            const std::string address = m.isGroup ? (m.fromMe ? std::string() : m.sender) : peer;
            ConversationState st;
            st.tenant = m.tenant;
            s.vTenant = m.tenant;
            s.vId = m.conversation;
            const bool exists = s.convSelect.execute(true);
            if (exists && !m.isGroup && !s.vFoundContact.empty()) {
              st.contact = s.vFoundContact;
            } else if (!address.empty()) {
              st.contact = resolveContact(s, m.tenant, address, m.fromMe ? std::string() : m.senderName, now);
            }
            s.vTenant = m.tenant;
            s.vId = m.conversation;
            s.vContact = m.isGroup ? std::string() : st.contact;
            if (!exists) {
              s.vAccount = m.account;
              s.vPeer = peer;
              s.vAt = m.timestamp;
              s.convInsert.execute(true);
              stored.newConversation = true;
            } else if (s.vStatus == "closed") {
              if (s.vContact.empty()) {
                s.vContact = s.vFoundContact;
              }
              s.convReopen.execute(true);
              stored.newConversation = true;
            }
            it = conversations.emplace(m.conversation, std::move(st)).first;
          }
          it->second.lastMessageAt = std::max<long long>(it->second.lastMessageAt, m.timestamp);
          stored.contact = it->second.contact;

          s.mTenant = m.tenant;
          s.mId = m.id;
          s.mConversation = m.conversation;
          s.mAccount = m.account;
          s.mKind = sdk::toString(m.kind);
          s.mBody = m.text;
          s.mExtra = encodeExtra(m);
          s.mNetworkId = m.networkId;
          s.mChat = m.chat;
          s.mSender = m.sender;
          s.mSenderName = m.senderName;
          s.mFromMe = m.fromMe ? 1 : 0;
          s.mIsGroup = m.isGroup ? 1 : 0;
          s.mReplyTo = m.replyTo;
          s.mTargetId = m.targetId;
          s.mReaction = m.reaction;
          s.mTs = m.timestamp;
          s.messageInsert.execute(true);
          // Step past the RETURNING row: SQLite cannot commit while a statement is mid-result.
          s.messageInsert.fetch();

          // The dedupe row goes in after the message so it can point at the message's seq. The
          // account lock (PostgreSQL) or the write lock (SQLite) means nobody inserted it since
          // the lookup above; if that ever fails, the whole batch is retried and finds it.
          s.dMessageId = m.id;
          s.dSeq = s.mSeq;
          s.dHash = w.ciphertextHash;
          s.dAt = now;
          s.dedupeInsert.execute(true);
          if (s.dedupeInsert.get_affected_rows() == 0) {
            return sdk::Error::retriable("storage.busy", "message " + m.networkId + " of account " + m.account +
                                                             " was stored concurrently; retry the batch");
          }

          writeSignalRows(c, sealer, w.signal);

          auto& o = w.outbox;
          o.tenant = m.tenant;
          o.account = m.account;
          o.conversation = m.conversation;
          if (o.key.empty()) {
            o.key = m.conversation;
          }
          if (o.ceId.empty()) {
            o.ceId = m.id;
          }
          insertOutboxRow(c, o);
          out.push_back(std::move(stored));
        }
        for (const auto& [id, st] : conversations) {
          s.vTenant = st.tenant;
          s.vId = id;
          s.vAt = st.lastMessageAt;
          s.convTouch.execute(true);
        }
        return out;
      });
}

sdk::Result<std::optional<sdk::InboundMessage>> SqlStore::findByCiphertext(const std::string& account,
                                                                          const std::string& ciphertextHash) {
  using Found = std::optional<sdk::InboundMessage>;
  if (ciphertextHash.empty()) {
    return Found();
  }
  return db().run<Found>([&](Connection& c) -> sdk::Result<Found> {
    sdk::InboundMessage m;
    std::string kind, extra;
    int fromMe = 0, isGroup = 0;
    long long ts = 0;
    c.sql << "SELECT m.tenant, m.id, m.conversation_id, m.account, m.kind, m.body, m.extra, m.network_id, m.chat,"
             " m.sender, m.sender_name, m.from_me, m.is_group, m.reply_to, m.target_id, m.reaction, m.ts"
             " FROM inbound_dedupe d JOIN messages m ON m.seq = d.message_seq"
             " WHERE d.account = :a AND d.ciphertext_hash = :h",
        soci::use(account), soci::use(ciphertextHash), soci::into(m.tenant), soci::into(m.id),
        soci::into(m.conversation), soci::into(m.account), soci::into(kind), soci::into(m.text), soci::into(extra),
        soci::into(m.networkId), soci::into(m.chat), soci::into(m.sender), soci::into(m.senderName),
        soci::into(fromMe), soci::into(isGroup), soci::into(m.replyTo), soci::into(m.targetId),
        soci::into(m.reaction), soci::into(ts);
    if (!c.sql.got_data()) {
      return Found();
    }
    m.kind = messageKindFrom(kind);
    decodeExtra(extra, m);
    m.fromMe = fromMe != 0;
    m.isGroup = isGroup != 0;
    m.timestamp = ts;
    return Found(std::move(m));
  });
}

}  // namespace switchboard::host::storage
