#include "simulator/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "protocol/cert_chain.hpp"
#include "simulator/phone.hpp"
#include "simulator/snapshot.hpp"

namespace switchboard::wasim {
namespace {

sdk::Error notFound(std::string what) { return sdk::Error::permanent("wasim.not_found", std::move(what)); }
sdk::Error invalid(std::string what) { return sdk::Error::permanent("wasim.invalid", std::move(what)); }

std::string deviceKey(std::string_view phone, std::uint16_t device) {
  return std::string(phone) + ":" + std::to_string(device);
}

bool validPhone(std::string_view phone) {
  if (phone.size() < 6 || phone.size() > 15 || phone[0] == '0') {
    return false;
  }
  return std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::uint32_t randomBelow(std::uint32_t bound) {
  std::uint32_t v = 0;
  whatsapp::randomBytes({reinterpret_cast<std::uint8_t*>(&v), sizeof v});
  return v % bound;
}

AccountInfo infoOf(const Account& a) {
  return AccountInfo{a.phone, a.lid, a.pushName, a.primary.identity.pub};
}

DeviceInfo infoOf(const Account& a, const Device& d) {
  DeviceInfo info;
  info.device = d.id;
  info.jid = a.pnJid(d.id).toString();
  info.lid = a.lidJid(d.id).toString();
  info.keyIndex = d.keyIndex;
  info.platform = d.platform;
  info.online = !d.live.expired() || !d.connecting.expired();
  info.preKeys = d.preKeys.size();
  info.pending = d.pending.size();
  return info;
}

}  // namespace

Server::Server(asio::any_io_executor executor, SimulatorOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

Server::~Server() = default;

sdk::Result<std::shared_ptr<Server>> Server::start(asio::any_io_executor executor, SimulatorOptions options) {
  std::shared_ptr<Server> server(new Server(std::move(executor), std::move(options)));
  if (!server->options_.stateDir.empty()) {
    auto loaded = loadSnapshot(server->options_.stateDir);
    if (!loaded) {
      return loaded.takeError();
    }
    if (loaded->world) {
      server->world_ = std::move(*loaded->world);
      for (auto& [phone, account] : server->world_.accounts()) {
        SB_TRY(server->attachPhone(account));
      }
    }
    if (loaded->root && !server->options_.rootKey) {
      server->options_.rootKey = loaded->root;
    }
  }
  server->root_ = server->options_.rootKey ? *server->options_.rootKey : whatsapp::KeyPair::generate();
  server->intermediate_ = whatsapp::KeyPair::generate();
  server->leaf_ = whatsapp::KeyPair::generate();
  server->certChain_ = whatsapp::issueCertChain(server->root_, server->intermediate_, server->leaf_.pub, unixNow());
  SB_TRY(server->listen());
  if (server->options_.media) {
    auto media = MediaServer::start(server->executor_, server->options_.listenAddress, server->options_.maxMediaFileBytes);
    if (!media) {
      server->stop();
      return media.takeError();
    }
    server->media_ = std::move(*media);
    if (!server->options_.stateDir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(server->options_.stateDir, ec);
      std::ofstream(std::filesystem::path(server->options_.stateDir) / "media-ca.pem") << server->media_->caPem();
    }
  }
  if (!server->options_.stateDir.empty()) {
    Effects fx;
    fx.snapshot = true;
    server->fire(fx);
  }
  return server;
}

sdk::Status Server::listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.listenAddress, ec);
  if (ec) {
    return invalid("listen address \"" + options_.listenAddress + "\" is not an IP address");
  }
  auto acceptor = whatsapp::WsAcceptor::listen(executor_, {address, options_.port});
  if (!acceptor) {
    return acceptor.takeError();
  }
  acceptor_ = std::move(*acceptor);
  std::weak_ptr<Server> weak = shared_from_this();
  acceptor_->start([weak](whatsapp::WsConnectionPtr ws) {
    if (auto self = weak.lock()) {
      self->onAccept(std::move(ws));
    } else {
      ws->abort();
    }
  });
  return {};
}

std::uint16_t Server::port() const { return acceptor_ ? acceptor_->port() : 0; }

void Server::stop() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      return;
    }
    stopped_ = true;
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) {
        open.push_back(std::move(c));
      }
    }
  }
  if (acceptor_) {
    acceptor_->stop();
  }
  if (media_) {
    media_->stop();
  }
  for (auto& c : open) {
    c->abort();
  }
  if (!options_.stateDir.empty()) {
    Effects fx;
    fx.snapshot = true;
    fire(fx);
  }
}

