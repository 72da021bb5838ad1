// The "nothing lost" path: one transaction per batch of received messages.

#include <optional>
#include <set>
#include <unordered_map>

#include "common/clock.hpp"
#include "storage/account_lock.hpp"
#include "storage/codec.hpp"
#include "storage/fast_statement.hpp"
#include "storage/inbound_postgres.hpp"
#include "storage/inbound_rows.hpp"
#include "storage/inbound_statements.hpp"
#include "storage/phone_number.hpp"
#include "storage/sql_store.hpp"
#include "storage/stable_ids.hpp"

namespace switchboard::host::storage {

namespace {
constexpr std::size_t kBulkFrom = 4;
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
        // On PostgreSQL a few messages are cheapest row by row (prepared statements); from a
        // handful on, one statement per table wins.
        if (c.dialect == Dialect::Postgres && batch.size() >= kBulkFrom) {
          return storeInboundBulk(c, sealer, batch);
        }
        auto& s = c.get<InboundStatements>();
        // SQLite: message and outbox rows go in RowBuffer::kRows at a time (PostgreSQL's few
        // messages row by row).
        InboundRows* rows = c.dialect == Dialect::Sqlite ? &c.get<InboundRows>() : nullptr;
        if (rows != nullptr) {
          rows->discard();  // left by a transaction that failed half-way
        }
        const long long now = nowMs();
        std::vector<InboundStored> out;
        out.reserve(batch.size());
        // Within a batch most messages come from conversations already seen in it: resolve each
        // conversation once and touch its last_message_at once at the end.
        std::unordered_map<std::string, ConversationState> conversations;
        const std::vector<long long> seqs = reserveMessageSeqs(c, batch.size());
        SignalBatch signal;
        std::size_t index = 0;
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

          // The dedupe row decides: inserted means new, a conflict means seen before.
          s.dTenant = m.tenant;
          s.dAccount = m.account;
          s.dNetworkId = m.networkId;
          s.dSeq = seqs[index++];
          s.dedupeInsert.execute();
          if (s.dedupeInsert.affected() == 0) {
            // Seen before: report what was stored then, change nothing. Earlier in this batch,
            // perhaps: its message row may still wait in the buffer.
            if (rows != nullptr) {
              rows->messages.flush();
            }
            s.dedupeLookup.execute();
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
            st.key = conversationKey(m.conversation);
            st.tenant = m.tenant;
            s.vTenant = m.tenant;
            s.vId = m.conversation;
            const bool exists = s.convSelect.execute();
            if (exists && !m.isGroup && !s.vFoundContact.empty()) {
              st.contact = s.vFoundContact;
            } else if (!address.empty()) {
              st.contact = resolveContact(s, m.tenant, address, m.fromMe ? std::string() : m.senderName, now,
                                          &stored.newContact);
            }
            s.vTenant = m.tenant;
            s.vId = m.conversation;
            s.vContact = m.isGroup ? std::string() : st.contact;
            if (!exists) {
              s.vAccount = m.account;
              s.vPeer = peer;
              s.vAt = m.timestamp;
              s.convInsert.execute();
              stored.newConversation = true;
            } else if (s.vStatus == "closed") {
              if (s.vContact.empty()) {
                s.vContact = s.vFoundContact;
              }
              s.convReopen.execute();
              stored.newConversation = true;
            }
            it = conversations.emplace(m.conversation, std::move(st)).first;
          }
          it->second.lastMessageAt = std::max<long long>(it->second.lastMessageAt, m.timestamp);
          stored.contact = it->second.contact;

          const long long conversationKey = it->second.key;
          if (rows != nullptr) {
            rows->addMessage(m, w.ciphertextHash, s.dSeq, conversationKey);
          } else {
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
            s.mSeq = s.dSeq;
            s.mHash = w.ciphertextHash;
            s.mCipherKey = 0;  // unused since schema version 9 (redeliveries go by the dedupe key)
            s.mConversationKey = conversationKey;
            s.messageInsert.execute();
          }

          signal.add(w.signal);

          if (w.encode) {
            w.outbox = w.encode(m);
          }
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
          if (rows != nullptr) {
            rows->addOutbox(o, now);
          } else {
            insertOutboxRow(c, o);
          }
          out.push_back(std::move(stored));
        }
        if (rows != nullptr) {
          rows->flush();
        }
        signal.write(c, sealer);
        for (const auto& [id, st] : conversations) {
          s.vTenant = st.tenant;
          s.vId = id;
          s.vAt = st.lastMessageAt;
          s.convTouch.execute();
        }
        return out;
      });
}

