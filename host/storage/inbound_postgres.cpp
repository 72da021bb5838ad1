// The inbound path on PostgreSQL: the same rows as the SQLite path, but each table is written
// with one statement per batch (arrays unnested server-side), because there every statement is
// a round trip. Row-by-row work remains only for what is rare: duplicates, new conversations
// and new contacts.

#include <map>
#include <unordered_map>

#include "common/clock.hpp"
#include "storage/codec.hpp"
#include "storage/inbound_postgres.hpp"
#include "storage/inbound_statements.hpp"

namespace switchboard::host::storage {

namespace {

// A PostgreSQL array literal, built value by value.
class PgArray {
 public:
  void add(const std::string& v) {
    sep();
    text_ += '"';
    for (char ch : v) {
      if (ch == '"' || ch == '\\') {
        text_ += '\\';
      }
      text_ += ch;
    }
    text_ += '"';
  }
  void add(long long v) {
    sep();
    text_ += std::to_string(v);
  }
  std::string str() const { return text_ + "}"; }

 private:
  void sep() {
    if (text_.size() > 1) {
      text_ += ',';
    }
  }
  std::string text_ = "{";
};

const char* signalTable(SignalWrite::Table t) {
  switch (t) {
    case SignalWrite::Table::Identity: return "signal_identities";
    case SignalWrite::Table::Session: return "signal_sessions";
    case SignalWrite::Table::PreKey: return "signal_prekeys";
    case SignalWrite::Table::SignedPreKey: return "signal_signed_prekeys";
    case SignalWrite::Table::SenderKey: return "signal_sender_keys";
  }
  return "signal_sessions";
}

}  // namespace

sdk::Result<std::vector<InboundStored>> storeInboundBulk(Connection& c, const KeySealer& sealer,
                                                         std::vector<InboundWrite>& batch) {
  auto& s = c.get<InboundStatements>();
  const long long now = nowMs();
  const std::vector<long long> seqs = reserveMessageSeqs(c, batch.size());
  std::vector<InboundStored> out(batch.size());

  // 1. Dedupe rows, all at once: the ones that come back were new.
  PgArray dT, dA, dN, dS;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& m = batch[i].message;
    if (m.tenant.empty()) {
      m.tenant = sdk::kDefaultTenant;
    }
    if (m.id.empty()) {
      m.id = inboundMessageIdFor(m.tenant, m.account, m.networkId);
    }
    if (m.conversation.empty()) {
      m.conversation = conversationIdFor(m.tenant, m.account, m.chat.empty() ? m.sender : m.chat);
    }
    out[i].id = m.id;
    out[i].conversation = m.conversation;
    dT.add(m.tenant);
    dA.add(m.account);
    dN.add(m.networkId);
    dS.add(seqs[i]);
  }
  std::vector<long long> inserted(std::max<std::size_t>(batch.size(), 1));
  {
    const std::string t = dT.str(), a = dA.str(), n = dN.str(), sq = dS.str();
    soci::statement st =
        (c.sql.prepare << "INSERT INTO inbound_dedupe (tenant, account, network_id, message_seq)"
                          " SELECT u.t, u.a, u.n, u.s FROM unnest(CAST(:t AS text[]), CAST(:a AS text[]),"
                          " CAST(:n AS text[]), CAST(:s AS bigint[])) WITH ORDINALITY AS u(t, a, n, s, o) ORDER BY u.o"
                          " ON CONFLICT (tenant, account, network_id) DO NOTHING RETURNING message_seq",
         soci::into(inserted), soci::use(t), soci::use(a), soci::use(n), soci::use(sq));
    if (!st.execute(true)) {
      inserted.clear();
    }
  }
  std::unordered_map<long long, bool> isNew;
  for (long long q : inserted) {
    isNew[q] = true;
  }

