#include "simulator/connection.hpp"

#include <boost/asio/post.hpp>

namespace switchboard::wasim {

Connection::Connection(std::uint64_t id, asio::any_io_executor strand)
    : id_(id), strand_(std::move(strand)), timer_(strand_) {}

void Connection::attach(std::shared_ptr<whatsapp::NoiseSocket> socket, const whatsapp::TokenDictionary* dict) {
  socket_ = std::move(socket);
  dict_ = dict;
  pump();
}

void Connection::send(const Node& node, std::chrono::milliseconds hold) {
  auto frame = wa::encodeFramePayload(node, *dict_);
  if (frame) {
    enqueue(std::move(*frame), false, hold);
  }
}

void Connection::sendAndClose(const Node& node, std::chrono::milliseconds hold) {
  auto frame = wa::encodeFramePayload(node, *dict_);
  enqueue(frame ? std::move(*frame) : Bytes{}, true, hold);
}

void Connection::attachSink(std::function<void(const Bytes&)> sink) {
  asio::post(strand_, [self = shared_from_this(), sink = std::move(sink)]() mutable {
    self->sink_ = std::move(sink);
    self->pump();
  });
}

void Connection::abort() {
  asio::post(strand_, [self = shared_from_this()] {
    self->closed_ = true;
    self->queue_.clear();
    self->timer_.cancel();
    if (auto socket = self->socket_.lock()) {
      socket->abort();
    }
  });
}

void Connection::setDelay(std::chrono::milliseconds delay) { delayMs_ = delay.count(); }

void Connection::enqueue(Bytes frame, bool closeAfter, std::chrono::milliseconds hold) {
  // Without a delay the frame is due at once (no clock read per frame).
  auto extra = std::chrono::milliseconds(delayMs_.load()) + hold;
  auto due = extra.count() > 0 ? std::chrono::steady_clock::now() + extra : std::chrono::steady_clock::time_point{};
  bool post = false;
  {
    std::lock_guard lock(inboxMutex_);
    inbox_.push_back(Outgoing{due, std::move(frame), closeAfter});
    post = !drainPosted_;
    drainPosted_ = true;
  }
  if (post) {
    asio::post(strand_, [self = shared_from_this()] { self->drain(); });
  }
}

void Connection::drain() {
  std::vector<Outgoing> batch;
  {
    std::lock_guard lock(inboxMutex_);
    batch.swap(inbox_);
    drainPosted_ = false;
  }
  if (closed_) {
    return;
  }
  for (auto& o : batch) {
    queue_.push_back(std::move(o));
  }
  pump();
}

void Connection::pump() {
  auto now = std::chrono::steady_clock::now();
  auto socket = socket_.lock();
  while (!queue_.empty() && !closed_ && (socket || sink_)) {
    auto& next = queue_.front();
    if (next.due > now) {
      if (!timerArmed_) {
        timerArmed_ = true;
        timer_.expires_at(next.due);
        timer_.async_wait([self = shared_from_this()](boost::system::error_code) {
          self->timerArmed_ = false;
          self->pump();
        });
      }
      return;
    }
    if (sink_) {
      sink_(next.frame);
    } else if (!next.frame.empty()) {
      socket->send(std::move(next.frame));
    }
    if (next.closeAfter) {
      closed_ = true;
      queue_.clear();
      if (!socket) {
        return;
      }
      // NoiseSocket::send posts its work to this strand; closing from a later post lets the
      // frame reach the WebSocket's write queue before the close does.
      asio::post(strand_, [socket] { socket->close(); });
      return;
    }
    queue_.pop_front();
  }
}

}  // namespace switchboard::wasim
