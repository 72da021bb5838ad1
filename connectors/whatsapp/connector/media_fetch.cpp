#include "connector/media_fetch.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace switchboard::whatsapp::connector {

namespace asio = boost::asio;

FetchVerdict classifyFetch(const sdk::Result<sdk::HttpReply>& reply) {
  if (!reply.ok()) {
    return reply.error().isRetriable() ? FetchVerdict::Transient : FetchVerdict::Definite;
  }
  const unsigned s = reply->status;
  if (s >= 200 && s < 300) {
    return FetchVerdict::Success;
  }
  if (s >= 500 || s == 408 || s == 429) {
    return FetchVerdict::Transient;
  }
  return FetchVerdict::Definite;
}

std::chrono::milliseconds fetchPause(const FetchPolicy& policy, int round) {
  if (round <= 0) {
    return std::chrono::milliseconds(0);
  }
  auto pause = policy.firstPause;
  for (int i = 1; i < round && pause < policy.maxPause; ++i) {
    pause *= 2;
  }
  return std::min(pause, policy.maxPause);
}

namespace {

// One transfer in progress; keeps itself alive through the callbacks it hands out.
struct Fetch : std::enable_shared_from_this<Fetch> {
  Fetch(asio::any_io_executor ex, std::shared_ptr<sdk::HttpClient> c, std::vector<std::string> u, sdk::HttpCall h,
        FetchPolicy p, std::atomic<int>* n, std::function<void(FetchOutcome)> d)
      : executor(std::move(ex)),
        inFlight(n),
        client(std::move(c)),
        urls(std::move(u)),
        call(std::move(h)),
        policy(p),
        done(std::move(d)),
        timer(executor) {}

  void next() {
    if (cancelled) {
      last = sdk::Error::retriable("whatsapp.media.cancelled", "the transfer was cancelled (the session stopped)");
      return finish();
    }
    if (index == urls.size()) {
      // A round is over. Only transient failures earn another one.
      if (!anyTransient || round + 1 >= policy.rounds) {
        return finish();
      }
      ++round;
      index = 0;
      anyTransient = false;
      timer.expires_after(fetchPause(policy, round));
      timer.async_wait([self = shared_from_this()](const boost::system::error_code&) { self->next(); });
      return;
    }
    sdk::HttpCall c = call;
    c.url = urls[index++];
    c.timeout = policy.timeout;
    ++requests;
    ++*inFlight;
    client->request(std::move(c), [self = shared_from_this()](sdk::Result<sdk::HttpReply> reply) mutable {
      std::atomic<int>* counter = self->inFlight;
      asio::post(self->executor, [self, reply = std::move(reply)]() mutable { self->onReply(std::move(reply)); });
      self.reset();
      --*counter;  // last: after this the connector may be unloaded
    });
  }

  void onReply(sdk::Result<sdk::HttpReply> reply) {
    const auto verdict = classifyFetch(reply);
    if (verdict == FetchVerdict::Success) {
      last = std::move(reply);
      return finish();
    }
    anyTransient = anyTransient || verdict == FetchVerdict::Transient;
    if (reply.ok()) {
      const std::string why = "media host answered HTTP " + std::to_string(reply->status);
      last = verdict == FetchVerdict::Transient ? sdk::Error::retriable("whatsapp.media.http", why)
                                                : sdk::Error::permanent("whatsapp.media.http", why);
    } else {
      last = std::move(reply);
    }
    next();
  }

  void cancel() {
    cancelled = true;
    timer.cancel();
  }

  void finish() {
    auto d = std::move(done);
    done = nullptr;
    if (d) {
      d(FetchOutcome{std::move(last), requests});
    }
  }

  asio::any_io_executor executor;
  std::atomic<int>* inFlight;
  std::shared_ptr<sdk::HttpClient> client;
  std::vector<std::string> urls;
  sdk::HttpCall call;
  FetchPolicy policy;
  std::function<void(FetchOutcome)> done;
  asio::steady_timer timer;
  std::size_t index = 0;
  int round = 0;
  int requests = 0;
  bool anyTransient = false;
  bool cancelled = false;
  sdk::Result<sdk::HttpReply> last{sdk::Error::permanent("whatsapp.media.no_url", "no usable media URL")};
};

}  // namespace

FetchHandle fetchWithRetry(asio::any_io_executor executor, std::shared_ptr<sdk::HttpClient> client,
                           std::vector<std::string> urls, sdk::HttpCall call, FetchPolicy policy,
                           std::atomic<int>* inFlight, std::function<void(FetchOutcome)> done) {
  auto f = std::make_shared<Fetch>(std::move(executor), std::move(client), std::move(urls), std::move(call), policy,
                                   inFlight, std::move(done));
  asio::post(f->executor, [f] { f->next(); });
  std::weak_ptr<Fetch> weak = f;
  return [weak, ex = f->executor] {
    asio::post(ex, [weak] {
      if (auto running = weak.lock()) {
        running->cancel();
      }
    });
  };
}

}  // namespace switchboard::whatsapp::connector