  // 2. Conversations this batch touches: one query for those that exist.
  std::unordered_map<std::string, ConversationState> conversations;
  std::map<std::string, PgArray> idsByTenant;
  std::unordered_map<std::string, std::pair<std::string, std::string>> existing;  // id -> status, contact
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (isNew.count(seqs[i]) != 0) {
      idsByTenant[batch[i].message.tenant].add(batch[i].message.conversation);
    }
  }
  for (const auto& [tenant, ids] : idsByTenant) {
    const std::string idList = ids.str();
    std::string id, status, contact;
    soci::statement st = (c.sql.prepare << "SELECT id, status, contact_id FROM conversations WHERE tenant = :t"
                                           " AND id = ANY(CAST(:ids AS text[]))",
                          soci::into(id), soci::into(status), soci::into(contact), soci::use(tenant),
                          soci::use(idList));
    st.execute();
    while (st.fetch()) {
      existing[id] = {status, contact};
    }
  }

  // 3. Row by row only what is rare; collect the rest column by column.
  PgArray mSq, mT, mI, mC, mA, mK, mB, mX, mN, mCh, mS, mSn, mFm, mG, mR, mTi, mRe, mTs, mH, mHk, mCk;
  PgArray oT, oTp, oK, oCe, oCt, oA, oC, oAs, oP, oF, oAt, oN;
  std::map<std::pair<int, std::pair<std::string, std::string>>, std::optional<std::string>> signal;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& w = batch[i];
    auto& m = w.message;
    auto& stored = out[i];
    if (isNew.count(seqs[i]) == 0) {
      s.dTenant = m.tenant;
      s.dAccount = m.account;
      s.dNetworkId = m.networkId;
      if (s.dedupeLookup.execute()) {
        stored.id = s.dFoundId;
      }
      stored.duplicate = true;
      continue;
    }
    const std::string peer = m.chat.empty() ? m.sender : m.chat;
    auto it = conversations.find(m.conversation);
    if (it == conversations.end()) {
      ConversationState st;
      st.key = conversationKey(m.conversation);
      st.tenant = m.tenant;
      const std::string address = m.isGroup ? (m.fromMe ? std::string() : m.sender) : peer;
      auto found = existing.find(m.conversation);
      const bool exists = found != existing.end();
      if (exists && !m.isGroup && !found->second.second.empty()) {
        st.contact = found->second.second;
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
      } else if (found->second.first == "closed") {
        if (s.vContact.empty()) {
          s.vContact = found->second.second;
        }
        s.convReopen.execute();
        stored.newConversation = true;
      }
      it = conversations.emplace(m.conversation, std::move(st)).first;
    }
    it->second.lastMessageAt = std::max<long long>(it->second.lastMessageAt, m.timestamp);
    stored.contact = it->second.contact;

    mSq.add(seqs[i]);
    mT.add(m.tenant);
    mI.add(m.id);
    mC.add(m.conversation);
    mA.add(m.account);
    mK.add(std::string(sdk::toString(m.kind)));
    mB.add(m.text);
    mX.add(encodeExtra(m));
    mN.add(m.networkId);
    mCh.add(m.chat);
    mS.add(m.sender);
    mSn.add(m.senderName);
    mFm.add(m.fromMe ? 1LL : 0LL);
    mG.add(m.isGroup ? 1LL : 0LL);
    mR.add(m.replyTo);
    mTi.add(m.targetId);
    mRe.add(m.reaction);
    mTs.add(m.timestamp);
    mH.add(w.ciphertextHash);
    mHk.add(0LL);  // cipher_key: unused since schema version 9 (redeliveries go by the dedupe key)
    mCk.add(it->second.key);

    // Later writes to the same Signal row replace earlier ones, as they would row by row.
    for (const auto& sw : w.signal) {
      signal[{static_cast<int>(sw.table), {sw.account, sw.key}}] =
          sw.value ? std::optional<std::string>(sealer.seal(*sw.value)) : std::nullopt;
    }

    if (w.encode) {
      w.outbox = w.encode(m);  // now that the message has its id and conversation
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
    oT.add(o.tenant);
    oTp.add(o.topic);
    oK.add(o.key);
    oCe.add(o.ceId);
    oCt.add(o.ceType);
    oA.add(o.account);
    oC.add(o.conversation);
    oAs.add(o.assignee);
    oP.add(toBase64(o.payload));  // bytes as base64 text, decoded by the server
    oF.add(static_cast<long long>(o.payloadFormat));
    oAt.add(o.createdAtMs != 0 ? o.createdAtMs : now);
    oN.add(static_cast<long long>(o.attempts));
  }
  if (conversations.empty()) {
    return out;  // nothing new
  }

  // 4. The bulk writes.
  {
    const std::string a1 = mSq.str(), a2 = mT.str(), a3 = mI.str(), a4 = mC.str(), a5 = mA.str(), a6 = mK.str(),
                      a7 = mB.str(), a8 = mX.str(), a9 = mN.str(), a10 = mCh.str(), a11 = mS.str(), a12 = mSn.str(),
                      a13 = mFm.str(), a14 = mG.str(), a15 = mR.str(), a16 = mTi.str(), a17 = mRe.str(),
                      a18 = mTs.str(), a19 = mH.str(), a20 = mHk.str(), a21 = mCk.str();
    c.sql << "INSERT INTO messages (seq, tenant, id, conversation_id, account, direction, kind, body, extra,"
             " network_id, chat, sender, sender_name, from_me, is_group, reply_to, target_id, reaction, status,"
             " automatic, ts, ciphertext_hash, cipher_key, conversation_key) SELECT u.sq, u.t, u.i, u.c, u.a, 'in',"
             " u.k, u.b, u.x, u.n, u.ch, u.s, u.sn, u.fm, u.g, u.r, u.ti, u.re, 'received', 0, u.ts, u.h, u.hk, u.ck"
             " FROM unnest(CAST(:sq AS bigint[]), CAST(:t AS text[]),"
             " CAST(:i AS text[]), CAST(:c AS text[]), CAST(:a AS text[]), CAST(:k AS text[]), CAST(:b AS text[]),"
             " CAST(:x AS text[]), CAST(:n AS text[]), CAST(:ch AS text[]), CAST(:s AS text[]),"
             " CAST(:sn AS text[]), CAST(:fm AS int[]), CAST(:g AS int[]), CAST(:r AS text[]),"
             " CAST(:ti AS text[]), CAST(:re AS text[]), CAST(:ts AS bigint[]), CAST(:h AS text[]),"
             " CAST(:hk AS bigint[]), CAST(:ck AS bigint[]))"
             " AS u(sq, t, i, c, a, k, b, x, n, ch, s, sn, fm, g, r, ti, re, ts, h, hk, ck)",
        soci::use(a1), soci::use(a2), soci::use(a3), soci::use(a4), soci::use(a5), soci::use(a6), soci::use(a7),
        soci::use(a8), soci::use(a9), soci::use(a10), soci::use(a11), soci::use(a12), soci::use(a13),
        soci::use(a14), soci::use(a15), soci::use(a16), soci::use(a17), soci::use(a18), soci::use(a19),
        soci::use(a20), soci::use(a21);
  }
  std::map<int, std::pair<PgArray[3], PgArray[2]>> perTable;
  std::map<int, std::pair<bool, bool>> used;
  for (const auto& [key, value] : signal) {
    auto& [upserts, deletes] = perTable[key.first];
    if (value) {
      upserts[0].add(key.second.first);
      upserts[1].add(key.second.second);
      upserts[2].add(*value);
      used[key.first].first = true;
    } else {
      deletes[0].add(key.second.first);
      deletes[1].add(key.second.second);
      used[key.first].second = true;
    }
  }
  for (auto& [table, arrays] : perTable) {
    const std::string name = signalTable(static_cast<SignalWrite::Table>(table));
    if (used[table].first) {
      const std::string a = arrays.first[0].str(), k = arrays.first[1].str(), v = arrays.first[2].str();
      c.sql << "INSERT INTO " + name + " (account, address, sealed) SELECT * FROM unnest(CAST(:a AS text[]),"
                                       " CAST(:k AS text[]), CAST(:v AS text[])) ON CONFLICT (account, address)"
                                       " DO UPDATE SET sealed = excluded.sealed",
          soci::use(a), soci::use(k), soci::use(v);
    }
    if (used[table].second) {
      const std::string a = arrays.second[0].str(), k = arrays.second[1].str();
      c.sql << "DELETE FROM " + name + " WHERE (account, address) IN (SELECT * FROM unnest(CAST(:a AS text[]),"
                                       " CAST(:k AS text[])))",
          soci::use(a), soci::use(k);
    }
  }
  {
    const std::string a1 = oT.str(), a2 = oTp.str(), a3 = oK.str(), a4 = oCe.str(), a5 = oCt.str(), a6 = oA.str(),
                      a7 = oC.str(), a8 = oAs.str(), a9 = oP.str(), a10 = oAt.str(), a11 = oN.str(),
                      a12 = oF.str();
    // In batch order, so seqs follow the messages.
    c.sql << "INSERT INTO outbox (tenant, topic, msg_key, ce_id, ce_type, account, conversation_id, assignee,"
             " payload, body, body_format, created_at, attempts) SELECT u.t, u.tp, u.k, u.ce, u.ct, u.a, u.c,"
             " u.asg, '', decode(u.p, 'base64'), u.f, u.at, u.n"
             " FROM unnest(CAST(:t AS text[]), CAST(:tp AS text[]), CAST(:k AS text[]), CAST(:ce AS text[]),"
             " CAST(:ct AS text[]), CAST(:a AS text[]), CAST(:c AS text[]), CAST(:asg AS text[]),"
             " CAST(:p AS text[]), CAST(:f AS int[]), CAST(:at AS bigint[]), CAST(:n AS int[])) WITH ORDINALITY"
             " AS u(t, tp, k, ce, ct, a, c, asg, p, f, at, n, o) ORDER BY u.o",
        soci::use(a1), soci::use(a2), soci::use(a3), soci::use(a4), soci::use(a5), soci::use(a6), soci::use(a7),
        soci::use(a8), soci::use(a9), soci::use(a12), soci::use(a10), soci::use(a11);
  }
  {
    PgArray t, i, at;
    for (const auto& [id, st] : conversations) {
      t.add(st.tenant);
      i.add(id);
      at.add(st.lastMessageAt);
    }
    const std::string a1 = t.str(), a2 = i.str(), a3 = at.str();
    c.sql << "UPDATE conversations c SET last_message_at = u.at FROM unnest(CAST(:t AS text[]), CAST(:i AS text[]),"
             " CAST(:at AS bigint[])) AS u(t, i, at) WHERE c.tenant = u.t AND c.id = u.i"
             " AND c.last_message_at < u.at",
        soci::use(a1), soci::use(a2), soci::use(a3);
  }
  return out;
}

}  // namespace switchboard::host::storage