void Server::onEvent(std::function<void(const SimEvent&)> handler) {
  std::lock_guard lock(eventMutex_);
  eventHandler_ = std::move(handler);
}

void Server::fire(Effects& fx) {
  if (fx.snapshot && !options_.stateDir.empty()) {
    std::string text;
    {
      std::lock_guard lock(mutex_);
      text = snapshotText(world_, root_);
    }
    std::lock_guard lock(eventMutex_);  // also serialises the file writes
    (void)writeSnapshot(options_.stateDir, text);
  }
  if (fx.events.empty()) {
    return;
  }
  std::function<void(const SimEvent&)> handler;
  {
    std::lock_guard lock(eventMutex_);
    handler = eventHandler_;
  }
  if (handler) {
    for (const auto& e : fx.events) {
      handler(e);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Connection lifecycle

void Server::onAccept(whatsapp::WsConnectionPtr ws) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      ws->abort();
      return;
    }
    id = nextConnectionId_++;
  }
  auto conn = std::make_shared<Connection>(id, ws->executor());
  std::weak_ptr<Server> weak = shared_from_this();
  std::weak_ptr<Connection> weakConn = conn;
  whatsapp::NoiseSocket::Handlers handlers;
  handlers.onFrame = [weak, weakConn](Bytes frame) {
    auto self = weak.lock();
    auto c = weakConn.lock();
    if (self && c) {
      self->onFrame(c, frame);
    }
  };
  // The connection lives as long as its socket is open: the socket holds these handlers.
  handlers.onClose = [weak, conn](sdk::Status) {
    if (auto self = weak.lock()) {
      self->onClosed(conn);
    }
  };
  whatsapp::NoiseSocket::ServerConfig config;
  config.staticKey = leaf_;
  config.certChain = certChain_;
  // Clients send small frames (media travels over HTTPS); a 1 MiB cap bounds what one hostile
  // connection can make us buffer.
  config.maxFrame = 1u << 20;
  whatsapp::NoiseSocket::startServer(
      std::move(ws), std::move(config), std::move(handlers),
      [weak, conn](sdk::Result<whatsapp::NoiseSocket::Accepted> accepted) {
        if (auto self = weak.lock()) {
          self->onReady(conn, std::move(accepted));
        }
      });
}

void Server::onReady(const std::shared_ptr<Connection>& conn, sdk::Result<whatsapp::NoiseSocket::Accepted> accepted) {
  if (!accepted) {
    return;  // a failed handshake: the socket is already closed
  }
  const auto* dict = whatsapp::TokenDictionary::forVersion(accepted->header[3]);
  if (!dict) {
    accepted->socket->abort();
    return;
  }
  conn->attach(accepted->socket, dict);
  auto hello = parseClientPayload(accepted->clientPayload);
  Effects fx;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      conn->abort();
      return;
    }
    connections_[conn->id()] = conn;
    conn->session.noiseKey = accepted->clientStatic;
    if (!hello) {
      conn->session.phase = Session::Phase::Closed;
      conn->sendAndClose(Node("failure", {{"reason", "400"}}), options_.firstFrameDelay);
    } else if (auto* login = std::get_if<LoginPayload>(&*hello)) {
      beginLogin(conn, *login, fx);
    } else {
      beginRegistration(conn, std::get<RegistrationPayload>(std::move(*hello)), fx);
    }
  }
  fire(fx);
}

void Server::onFrame(const std::shared_ptr<Connection>& conn, const Bytes& frame) {
  auto node = whatsapp::decodeFramePayload(frame, conn->dict());
  if (!node) {
    std::lock_guard lock(mutex_);
    conn->session.phase = Session::Phase::Closed;
    conn->sendAndClose(Node("stream:error", {{"code", "400"}}, Node::Children{Node("bad-request")}));
    return;
  }
  handleNode(conn, *node);
}

