#include "connector/account_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <chrono>

#include "connector/stanza.hpp"
#include "protocol/token_dictionary.hpp"
#include "signal/keys.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"

namespace switchboard::whatsapp::connector {

namespace asio = boost::asio;

namespace {

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

AccountSession::AccountSession(SessionEnvironment& env, AccountSettings account, asio::io_context& io)
    : env_(env),
      account_(std::move(account)),
      strand_(asio::make_strand(io)),
      reconnectTimer_(strand_),
      keepaliveTimer_(strand_),
      iqTimer_(strand_),
      qrTimer_(strand_),
      inboxTimer_(strand_),
      sendTimer_(strand_),
      machine_([this](SessionState from, SessionState to, const std::string& reason) {
        publicState_ = to;
        env_.metrics.transition(from, to);
        env_.logger.info("whatsapp account=" + account_.id + " state=" + std::string(toString(to)) +
                         (reason.empty() ? "" : " reason=\"" + reason + "\""));
        emit("session.state", {{"state", std::string(toString(to))},
                               {"previous", std::string(toString(from))},
                               {"reason", reason}});
      }),
      backoff_(env.settings.reconnect),
      signalStore_(env.storage, account_.id),
      pacer_(env.settings.pacing) {
  env_.metrics.sessionAdded();
}

AccountSession::~AccountSession() { env_.metrics.sessionRemoved(publicState_.load()); }

void AccountSession::start() {
  asio::post(strand_, [self = shared_from_this()] {
    sdk::ConnectorAccount record{self->account_.id, self->account_.tenant, "", "", "new"};
    auto existing = self->env_.storage.loadCredentials(self->account_.id);
    if (existing.ok() && existing.value()) {
      if (auto parsed = DeviceCredentials::parse(*existing.value()); parsed.ok()) {
        record.jid = parsed->jid;
        record.state = parsed->paired() ? "paired" : "new";
      }
    }
    if (auto s = self->env_.storage.putAccount(record); !s.ok()) {
      self->env_.logger.warn("whatsapp account=" + self->account_.id +
                             " not recorded in storage: " + s.error().describe());
    }
    self->connect();
  });
}

void AccountSession::stop(std::function<void()> done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
    self->stopping_ = true;
    self->reconnectTimer_.cancel();
    self->inboxTimer_.cancel();
    if (self->mediaTransfer_) {
      self->mediaTransfer_();  // a download pausing between tries ends now
    }
    if (self->uploadTransfer_) {
      self->uploadTransfer_();
    }
    // Dropped rather than closed politely: the stop must not wait for a server's close frame.
    self->closeSocket(true);
    self->moveTo(SessionState::Stopped, "the connector stops");
    // Sends awaiting the server's ack are not failed: their commands stay pending in storage and
    // go out again after a restart with the same message id, which the server deduplicates.
    self->awaitingAck_.clear();
    self->outbox_.clear();
    self->sendTimer_.cancel();
    if (done) {
      done();
    }
  });
}

void AccountSession::unlinkThenStop(std::function<void()> done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    if (self->stopping_ || self->unlinking_ || !self->socket_ || !self->creds_ ||
        self->machine_.state() != SessionState::Connected) {
      return self->stop(std::move(done));
    }
    self->unlinking_ = true;
    auto once = std::make_shared<std::function<void()>>(std::move(done));
    auto finish = [weak = self->weak_from_this(), once] {
      auto s = weak.lock();
      if (!s || !*once) {
        return;
      }
      auto d = std::move(*once);
      *once = nullptr;
      s->stop(std::move(d));
    };
    const std::string own = Jid::withDevice(self->creds_->user(), self->creds_->device(), kUserServer).toString();
    self->sendIq(iq(self->iqs_.nextId(), "set", "md",
                    {Node("remove-companion-device", {{"jid", own}, {"reason", "user_initiated"}})}),
                 [weak = self->weak_from_this(), finish](sdk::Result<Node> reply) {
                   if (auto s = weak.lock(); s && !reply.ok()) {
                     s->env_.logger.warn("whatsapp account=" + s->account_.id +
                                         " the server did not confirm the device's removal: " +
                                         reply.error().describe());
                   }
                   finish();
                 });
    self->reconnectTimer_.expires_after(std::chrono::seconds(2));  // within the logout call's wait
    self->reconnectTimer_.async_wait([finish](const boost::system::error_code& ec) {
      if (!ec) {
        finish();
      }
    });
  });
}