namespace {

// How many of the newest messages findByCiphertext searches (about 10-30 ms of scanning).
constexpr long long kRedeliveryWindow = 50000;

#define FOUND_COLUMNS                                                                                          \
  "m.tenant, m.id, m.conversation_id, m.account, m.kind, m.body, m.extra, m.network_id, m.chat, m.sender," \
  " m.sender_name, m.from_me, m.is_group, m.reply_to, m.target_id, m.reaction, m.ts"

// The two ways to find a stored inbound message again, prepared once per connection.
struct InboundLookups final : PreparedBase {
  std::string account, networkId, hash, defaultTenant = sdk::kDefaultTenant;
  sdk::InboundMessage m;
  std::string kind, extra;
  int fromMe = 0, isGroup = 0;
  long long ts = 0;
  long long window = kRedeliveryWindow;
  FastStatement byDedupeKey, byHash;

  explicit InboundLookups(Connection& c)
      // The dedupe key leads with the tenant: the account's own (an account never changes
      // tenant), or the default tenant for an account the host has no record of.
      : byDedupeKey(c,
                    "SELECT " FOUND_COLUMNS " FROM inbound_dedupe d JOIN messages m ON m.seq = d.message_seq"
                    " WHERE d.tenant = COALESCE((SELECT a.tenant FROM accounts a WHERE a.id = :a), :dt)"
                    " AND d.account = :a2 AND d.network_id = :n AND m.ciphertext_hash = :h",
                    {&account, &defaultTenant, &account, &networkId, &hash}, outputs()),
        // No index answers this one since schema version 9, so it scans, newest first, only the
        // last kRedeliveryWindow messages (a range of the seq key): a stanza WhatsApp sends
        // again was stored just before its ack was lost, so among the newest; one older than
        // that is not found, and its next copy is caught by the dedupe key when stored.
        byHash(c,
               "SELECT " FOUND_COLUMNS " FROM messages m WHERE m.seq > (SELECT COALESCE(MAX(seq), 0) FROM messages)"
               " - :w AND m.ciphertext_hash = :h AND m.account = :a AND m.direction = 'in' ORDER BY m.seq DESC"
               " LIMIT 1",
               {&window, &hash, &account}, outputs()) {}

  std::vector<FastStatement::Out> outputs() {
    return {&m.tenant, &m.id,     &m.conversation, &m.account, &kind,       &m.text,     &extra,
            &m.networkId, &m.chat, &m.sender,     &m.senderName, &fromMe, &isGroup, &m.replyTo,
            &m.targetId, &m.reaction, &ts};
  }

  std::optional<sdk::InboundMessage> run(FastStatement& st) {
    m = sdk::InboundMessage();
    if (!st.execute()) {
      return std::nullopt;
    }
    sdk::InboundMessage out = m;
    out.kind = messageKindFrom(kind);
    decodeExtra(extra, out);
    out.fromMe = fromMe != 0;
    out.isGroup = isGroup != 0;
    out.timestamp = ts;
    return out;
  }
};

#undef FOUND_COLUMNS

}  // namespace

sdk::Result<std::optional<sdk::InboundMessage>> SqlStore::findRedelivery(const std::string& account,
                                                                        const std::string& networkId,
                                                                        const std::string& ciphertextHash) {
  using Found = std::optional<sdk::InboundMessage>;
  if (ciphertextHash.empty() || networkId.empty()) {
    return Found();
  }
  return db().run<Found>([&](Connection& c) -> sdk::Result<Found> {
    auto& s = c.get<InboundLookups>();
    s.account = account;
    s.networkId = networkId;
    s.hash = ciphertextHash;
    return s.run(s.byDedupeKey);
  });
}

sdk::Result<std::optional<sdk::InboundMessage>> SqlStore::findByCiphertext(const std::string& account,
                                                                          const std::string& ciphertextHash) {
  using Found = std::optional<sdk::InboundMessage>;
  if (ciphertextHash.empty()) {
    return Found();
  }
  return db().run<Found>([&](Connection& c) -> sdk::Result<Found> {
    auto& s = c.get<InboundLookups>();
    s.account = account;
    s.hash = ciphertextHash;
    return s.run(s.byHash);
  });
}

}  // namespace switchboard::host::storage