void Server::handleNode(const std::shared_ptr<Connection>& conn, const Node& node) {
  Effects fx;
  {
    std::lock_guard lock(mutex_);
    dispatch(conn, node, fx);
  }
  fire(fx);
}

void Server::onClosed(const std::shared_ptr<Connection>& conn) {
  Effects fx;
  {
    std::lock_guard lock(mutex_);
    connections_.erase(conn->id());
    endSession(conn, fx);
  }
  fire(fx);
}

void Server::endSession(const std::shared_ptr<Connection>& conn, Effects& fx, std::string why) {
  auto& s = conn->session;
  if (s.phase == Session::Phase::LoggedIn) {
    if (Device* d = sessionDevice(*conn)) {
      if (d->live.lock() == conn) {
        d->live.reset();
      }
      if (d->connecting.lock() == conn) {
        d->connecting.reset();
      }
    }
    fx.events.push_back(SimEvent{SimEvent::Kind::Disconnected, s.phone, s.device, conn->id(), std::move(why)});
  }
  s.phase = Session::Phase::Closed;
}

Device* Server::sessionDevice(const Connection& conn, Account** account) {
  Account* a = world_.account(conn.session.phone);
  if (account) {
    *account = a;
  }
  if (!a) {
    return nullptr;
  }
  auto it = a->devices.find(conn.session.device);
  return it == a->devices.end() ? nullptr : &it->second;
}

void Server::beginLogin(const std::shared_ptr<Connection>& conn, const LoginPayload& login, Effects& fx) {
  auto phone = std::to_string(login.username);
  Account* account = world_.account(phone);
  Device* device = nullptr;
  if (account) {
    auto it = account->devices.find(login.device);
    device = it == account->devices.end() ? nullptr : &it->second;
  }
  auto key = deviceKey(phone, login.device);
  int reason = 0;
  std::string why;
  if (!device) {
    reason = 401;
    why = "no companion " + key;
  } else if (device->noiseKey != conn->session.noiseKey) {
    reason = 401;
    why = "companion " + key + " logged in with another noise key";
  } else if (auto f = loginFailures_.find(key); f != loginFailures_.end()) {
    reason = f->second;
    why = "injected failure";
    loginFailures_.erase(f);
  }
  if (reason != 0) {
    conn->session.phase = Session::Phase::Closed;
    conn->sendAndClose(Node("failure", {{"reason", std::to_string(reason)}}), options_.firstFrameDelay);
    fx.events.push_back(SimEvent{SimEvent::Kind::LoginRefused, phone, login.device, conn->id(), why});
    return;
  }
  // One connection per companion: an older one is replaced, as WhatsApp does.
  for (auto* slot : {&device->live, &device->connecting}) {
    if (auto old = slot->lock(); old && old != conn) {
      overlaps_.push_back(LoginOverlap{phone, login.device,
                                       static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                                                      .count()),
                                       old->id(), conn->id()});
      old->sendAndClose(Node("stream:error", {}, Node::Children{Node("conflict", {{"type", "replaced"}})}));
      endSession(old, fx, "replaced");
    }
    slot->reset();
  }
  auto& s = conn->session;
  s.phase = Session::Phase::LoggedIn;
  ++logins_[phone];
  s.phone = phone;
  s.device = login.device;
  device->connecting = conn;
  if (auto d = sendDelays_.find(key); d != sendDelays_.end()) {
    conn->setDelay(d->second);
  }
  if (!login.pushName.empty() && login.pushName.size() <= 256) {
    account->pushName = login.pushName;
  }
  conn->send(Node("success", {{"t", unixNowText()},
                              {"lid", account->lidJid(login.device).toString()},
                              {"props", "27"},
                              {"abprops", "8"},
                              {"location", "sim"},
                              {"creation", std::to_string(account->createdAt)}}),
             options_.firstFrameDelay);
  fx.events.push_back(SimEvent{SimEvent::Kind::Connected, phone, login.device, conn->id(), {}});
}