void AccountSession::resume() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->stopping_ || !self->machine_.terminal()) {
      return;
    }
    self->backoff_.reset();
    self->connect();
  });
}

void AccountSession::moveTo(SessionState to, const std::string& reason) { machine_.moveTo(to, reason); }

void AccountSession::emit(const std::string& type, std::map<std::string, std::string> attributes,
                          const std::string& subject) {
  sdk::Event e;
  e.type = type;
  e.tenant = account_.tenant;
  e.account = account_.id;
  e.subject = subject.empty() ? account_.id : subject;
  e.attributes = std::move(attributes);
  e.timestamp = nowMs();
  env_.inbound.event(e);
}

sdk::Status AccountSession::saveCredentials() {
  return env_.storage.saveCredentials(account_.id, creds_->serialize());
}

PayloadOptions AccountSession::payloadOptions() const {
  PayloadOptions o;
  o.deviceName = env_.settings.deviceName;
  o.pushName = account_.pushName;
  o.reconnect = backoff_.failures() > 0;
  return o;
}

sdk::Result<DeviceCredentials> AccountSession::freshCredentials() {
  DeviceCredentials c = DeviceCredentials::generate();
  signalStore_.setLocalIdentity(LocalIdentity{c.identityKey, c.registrationId}.serialize());
  SignalTransaction txn(signalStore_);
  SignalProtocol protocol(txn);
  auto spk = protocol.generateSignedPreKey(c.signedPreKeyId);
  SB_TRY(spk);
  c.signedPreKeyPub = spk->pub;
  c.signedPreKeySignature = spk->signature;
  SB_TRY(signalStore_.putCommitted(toRecordWrites(txn.changes())));
  return c;
}

void AccountSession::connect() {
  if (stopping_) {
    return;
  }
  if (!creds_) {
    auto stored = env_.storage.loadCredentials(account_.id);
    if (!stored.ok()) {
      moveTo(SessionState::Connecting, "loading credentials");
      return scheduleReconnect("credentials unavailable: " + stored.error().describe());
    }
    if (stored.value()) {
      auto parsed = DeviceCredentials::parse(*stored.value());
      if (!parsed.ok()) {
        // Unreadable credentials cannot become readable by waiting; an operator must decide
        // between restoring them and pairing again.
        moveTo(SessionState::Connecting, "loading credentials");
        return park(parsed.error().describe());
      }
      creds_ = std::move(parsed).value();
    } else {
      auto fresh = freshCredentials();
      if (!fresh.ok()) {
        moveTo(SessionState::Connecting, "generating keys");
        return scheduleReconnect("cannot prepare new device keys: " + fresh.error().describe());
      }
      creds_ = std::move(fresh).value();
    }
    signalStore_.setLocalIdentity(LocalIdentity{creds_->identityKey, creds_->registrationId}.serialize());
  }
  moveTo(SessionState::Connecting, creds_->paired() ? "login" : "registration");
  // Rows may have changed while we were away (another daemon may have run the account).
  signalStore_.forgetCached();

  const std::uint64_t generation = ++generation_;
  Bytes payload = creds_->paired() ? loginPayload(*creds_, payloadOptions())
                                   : registrationPayload(*creds_, payloadOptions());
  WsClientOptions options;
  options.url = env_.settings.serverUrl;
  options.tls = env_.tls;
  options.timeouts.idle = std::chrono::duration_cast<std::chrono::seconds>(env_.settings.keepalive) * 3;
  std::weak_ptr<AccountSession> weak = weak_from_this();
  NoiseSocket::ClientConfig config;
  config.staticKey = creds_->noiseKey;
  config.root = env_.settings.root;
  config.clientPayload = std::move(payload);
  connectWebSocket(strand_, std::move(options),
                   [weak, generation, config = std::move(config)](sdk::Result<WsConnectionPtr> ws) mutable {
                     auto self = weak.lock();
                     if (!self) {
                       return;
                     }
                     asio::dispatch(self->strand_, [self, generation, ws = std::move(ws),
                                                    config = std::move(config)]() mutable {
                       if (generation != self->generation_ || self->stopping_) {
                         if (ws.ok()) {
                           ws.value()->close();
                         }
                         return;
                       }
                       if (!ws.ok()) {
                         return self->connectionLost(ws.error().message);
                       }
                       std::weak_ptr<AccountSession> weak2 = self;
                       NoiseSocket::Handlers handlers;
                       handlers.onFrame = [weak2, generation](Bytes frame) {
                         if (auto s = weak2.lock()) {
                           asio::dispatch(s->strand_, [s, generation, f = std::move(frame)]() mutable {
                             s->onFrame(generation, std::move(f));
                           });
                         }
                       };
                       handlers.onClose = [weak2, generation](sdk::Status st) {
                         if (auto s = weak2.lock()) {
                           asio::dispatch(s->strand_, [s, generation, st]() { s->onClosed(generation, st); });
                         }
                       };
                       NoiseSocket::startClient(ws.value(), std::move(config), std::move(handlers),
                                                [weak2, generation](sdk::Result<std::shared_ptr<NoiseSocket>> r) {
                                                  if (auto s = weak2.lock()) {
                                                    asio::dispatch(s->strand_, [s, generation, r]() {
                                                      s->onSocket(generation, r);
                                                    });
                                                  }
                                                });
                     });
                   });
}

