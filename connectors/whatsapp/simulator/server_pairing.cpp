// Linking a companion: pair-device refs (QR), the phone's scan, pair-success and the
// countersignature check, and the pairing-code variant (section 5 of the protocol notes).
#include <boost/asio/steady_timer.hpp>

#include "simulator/base64.hpp"
#include "simulator/link_code.hpp"
#include "simulator/phone.hpp"
#include "simulator/qr_code.hpp"
#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

using Clock = std::chrono::steady_clock;

sdk::Error pairingError(std::string code, std::string what) {
  return sdk::Error::permanent("wasim." + std::move(code), std::move(what));
}

std::string newRef() {
  Bytes random(18);
  whatsapp::randomBytes(random);
  return "2@" + toBase64(random);  // base64 never contains the QR separator ','
}

/// The window in which ref `index` is on the companion's screen, with a little slack on both
/// sides for the time a scan takes to travel.
bool refShowing(const SimulatorOptions& o, std::size_t index, Clock::duration elapsed) {
  constexpr auto slack = std::chrono::seconds(2);
  auto start = index == 0 ? Clock::duration::zero()
                          : Clock::duration(o.qrFirstRefLifetime + o.qrNextRefLifetime * (index - 1));
  auto end = Clock::duration(o.qrFirstRefLifetime + o.qrNextRefLifetime * index);
  return elapsed + slack >= start && elapsed < end + slack;
}