void Server::flushOffline(const std::shared_ptr<Connection>& conn) {
  auto& s = conn->session;
  if (s.flushed) {
    return;
  }
  Device* d = sessionDevice(*conn);
  if (!d) {
    return;
  }
  s.flushed = true;
  std::size_t index = 0;
  for (const auto& p : d->pending) {
    Node copy = p.node;
    copy.setAttr("offline", std::to_string(index++));
    conn->send(copy);
  }
  conn->send(Node("ib", {{"from", std::string(kServerJid)}},
                  Node::Children{Node("offline", {{"count", std::to_string(index)}})}));
  d->live = conn;
  d->connecting.reset();
}

void Server::dispatch(const std::shared_ptr<Connection>& conn, const Node& node, Effects& fx) {
  auto phase = conn->session.phase;
  if (phase == Session::Phase::Closed || phase == Session::Phase::Handshake) {
    return;
  }
  if (node.tag == "iq") {
    onIq(conn, node, fx);
    return;
  }
  if (phase != Session::Phase::LoggedIn) {
    return;  // a registering companion has nothing else to say
  }
  if (node.tag == "message") {
    onMessage(*conn, node, fx);
  } else if (node.tag == "receipt") {
    onReceipt(*conn, node, fx);
  } else if (node.tag == "ack") {
    onAck(*conn, node);
  } else if (node.tag == "presence") {
    onPresence(*conn, node);
  } else if (node.tag == "chatstate") {
    onChatstate(*conn, node);
  }
  // <ib> (unified_session, offline_batch), <call> and anything unknown: nothing to do.
}

// ---------------------------------------------------------------------------------------------
// API

sdk::Result<AccountInfo> Server::createAccount(std::string_view phone, std::string_view pushName) {
  if (!validPhone(phone)) {
    return invalid("\"" + std::string(phone) + "\" is not a phone number (6 to 15 digits, no leading 0)");
  }
  Effects fx;
  AccountInfo info;
  {
    std::lock_guard lock(mutex_);
    if (world_.account(std::string(phone))) {
      return sdk::Error::permanent("wasim.exists", "account " + std::string(phone) + " already exists");
    }
    Account a;
    a.phone = std::string(phone);
    a.lid = world_.newLid();
    a.pushName = std::string(pushName);
    a.createdAt = unixNow();
    a.primary.identity = whatsapp::KeyPair::generate();
    a.primary.registrationId = 1 + randomBelow(16380);
    a.primary.rawId = 1 + randomBelow(0x7FFFFFFF);
    initPhoneKeys(a.primary);
    SB_TRY(attachPhone(a));
    info = infoOf(world_.addAccount(std::move(a)));
    fx.snapshot = true;
  }
  fire(fx);
  return info;
}

sdk::Status Server::attachPhone(Account& a) {
  auto& primary = a.primary;
  sdk::Result<std::shared_ptr<PhoneAgent>> agent = sdk::Error::fatal("wasim.phone", "no phone");
  if (!primary.restoredSignalRows.empty()) {
    std::vector<std::tuple<whatsapp::SignalTable, std::string, Bytes>> rows;
    for (auto& [table, key, value] : primary.restoredSignalRows) {
      rows.emplace_back(static_cast<whatsapp::SignalTable>(table), std::move(key), std::move(value));
    }
    primary.restoredSignalRows.clear();
    agent = PhoneAgent::restore(executor_, a.phone, rows, primary.restoredNextPreKeyId);
  } else {
    agent = PhoneAgent::create(executor_, a.phone, primary.identity, primary.registrationId, options_.phonePreKeys);
    if (agent) {
      for (const auto& k : (*agent)->initialPreKeys()) {
        primary.preKeys.push_back(PreKey{k.id, k.pub, {}});
      }
    }
  }
  if (!agent) {
    return sdk::Error::fatal("wasim.phone", "the phone of " + a.phone + " has no Signal state: " + agent.error().message);
  }
  const auto& spk = (*agent)->signedPreKey();
  primary.signedPreKey = SignedPreKey{spk.id, spk.pub, spk.signature, {}};
  (*agent)->setHost(std::weak_ptr<PhoneHost>(std::static_pointer_cast<PhoneHost>(shared_from_this())));
  primary.agent = std::move(*agent);
  return {};
}