void AccountSession::onSocket(std::uint64_t generation, sdk::Result<std::shared_ptr<NoiseSocket>> socket) {
  if (generation != generation_ || stopping_) {
    if (socket.ok()) {
      socket.value()->close();
    }
    return;
  }
  if (!socket.ok()) {
    return connectionLost("handshake failed: " + socket.error().describe());
  }
  socket_ = socket.value();
}

void AccountSession::onFrame(std::uint64_t generation, Bytes frame) {
  if (generation != generation_ || stopping_) {
    return;
  }
  auto node = decodeFramePayload(frame, TokenDictionary::v3());
  if (!node.ok()) {
    // Authenticated by the transport, yet undecodable: a protocol change or a server bug. The
    // stanza is never acked, so the server keeps it; the rest of the stream goes on.
    env_.metrics.framesRejected.inc();
    env_.logger.warn("whatsapp account=" + account_.id + " undecodable frame: " + node.error().describe());
    return;
  }
  handleNode(node.value());
}

void AccountSession::onClosed(std::uint64_t generation, sdk::Status status) {
  if (generation != generation_ || stopping_) {
    return;
  }
  closeSocket();  // fails the pending iqs: an unlink in progress finishes in its callback
  if (machine_.terminal() || unlinking_) {
    return;
  }
  if (restartNow_) {
    restartNow_ = false;
    if (machine_.state() == SessionState::Connected) {
      moveTo(SessionState::Disconnected, "restart requested by the server");
    }
    return connect();
  }
  connectionLost(status.ok() ? "the server closed the connection" : status.error().message);
}

void AccountSession::closeSocket(bool abort) {
  ++generation_;  // whatever the old connection still reports is stale from now on
  keepaliveTimer_.cancel();
  qrTimer_.cancel();
  iqTimer_.cancel();
  iqs_.failAll(sdk::Error::retriable("whatsapp.disconnected", "the connection ended before the answer"));
  if (socket_) {
    if (abort) {
      socket_->abort();
    } else {
      socket_->close();
    }
    socket_.reset();
  }
  qrRefs_.clear();
  codePairing_.reset();
  requeueUnacknowledged();
  sendBusy_ = false;
  sendTimer_.cancel();
  // Stanzas not yet committed are not acked: the server delivers them again on the next connection.
  inbox_.clear();
  inboxBusy_ = false;
  inboxTimer_.cancel();
  if (mediaTransfer_) {
    mediaTransfer_();  // its message comes again; so does the download
    mediaTransfer_ = nullptr;
  }
}

void AccountSession::connectionLost(const std::string& reason) {
  if (stopping_ || machine_.terminal()) {
    return;
  }
  closeSocket();
  moveTo(SessionState::Disconnected, reason);
  scheduleReconnect(reason);
}

