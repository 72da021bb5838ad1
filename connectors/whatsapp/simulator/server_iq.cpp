// Iq dispatch: keepalive, passive/active (which releases the offline queue), privacy, props,
// blocklist, and the replies clients wait for; prekeys, usync and groups have files of their own.
#include "simulator/server.hpp"

namespace switchboard::wasim {

void Server::onIq(const std::shared_ptr<Connection>& conn, const Node& iq, Effects& fx) {
  auto id = iq.attr("id");
  if (!id || id->empty() || id->size() > kMaxIdLength) {
    return;  // nothing to answer to
  }
  auto& s = conn->session;
  auto type = attrOr(iq, "type");
  auto xmlns = attrOr(iq, "xmlns");

  if (type == "result" || type == "error") {
    // Answers to our own iqs: pair-device (nothing to do) and pair-success (the countersignature).
    if (s.pairing && *id == s.pairing->iqId) {
      if (type == "result") {
        onPairDeviceSign(conn, iq, fx);
      } else {
        auto phone = s.pairing->phone;
        auto device = s.pairing->device;
        s.pairing.reset();
        fx.events.push_back(SimEvent{SimEvent::Kind::PairingFailed, phone, device, conn->id(),
                                     "the companion refused pair-success: " + iq.toString()});
      }
    }
    return;
  }
  if (type != "get" && type != "set") {
    conn->send(iqError(iq, 400, "bad-request"));
    return;
  }
  if (xmlns == "w:p") {
    conn->send(iqResult(iq));
    return;
  }
  if (s.phase == Session::Phase::Registering) {
    if (xmlns == "md" && iq.child("link_code_companion_reg")) {
      onLinkCodeIq(conn, iq, fx);
    } else {
      conn->send(iqError(iq, 401, "not-authorized"));
    }
    return;
  }
  if (xmlns == "md" && type == "set" && iq.child("remove-companion-device")) {
    // A companion logging itself out: only its own device (the phone removes others).
    const auto jid = Jid::parse(attrOr(*iq.child("remove-companion-device"), "jid"));
    Account* a = world_.account(s.phone);
    if (!jid || jid->user != s.phone || jid->device != s.device || a == nullptr || !a->devices.count(s.device)) {
      conn->send(iqError(iq, 403, "forbidden"));
      return;
    }
    conn->send(iqResult(iq));
    removeDevice(*a, s.device, fx);
    return;
  }
  if (xmlns == "passive") {
    conn->send(iqResult(iq));
    flushOffline(conn);
  } else if (xmlns == "encrypt") {
    onEncryptIq(*conn, iq);
  } else if (xmlns == "usync") {
    onUsyncIq(*conn, iq);
  } else if (xmlns == "w:g2") {
    onGroupIq(*conn, iq);
  } else if (xmlns == "privacy" && type == "get") {
    // "all" for read receipts, or Baileys sends read-self instead of read.
    Node::Children categories;
    for (auto [name, value] : {std::pair{"last", "all"}, {"online", "all"}, {"profile", "all"}, {"status", "all"},
                               {"groupadd", "all"}, {"readreceipts", "all"}, {"calladd", "all"}}) {
      categories.push_back(Node("category", {{"name", name}, {"value", value}}));
    }
    conn->send(iqResult(iq, {parentNode("privacy", {}, std::move(categories))}));
  } else if ((xmlns == "abt" || xmlns == "w") && iq.child("props")) {
    conn->send(iqResult(iq, {Node("props", {{"protocol", attrOr(*iq.child("props"), "protocol", "1")}, {"hash", "sim"}})}));
  } else if (xmlns == "blocklist" && type == "get") {
    conn->send(iqResult(iq, {Node("list")}));
  } else if (xmlns == "w:sync:app:state") {
    // No app-state patches are simulated: every collection asked for is at its version with
    // nothing more to fetch (a reply without a collection makes Baileys ask again forever).
    Node::Children collections;
    if (const Node* sync = iq.child("sync")) {
      for (const Node* c : childrenNamed(*sync, "collection")) {
        collections.push_back(Node("collection", {{"name", attrOr(*c, "name")}, {"version", attrOr(*c, "version", "0")}}));
      }
    }
    conn->send(iqResult(iq, {parentNode("sync", {}, std::move(collections))}));
  } else if (xmlns == "w:m" && iq.child("media_conn")) {
    if (!media_) {
      conn->send(iqError(iq, 501, "feature-not-implemented"));
      return;
    }
    // All four attributes (whatsmeow parses each), one host: our HTTPS endpoint.
    conn->send(iqResult(iq, {parentNode("media_conn",
                                        {{"auth", media_->auth()}, {"ttl", "300"}, {"auth_ttl", "21600"}, {"max_buckets", "12"}},
                                        {Node("host", {{"hostname", media_->host()},
                                                       {"maxContentLengthBytes", std::to_string(media_->maxFileBytes())}})})}));
  } else {
    // Everything else a client may ask (dirty bits, app state, profile pictures, status, tos...)
    // gets an empty result: both reference clients wait for an answer, none needs content.
    conn->send(iqResult(iq));
  }
}

}  // namespace switchboard::wasim