sdk::Result<AccountInfo> Server::accountInfo(std::string_view phone) const {
  std::lock_guard lock(mutex_);
  const Account* a = world_.account(std::string(phone));
  if (!a) {
    return notFound("no account " + std::string(phone));
  }
  return infoOf(*a);
}

std::vector<AccountInfo> Server::accountInfos() const {
  std::lock_guard lock(mutex_);
  std::vector<AccountInfo> out;
  for (const auto& [phone, a] : world_.accounts()) {
    out.push_back(infoOf(a));
  }
  return out;
}

sdk::Result<std::vector<DeviceInfo>> Server::deviceInfos(std::string_view phone) const {
  std::lock_guard lock(mutex_);
  const Account* a = world_.account(std::string(phone));
  if (!a) {
    return notFound("no account " + std::string(phone));
  }
  std::vector<DeviceInfo> out;
  for (const auto& [id, d] : a->devices) {
    out.push_back(infoOf(*a, d));
  }
  return out;
}

sdk::Result<DeviceInfo> Server::linkDevice(std::string_view phone, const DirectLink& link) {
  Bytes spkData{0x05};
  whatsapp::append(spkData, link.signedPreKey);
  if (!whatsapp::xeddsaVerify(link.identity.pub, spkData, link.signedPreKeySignature)) {
    return invalid("the signed prekey signature does not verify with the identity key");
  }
  Effects fx;
  DeviceInfo info;
  {
    std::lock_guard lock(mutex_);
    Account* a = world_.account(std::string(phone));
    if (!a) {
      return notFound("no account " + std::string(phone));
    }
    if (a->devices.size() >= 64) {
      return invalid("account " + a->phone + " already has 64 companions");
    }
    Device d;
    d.id = a->nextDeviceId++;
    d.keyIndex = a->nextKeyIndex++;
    d.noiseKey = link.noiseKey;
    d.registrationId = link.registrationId;
    d.identity = link.identity.pub;
    d.signedPreKey = SignedPreKey{link.signedPreKeyId, link.signedPreKey, link.signedPreKeySignature, {}};
    d.platform = link.platform;
    d.linkedAt = unixNow();
    Bytes secret(32);
    whatsapp::randomBytes(secret);
    auto grant = grantDevice(a->primary.identity, a->primary.rawId, d.keyIndex, d.linkedAt, d.identity, secret);
    auto signedIdentity = verifyDeviceSignature(countersignGrant(grant, link.identity, a->primary.identity.pub),
                                                grant, a->primary.identity.pub, d.identity);
    if (!signedIdentity) {
      return signedIdentity.takeError();
    }
    d.signedIdentity = std::move(*signedIdentity);
    auto& stored = a->devices[d.id] = std::move(d);
    welcomeCompanion(*a, stored.id, fx);
    notifyDevices(*a, "add", stored.id, stored.keyIndex, fx);
    info = infoOf(*a, stored);
    fx.snapshot = true;
    fx.events.push_back(SimEvent{SimEvent::Kind::Paired, a->phone, stored.id, 0, "direct"});
  }
  fire(fx);
  return info;
}

sdk::Status Server::unlinkDevice(std::string_view phone, std::uint16_t device) {
  Effects fx;
  {
    std::lock_guard lock(mutex_);
    Account* a = world_.account(std::string(phone));
    if (!a || !a->devices.count(device)) {
      return notFound("no companion " + deviceKey(phone, device));
    }
    removeDevice(*a, device, fx);
  }
  fire(fx);
  return {};
}

void Server::removeDevice(Account& a, std::uint16_t device, Effects& fx) {
  auto& d = a.devices[device];
  for (auto* slot : {&d.live, &d.connecting}) {
    if (auto c = slot->lock()) {
      c->sendAndClose(Node("stream:error", {{"code", "401"}},
                           Node::Children{Node("conflict", {{"type", "device_removed"}})}));
      endSession(c, fx, "device_removed");
    }
  }
  a.devices.erase(device);
  notifyDevices(a, "remove", device, 0, fx);
  fx.events.push_back(SimEvent{SimEvent::Kind::Unlinked, a.phone, device, 0, "device_removed"});
  fx.snapshot = true;
}