void AccountSession::scheduleReconnect(const std::string& reason) {
  if (stopping_ || machine_.terminal()) {
    return;
  }
  if (backoff_.exhausted()) {
    return park(std::to_string(backoff_.failures()) + " connection attempts in a row failed; last: " + reason);
  }
  const auto wait = backoff_.next();
  env_.logger.info("whatsapp account=" + account_.id + " reconnecting in " + std::to_string(wait.count()) +
                   "ms reason=\"" + reason + "\"");
  reconnectTimer_.expires_after(wait);
  reconnectTimer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || self->stopping_ || self->machine_.terminal()) {
      return;
    }
    self->env_.metrics.reconnects.inc();
    self->connect();
  });
}

void AccountSession::applyVerdict(const ServerVerdict& verdict, const std::string& kind) {
  env_.metrics.serverError(kind, verdict.code);
  env_.logger.warn("whatsapp account=" + account_.id + " " + kind + " code=" + verdict.code + ": " + verdict.reason);
  if (!verdict.event.empty() && verdict.event != "session.logged_out") {
    std::map<std::string, std::string> attrs{{"code", verdict.code}, {"reason", verdict.reason}};
    if (!verdict.expire.empty()) {
      attrs["expire"] = verdict.expire;
    }
    emit(verdict.event, std::move(attrs));
  }
  switch (verdict.action) {
    case ServerVerdict::Action::Reconnect:
      return connectionLost(verdict.reason);
    case ServerVerdict::Action::RestartNow: {
      closeSocket();
      if (machine_.state() == SessionState::Connected) {
        moveTo(SessionState::Disconnected, verdict.reason);
      }
      return connect();
    }
    case ServerVerdict::Action::LogOut:
      return logOut(verdict.reason);
    case ServerVerdict::Action::Park:
      return park(verdict.reason);
  }
}

void AccountSession::logOut(const std::string& reason) {
  closeSocket();
  if (auto s = env_.storage.deleteCredentials(account_.id); !s.ok()) {
    env_.logger.error("whatsapp account=" + account_.id +
                      " logged out, but its credentials could not be deleted: " + s.error().describe());
  }
  creds_.reset();
  (void)env_.storage.putAccount({account_.id, account_.tenant, "", "", "logged_out"});
  emit("session.logged_out", {{"reason", reason}});
  moveTo(SessionState::LoggedOut, reason);
}

void AccountSession::park(const std::string& reason) {
  closeSocket();
  reconnectTimer_.cancel();
  moveTo(SessionState::Parked, reason);
}

void AccountSession::send(const Node& node) {
  if (!socket_) {
    return;
  }
  auto bytes = encodeFramePayload(node, TokenDictionary::v3());
  if (!bytes.ok()) {
    env_.logger.error("whatsapp account=" + account_.id + " cannot encode <" + node.tag +
                      ">: " + bytes.error().describe());
    return;
  }
  socket_->send(std::move(bytes).value());
}

void AccountSession::sendIq(Node iq, IqTracker::Callback callback) {
  std::string id = attrOr(iq, "id");
  if (id.empty()) {
    id = iqs_.nextId();
    iq.setAttr("id", id);
  }
  // A request refused for rate (429) is a signal about the account, whatever the request was.
  auto watched = [weak = weak_from_this(), xmlns = attrOr(iq, "xmlns"), cb = std::move(callback)](
                     sdk::Result<Node> reply) {
    if (!reply.ok() && reply.error().code == "whatsapp.iq.429") {
      if (auto self = weak.lock()) {
        self->env_.metrics.rateLimited.inc();
        self->emit("session.rate_limited", {{"code", "429"}, {"request", xmlns}});
      }
    }
    cb(std::move(reply));
  };
  iqs_.expect(id, IqTracker::Clock::now() + env_.settings.iqTimeout, std::move(watched));
  armIqTimer();
  send(iq);
}

void AccountSession::armIqTimer() {
  auto deadline = iqs_.nextDeadline();
  if (!deadline) {
    return;
  }
  iqTimer_.expires_at(*deadline);
  iqTimer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec) {
      return;
    }
    self->iqs_.expire(IqTracker::Clock::now());
    self->armIqTimer();
  });
}