std::optional<std::size_t> currentRef(const SimulatorOptions& o, const Session& s) {
  auto elapsed = Clock::now() - s.refsSentAt;
  for (std::size_t i = 0; i < s.refs.size(); ++i) {
    auto end = Clock::duration(o.qrFirstRefLifetime + o.qrNextRefLifetime * i);
    if (elapsed < end) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace

void Server::beginRegistration(const std::shared_ptr<Connection>& conn, RegistrationPayload reg, Effects& fx) {
  auto& s = conn->session;
  s.phase = Session::Phase::Registering;
  s.registration = std::move(reg);
  Node::Children refs;
  for (int i = 0; i < std::max(1, options_.qrRefs); ++i) {
    s.refs.push_back(newRef());
    refs.push_back(bytesNode("ref", whatsapp::toBytes(s.refs.back())));
  }
  s.pairDeviceIqId = nextStanzaId();
  s.refsSentAt = Clock::now() + options_.firstFrameDelay;
  conn->send(parentNode("iq", {{"from", std::string(kServerJid)}, {"type", "set"}, {"id", s.pairDeviceIqId},
                               {"xmlns", "md"}},
                        Node::Children{parentNode("pair-device", {}, std::move(refs))}),
             options_.firstFrameDelay);
  scheduleRefExpiry(conn);
  fx.events.push_back(SimEvent{SimEvent::Kind::Registering, {}, 0, conn->id(), s.refs.front()});
}

void Server::scheduleRefExpiry(const std::shared_ptr<Connection>& conn) {
  // After the last ref the companion gives up (Baileys closes with 408); the server drops what
  // is left of an abandoned registration shortly after.
  auto lifetime = options_.firstFrameDelay + options_.qrFirstRefLifetime +
                  options_.qrNextRefLifetime * std::max(0, options_.qrRefs - 1) + std::chrono::seconds(5);
  auto timer = std::make_shared<asio::steady_timer>(conn->executor(), lifetime);
  std::weak_ptr<Server> weak = shared_from_this();
  std::weak_ptr<Connection> weakConn = conn;
  timer->async_wait([timer, weak, weakConn](boost::system::error_code ec) {
    auto self = weak.lock();
    auto c = weakConn.lock();
    if (ec || !self || !c) {
      return;
    }
    std::lock_guard lock(self->mutex_);
    auto& s = c->session;
    if (s.phase == Session::Phase::Registering && !s.pairing && !s.linkCode) {
      s.phase = Session::Phase::Closed;
      c->sendAndClose(Node("xmlstreamend"));
    }
  });
}

std::shared_ptr<Connection> Server::registeringConnection(const std::function<bool(const Session&)>& pred) const {
  for (const auto& [id, weak] : connections_) {
    auto c = weak.lock();
    if (c && c->session.phase == Session::Phase::Registering && c->session.registration && pred(c->session)) {
      return c;
    }
  }
  return nullptr;
}

std::vector<PendingPairing> Server::pendingPairings() const {
  std::lock_guard lock(mutex_);
  std::vector<PendingPairing> out;
  for (const auto& [id, weak] : connections_) {
    auto c = weak.lock();
    if (!c || c->session.phase != Session::Phase::Registering || !c->session.registration) {
      continue;
    }
    const auto& s = c->session;
    PendingPairing p;
    p.connection = id;
    if (auto i = currentRef(options_, s)) {
      p.currentRef = s.refs[*i];
    }
    p.noiseKey = s.noiseKey;
    p.identityKey = s.registration->identity;
    if (s.linkCode) {
      p.linkCodePhone = s.linkCode->phone;
    }
    out.push_back(std::move(p));
  }
  return out;
}

sdk::Status Server::scanQr(std::string_view phone, std::string_view qrText) {
  auto qr = parseQrCode(qrText);
  if (!qr) {
    return qr.takeError();
  }
  std::lock_guard lock(mutex_);
  Account* account = world_.account(std::string(phone));
  if (!account) {
    return pairingError("not_found", "no account " + std::string(phone));
  }
  auto conn = registeringConnection([&](const Session& s) {
    return std::find(s.refs.begin(), s.refs.end(), qr->ref) != s.refs.end();
  });
  if (!conn) {
    return pairingError("not_found", "no companion is showing the QR ref " + qr->ref);
  }
  auto& s = conn->session;
  auto index = static_cast<std::size_t>(std::find(s.refs.begin(), s.refs.end(), qr->ref) - s.refs.begin());
  if (!refShowing(options_, index, Clock::now() - s.refsSentAt)) {
    return pairingError("qr_expired", "QR ref " + std::to_string(index + 1) + " of " +
                                          std::to_string(s.refs.size()) + " is not the one on screen now");
  }
  if (qr->noiseKey != s.noiseKey) {
    return pairingError("qr_mismatch", "the QR code's noise key is not the key of the connection it names");
  }
  if (qr->identityKey != s.registration->identity) {
    return pairingError("qr_mismatch", "the QR code's identity key is not the one the companion registered");
  }
  if (s.pairing) {
    return pairingError("busy", "this companion is already being linked");
  }
  sendPairSuccess(conn, *account, qr->advSecret);
  return {};
}

void Server::sendPairSuccess(const std::shared_ptr<Connection>& conn, Account& account, whatsapp::ByteView advSecret) {
  auto& s = conn->session;
  Session::PairingInFlight p;
  p.phone = account.phone;
  p.iqId = nextStanzaId();
  p.device = account.nextDeviceId++;
  auto now = unixNow();
  p.grant = grantDevice(account.primary.identity, account.primary.rawId, account.nextKeyIndex++, now,
                        s.registration->identity, advSecret);
  Node::Children body;
  body.push_back(bytesNode("device-identity", p.grant.hmacContainer, {{"key-index", std::to_string(p.grant.keyIndex)}}));
  body.push_back(Node("platform", {{"name", "android"}}));
  body.push_back(Node("device", {{"jid", account.pnJid(p.device).toString()}, {"lid", account.lidJid(p.device).toString()}}));
  conn->send(parentNode("iq", {{"from", std::string(kServerJid)}, {"type", "set"}, {"id", p.iqId}, {"xmlns", "md"},
                               {"t", std::to_string(now)}},
                        Node::Children{parentNode("pair-success", {}, std::move(body))}));
  s.pairing = std::move(p);
}

void Server::onPairDeviceSign(const std::shared_ptr<Connection>& conn, const Node& iq, Effects& fx) {
  auto& s = conn->session;
  auto p = std::move(*s.pairing);
  s.pairing.reset();
  Account* account = world_.account(p.phone);
  auto refuse = [&](std::string why) {
    s.phase = Session::Phase::Closed;
    conn->sendAndClose(Node("stream:error", {{"code", "401"}}));
    fx.events.push_back(SimEvent{SimEvent::Kind::PairingFailed, p.phone, p.device, conn->id(), std::move(why)});
  };
  if (!account) {
    return refuse("the account was removed during pairing");
  }
  const Node* sign = iq.child("pair-device-sign");
  const Node* identity = sign ? sign->child("device-identity") : nullptr;
  if (!identity || !identity->bytes()) {
    return refuse("pair-device-sign carries no device-identity bytes");
  }
  if (identity->attr("key-index") != std::to_string(p.grant.keyIndex)) {
    return refuse("pair-device-sign names key index " + attrOr(*identity, "key-index") + ", the phone granted " +
                  std::to_string(p.grant.keyIndex));
  }
  auto verified = verifyDeviceSignature(*identity->bytes(), p.grant, account->primary.identity.pub,
                                        s.registration->identity);
  if (!verified) {
    return refuse(verified.error().message);
  }
  const auto& reg = *s.registration;
  Device d;
  d.id = p.device;
  d.keyIndex = p.grant.keyIndex;
  d.noiseKey = s.noiseKey;
  d.registrationId = reg.registrationId;
  d.identity = reg.identity;
  d.signedPreKey = SignedPreKey{reg.signedPreKeyId, reg.signedPreKey, reg.signedPreKeySignature, {}};
  d.signedIdentity = std::move(*verified);
  d.platform = reg.os.empty() ? "unknown" : reg.os;
  d.linkedAt = unixNow();
  auto device = d.id;
  auto keyIndex = d.keyIndex;
  account->devices[device] = std::move(d);
  welcomeCompanion(*account, device, fx);
  notifyDevices(*account, "add", device, keyIndex, fx);
  // The companion reconnects and logs in with its new identity.
  s.phase = Session::Phase::Closed;
  conn->sendAndClose(Node("stream:error", {{"code", "515"}}));
  fx.snapshot = true;
  fx.events.push_back(SimEvent{SimEvent::Kind::Paired, p.phone, p.device, conn->id(), "qr"});
}

void Server::welcomeCompanion(Account& account, std::uint16_t device, Effects&) {
  if (account.primary.agent) {
    account.primary.agent->welcome(device, welcomeMessages(account));
  }
}

void Server::onLinkCodeIq(const std::shared_ptr<Connection>& conn, const Node& iq, Effects& fx) {
  auto& s = conn->session;
  const Node* reg = iq.child("link_code_companion_reg");
  auto stage = reg ? attrOr(*reg, "stage") : std::string();
  if (stage == "companion_hello") {
    auto jid = Jid::parse(attrOr(*reg, "jid"));
    Account* account = jid && jid->server == whatsapp::kUserServer ? world_.account(jid->user) : nullptr;
    if (!account) {
      conn->send(iqError(iq, 404, "item-not-found"));
      return;
    }
    auto wrapped = fixedBytes(reg->child("link_code_pairing_wrapped_companion_ephemeral_pub"), 80);
    auto authKey = fixedBytes(reg->child("companion_server_auth_key_pub"), 32);
    if (!wrapped || !authKey || !std::equal(authKey->begin(), authKey->end(), s.noiseKey.begin())) {
      conn->send(iqError(iq, 400, "bad-request"));
      return;
    }
    Session::LinkCode link;
    link.phone = account->phone;
    link.ref = newRef();
    link.wrappedCompanionEphemeral = std::move(*wrapped);
    auto ref = link.ref;
    s.linkCode = std::move(link);
    conn->send(iqResult(iq, {parentNode("link_code_companion_reg", {},
                                        {bytesNode("link_code_pairing_ref", whatsapp::toBytes(ref))})}));
    return;
  }
  if (stage != "companion_finish") {
    conn->send(iqError(iq, 400, "bad-request"));
    return;
  }
  if (!s.linkCode || !s.linkCode->primaryEphemeral) {
    conn->send(iqError(iq, 400, "the phone has not confirmed a pairing code"));
    return;
  }
  const Bytes* bundle = childBytes(*reg, "link_code_pairing_wrapped_key_bundle");
  auto identity = fixedBytes(reg->child("companion_identity_public"), 32);
  const Bytes* ref = childBytes(*reg, "link_code_pairing_ref");
  const auto& expected = s.registration->identity;
  if (!bundle || !identity || !std::equal(identity->begin(), identity->end(), expected.begin()) || !ref ||
      whatsapp::asChars(*ref) != s.linkCode->ref) {
    conn->send(iqError(iq, 400, "bad-request"));
    return;
  }
  auto link = std::move(*s.linkCode);
  s.linkCode.reset();
  Account* account = world_.account(link.phone);
  if (!account) {
    conn->send(iqError(iq, 404, "item-not-found"));
    return;
  }
  auto advSecret = openLinkCodeBundle(*link.primaryEphemeral, link.companionEphemeral, account->primary.identity,
                                      expected, *bundle);
  if (!advSecret) {
    conn->send(iqError(iq, 401, "not-authorized"));
    s.phase = Session::Phase::Closed;
    conn->sendAndClose(Node("stream:error", {{"code", "401"}}));
    fx.events.push_back(SimEvent{SimEvent::Kind::PairingFailed, link.phone, 0, conn->id(), advSecret.error().message});
    return;
  }
  conn->send(iqResult(iq));
  sendPairSuccess(conn, *account, *advSecret);
}

sdk::Status Server::confirmPairingCode(std::string_view phone, std::string_view code) {
  auto normalized = normalizeLinkCode(code);
  if (!normalized) {
    return normalized.takeError();
  }
  std::uint64_t id = 0;
  Bytes wrapped;
  {
    std::lock_guard lock(mutex_);
    auto conn = registeringConnection([&](const Session& s) {
      return s.linkCode && s.linkCode->phone == phone && !s.linkCode->primaryEphemeral;
    });
    if (!conn) {
      return pairingError("not_found", "no companion asked for a pairing code for " + std::string(phone));
    }
    id = conn->id();
    wrapped = conn->session.linkCode->wrappedCompanionEphemeral;
  }
  // PBKDF2 twice: tens of milliseconds, so outside the lock. A wrong code yields a wrong key
  // here, which shows when the companion's key bundle does not decrypt.
  auto companionEphemeral = unwrapLinkCodeKey(*normalized, wrapped);
  if (!companionEphemeral) {
    return companionEphemeral.takeError();
  }
  auto primaryEphemeral = whatsapp::KeyPair::generate();
  auto wrappedPrimary = wrapLinkCodeKey(*normalized, primaryEphemeral.pub);
  std::lock_guard lock(mutex_);
  auto it = connections_.find(id);
  auto conn = it == connections_.end() ? nullptr : it->second.lock();
  Account* account = world_.account(std::string(phone));
  if (!conn || !account || !conn->session.linkCode || conn->session.linkCode->phone != phone ||
      conn->session.linkCode->primaryEphemeral) {
    return pairingError("not_found", "the companion that asked for a pairing code went away");
  }
  auto& link = *conn->session.linkCode;
  link.companionEphemeral = *companionEphemeral;
  link.primaryEphemeral = primaryEphemeral;
  Node::Children body;
  body.push_back(bytesNode("link_code_pairing_ref", whatsapp::toBytes(link.ref)));
  body.push_back(bytesNode("primary_identity_pub", Bytes(account->primary.identity.pub.begin(),
                                                         account->primary.identity.pub.end())));
  body.push_back(bytesNode("link_code_pairing_wrapped_primary_ephemeral_pub", std::move(wrappedPrimary)));
  conn->send(parentNode("notification", {{"from", std::string(kServerJid)}, {"type", "link_code_companion_reg"},
                                         {"id", nextStanzaId()}, {"t", unixNowText()}},
                        Node::Children{parentNode("link_code_companion_reg", {}, std::move(body))}));
  return {};
}

}  // namespace switchboard::wasim