sdk::Result<std::vector<PhoneMessage>> Server::phoneInbox(std::string_view phone) const {
  std::lock_guard lock(mutex_);
  const Account* a = world_.account(std::string(phone));
  if (!a) {
    return notFound("no account " + std::string(phone));
  }
  std::vector<PhoneMessage> out;
  for (const auto& e : a->primary.inbox) {
    out.push_back(PhoneMessage{e.id, e.from, e.participant, e.type, e.encType, e.ciphertext, e.text, e.error, e.t});
  }
  return out;
}

sdk::Status Server::injectFault(std::string_view phone, std::uint16_t device, StreamFault fault) {
  Effects fx;
  {
    std::lock_guard lock(mutex_);
    auto st = injectFaultLocked(phone, device, fault, fx);
    if (!st) {
      return st;
    }
  }
  fire(fx);
  return {};
}

sdk::Status Server::injectFaultLocked(std::string_view phone, std::uint16_t device, const StreamFault& fault,
                                      Effects& fx) {
  Account* a = world_.account(std::string(phone));
  if (!a || !a->devices.count(device)) {
    return notFound("no companion " + deviceKey(phone, device));
  }
  auto& d = a->devices[device];
  auto conn = d.live.lock();
  if (!conn) {
    conn = d.connecting.lock();
  }
  if (!conn) {
    return sdk::Error::permanent("wasim.offline", "companion " + deviceKey(phone, device) + " is not connected");
  }
  switch (fault.kind) {
    case StreamFault::Kind::Drop:
      conn->abort();
      break;
    case StreamFault::Kind::Close:
      conn->sendAndClose(Node("xmlstreamend"));
      break;
    case StreamFault::Kind::StreamError: {
      Node err("stream:error", {{"code", std::to_string(fault.code)}});
      if (!fault.conflict.empty()) {
        err.content = Node::Children{Node("conflict", {{"type", fault.conflict}})};
      }
      conn->sendAndClose(err);
      break;
    }
    case StreamFault::Kind::Failure:
      conn->sendAndClose(Node("failure", {{"reason", std::to_string(fault.code)}}));
      break;
  }
  endSession(conn, fx, "injected fault");
  return {};
}

sdk::Status Server::setSendDelay(std::string_view phone, std::uint16_t device, std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  Account* a = world_.account(std::string(phone));
  if (!a || !a->devices.count(device)) {
    return notFound("no companion " + deviceKey(phone, device));
  }
  sendDelays_[deviceKey(phone, device)] = delay;
  auto& d = a->devices[device];
  for (auto* slot : {&d.live, &d.connecting}) {
    if (auto c = slot->lock()) {
      c->setDelay(delay);
    }
  }
  return {};
}

sdk::Status Server::failNextLogin(std::string_view phone, std::uint16_t device, int reason) {
  if (reason < 400 || reason > 599) {
    return invalid("a login failure reason is a 4xx or 5xx code");
  }
  std::lock_guard lock(mutex_);
  loginFailures_[deviceKey(phone, device)] = reason;
  return {};
}

std::shared_ptr<Connection> Server::attachDetached(asio::any_io_executor strand, std::string_view phone,
                                                   std::uint16_t device) {
  std::lock_guard lock(mutex_);
  auto conn = std::make_shared<Connection>(nextConnectionId_++, std::move(strand));
  connections_[conn->id()] = conn;
  Account* a = world_.account(std::string(phone));
  if (device == 0 || !a || !a->devices.count(device)) {
    conn->session.phase = Session::Phase::Registering;
    conn->session.registration = RegistrationPayload{};
    return conn;
  }
  conn->session.phase = Session::Phase::LoggedIn;
  conn->session.phone = std::string(phone);
  conn->session.device = device;
  conn->session.noiseKey = a->devices[device].noiseKey;
  a->devices[device].live = conn;
  conn->session.flushed = true;
  return conn;
}

std::vector<LoginOverlap> Server::loginOverlaps() const {
  std::lock_guard lock(mutex_);
  return overlaps_;
}

std::map<std::string, std::uint64_t> Server::loginCounts() const {
  std::lock_guard lock(mutex_);
  return logins_;
}

}  // namespace switchboard::wasim
