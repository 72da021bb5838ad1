#include "protocol/noise_socket.hpp"

#include <boost/asio/post.hpp>

namespace switchboard::whatsapp {

NoiseSocket::NoiseSocket(WsConnectionPtr ws, FrameReader::Side side, std::size_t maxFrame, Handlers handlers)
    : ws_(ws), executor_(ws->executor()), reader_(side, maxFrame), handlers_(std::move(handlers)) {}

void NoiseSocket::startClient(WsConnectionPtr ws, ClientConfig config, Handlers handlers,
                              std::function<void(sdk::Result<std::shared_ptr<NoiseSocket>>)> onReady) {
  auto self = std::make_shared<NoiseSocket>(ws, FrameReader::Side::Client, kMaxFrameSize, std::move(handlers));
  auto hs = std::make_shared<NoiseClientHandshake>(config.staticKey, config.root, config.header, config.clock);
  auto ready = std::make_shared<decltype(onReady)>(std::move(onReady));
  auto payload = std::make_shared<Bytes>(std::move(config.clientPayload));
  std::weak_ptr<NoiseSocket> weak = self;
  self->handshakeStep_ = [weak, hs, ready, payload](Bytes frame) {
    auto s = weak.lock();
    if (!s) {
      return;
    }
    auto finish = hs->readServerHello(frame, *payload);
    if (!finish) {
      return s->fail(finish.takeError());
    }
    s->sendRaw(finish->clientFinish, false);
    s->transport_.emplace(std::move(finish->transport));
    s->handshakeStep_ = nullptr;
    s->readyFailure_ = nullptr;
    if (*ready) {
      (*ready)(s);
    }
  };
  self->readyFailure_ = [ready](sdk::Error e) {
    if (*ready) {
      (*ready)(std::move(e));
    }
  };
  self->sendHeader_ = config.header;
  ws->start([weak](Bytes m) {
              if (auto s = weak.lock()) {
                s->onMessage(std::move(m));
              }
            },
            // Holding self here keeps the socket alive for as long as the connection is open.
            [self](sdk::Status st) { self->closed(std::move(st)); });
  asio::post(ws->executor(), [self, hs] { self->sendRaw(hs->clientHello(), true); });
}

void NoiseSocket::startServer(WsConnectionPtr ws, ServerConfig config, Handlers handlers,
                              std::function<void(sdk::Result<Accepted>)> onReady) {
  auto self = std::make_shared<NoiseSocket>(ws, FrameReader::Side::Server, config.maxFrame, std::move(handlers));
  auto ready = std::make_shared<decltype(onReady)>(std::move(onReady));
  auto cfg = std::make_shared<ServerConfig>(std::move(config));
  auto hs = std::make_shared<std::unique_ptr<NoiseServerHandshake>>();
  std::weak_ptr<NoiseSocket> weak = self;
  self->handshakeStep_ = [weak, hs, ready, cfg](Bytes frame) {
    auto s = weak.lock();
    if (!s) {
      return;
    }
    auto failHandshake = [&](sdk::Error err) { s->fail(std::move(err)); };
    if (!*hs) {
      *hs = std::make_unique<NoiseServerHandshake>(cfg->staticKey, cfg->certChain, *s->reader_.header());
      auto hello = (*hs)->readClientHello(frame);
      if (!hello) {
        return failHandshake(hello.takeError());
      }
      s->sendRaw(*hello, false);
      return;
    }
    auto finish = (*hs)->readClientFinish(frame);
    if (!finish) {
      return failHandshake(finish.takeError());
    }
    s->transport_.emplace(std::move(finish->transport));
    s->handshakeStep_ = nullptr;
    s->readyFailure_ = nullptr;
    if (*ready) {
      (*ready)(Accepted{s, finish->clientStatic, std::move(finish->clientPayload), *s->reader_.header()});
    }
  };
  self->readyFailure_ = [ready](sdk::Error e) {
    if (*ready) {
      (*ready)(std::move(e));
    }
  };
  ws->start([weak](Bytes m) {
              if (auto s = weak.lock()) {
                s->onMessage(std::move(m));
              }
            },
            [self](sdk::Status st) { self->closed(std::move(st)); });
}

void NoiseSocket::onMessage(Bytes message) {
  if (finished_) {
    return;
  }
  auto st = reader_.feed(message);
  if (!st) {
    return fail(st.takeError());
  }
  while (auto frame = reader_.next()) {
    onFrame(std::move(*frame));
    if (finished_) {
      return;
    }
  }
  if (reader_.failed()) {
    fail(protocolError("frame.too_large", "a frame exceeds the size limit"));
  }
}

void NoiseSocket::onFrame(Bytes frame) {
  if (handshakeStep_) {
    auto step = handshakeStep_;  // the step may replace itself
    step(std::move(frame));
    return;
  }
  if (!transport_) {
    return fail(protocolError("noise.unexpected", "a frame arrived after the handshake failed"));
  }
  auto plain = transport_->receive.open(frame);
  if (!plain) {
    return fail(plain.takeError());
  }
  if (handlers_.onFrame) {
    handlers_.onFrame(std::move(*plain));
  }
}

void NoiseSocket::sendRaw(const Bytes& payload, bool withHeader) {
  Bytes message;
  if (withHeader && sendHeader_) {
    message.assign(sendHeader_->begin(), sendHeader_->end());
    sendHeader_.reset();
  }
  auto st = appendFrame(message, payload);
  if (!st) {
    return fail(st.takeError());
  }
  if (auto ws = ws_.lock()) {
    ws->send(std::move(message));
  }
}

void NoiseSocket::send(Bytes plaintext) {
  bool post = false;
  {
    std::lock_guard lock(outboxMutex_);
    outbox_.push_back(std::move(plaintext));
    post = !flushPosted_;
    flushPosted_ = true;
  }
  if (post) {
    asio::post(executor_, [self = shared_from_this()] { self->flush(); });
  }
}

void NoiseSocket::flush() {
  std::vector<Bytes> batch;
  {
    std::lock_guard lock(outboxMutex_);
    batch.swap(outbox_);
    flushPosted_ = false;
  }
  if (finished_ || !transport_) {
    return;
  }
  auto ws = ws_.lock();
  // A message grows to about this much before the next one starts, so a burst of large frames
  // does not become one huge allocation (nor exceed a peer's WebSocket message limit).
  constexpr std::size_t kCoalesceLimit = 256u << 10;
  Bytes message;
  auto ship = [&] {
    if (ws && !message.empty()) {
      ws->send(std::move(message));
    }
    message = Bytes();
  };
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Bytes& plain = batch[i];
    const std::size_t sealed = plain.size() + 16;
    if (!message.empty() && message.size() + 3 + sealed > kCoalesceLimit) {
      ship();
    }
    if (message.empty()) {
      // Reserve for this frame and those after it, up to the limit.
      std::size_t want = 0;
      for (std::size_t j = i; j < batch.size() && want < kCoalesceLimit; ++j) {
        want += 3 + batch[j].size() + 16;
      }
      message.reserve(want);
    }
    auto space = appendFrameSpace(message, sealed);
    if (!space) {
      return fail(space.takeError());
    }
    auto st = transport_->send.sealInto(plain, *space);
    if (!st) {
      return fail(st.takeError());
    }
  }
  ship();
}

void NoiseSocket::close() {
  if (auto ws = ws_.lock()) {
    ws->close();
  }
}

void NoiseSocket::abort() {
  if (auto ws = ws_.lock()) {
    ws->abort();
  }
}

void NoiseSocket::closed(sdk::Status status) {
  if (finished_) {
    return;
  }
  finished_ = true;
  handshakeStep_ = nullptr;
  // A connection that ends during the handshake is a failed handshake, whatever the reason; it
  // is reported to onReady only, as onClose belongs to connections that were ready.
  if (auto f = std::move(readyFailure_)) {
    readyFailure_ = nullptr;
    handlers_ = {};
    f(status.ok() ? protocolError("noise.closed", "the peer closed the connection during the handshake")
                  : status.error());
    return;
  }
  // Handlers often hold the socket; dropping them here breaks that cycle once the connection is over.
  auto handlers = std::move(handlers_);
  handlers_ = {};
  if (handlers.onClose) {
    handlers.onClose(std::move(status));
  }
}

void NoiseSocket::fail(sdk::Error error) {
  if (finished_) {
    return;
  }
  closed(std::move(error));
  abort();
}

}  // namespace switchboard::whatsapp