void AccountSession::scheduleKeepalive() {
  keepaliveTimer_.expires_after(env_.settings.keepalive);
  keepaliveTimer_.async_wait([weak = weak_from_this(), generation = generation_](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || generation != self->generation_ || !self->socket_) {
      return;
    }
    self->sendIq(iq("", "get", "w:p", Node::Children{Node("ping")}),
                 [weak, generation](sdk::Result<Node> reply) {
                   auto s = weak.lock();
                   if (!s || generation != s->generation_) {
                     return;
                   }
                   if (!reply.ok() && reply.error().code == "whatsapp.iq.timeout") {
                     return s->connectionLost("keepalive unanswered");
                   }
                   s->scheduleKeepalive();
                 });
  });
}

void AccountSession::ack(const Node& stanza, const std::string& error) {
  Node a("ack", {{"id", attrOr(stanza, "id")}, {"class", stanza.tag}, {"to", attrOr(stanza, "from")}});
  for (const char* key : {"participant", "recipient"}) {
    if (auto v = stanza.attr(key)) {
      a.setAttr(key, std::string(*v));
    }
  }
  if (stanza.tag != "message") {
    if (auto type = stanza.attr("type")) {
      a.setAttr("type", std::string(*type));
    }
  }
  if (!error.empty()) {
    a.setAttr("error", error);
  }
  send(a);
}

void AccountSession::handleNode(const Node& node) {
  const std::string& tag = node.tag;
  if (tag == "iq") {
    if (!iqs_.resolve(node)) {
      handleIq(node);
    }
    armIqTimer();
  } else if (tag == "success") {
    onSuccess(node);
  } else if ((tag == "failure" || tag == "stream:error") && unlinking_) {
    return;  // the end of the session we asked for: the logout finishes it
  } else if (tag == "failure") {
    applyVerdict(classifyFailure(node), "failure");
  } else if (tag == "stream:error") {
    applyVerdict(classifyStreamError(node), "stream_error");
  } else if (tag == "xmlstreamend") {
    env_.metrics.serverError("stream_end", "xmlstreamend");
    connectionLost("the server ended the stream");
  } else if (tag == "message") {
    queueMessage(node);
  } else if (tag == "receipt") {
    handleReceipt(node);
  } else if (tag == "notification") {
    handleNotification(node);
  } else if (tag == "ack") {
    handleMessageAck(node);
  } else if (tag == "ib") {
    handleIb(node);
  } else if (tag == "call") {
    ack(node);
  } else {
    env_.logger.debug("whatsapp account=" + account_.id + " ignored <" + tag + ">");
  }
}

void AccountSession::handleIq(const Node& node) {
  const std::string type = attrOr(node, "type");
  if (node.child("pair-device") != nullptr && type == "set") {
    return onPairDevice(node);
  }
  if (node.child("pair-success") != nullptr) {
    return onPairSuccess(node);
  }
  if (attrOr(node, "xmlns") == "urn:xmpp:ping" || node.child("ping") != nullptr) {
    return send(iqResult(attrOr(node, "id")));
  }
  env_.logger.debug("whatsapp account=" + account_.id + " unhandled iq: " + node.toString().substr(0, 200));
}

void AccountSession::handleNotification(const Node& node) {
  const std::string type = attrOr(node, "type");
  if (type == "link_code_companion_reg") {
    onLinkCodeNotification(node);
  } else if (type == "encrypt" && node.child("count") != nullptr) {
    checkPreKeys(true);
  } else if (type == "w:gp2") {
    onGroupNotification(node);  // session_group.cpp
  } else if (type == "account_sync" || type == "server_sync" || type == "devices" || type == "picture") {
    // Nothing we keep depends on these yet (device lists are fetched per send).
  }
  ack(node);
}

void AccountSession::handleIb(const Node& node) {
  if (const Node* offline = node.child("offline")) {
    env_.logger.info("whatsapp account=" + account_.id + " offline messages delivered count=" +
                     attrOr(*offline, "count", "0"));
  }
}

}  // namespace switchboard::whatsapp::connector
