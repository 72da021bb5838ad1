#pragma once

// Downloads and uploads over the host's HTTP client with retries: every URL of a round is tried in
// order, and a round that only met transient failures (connection, timeout, 5xx, 408, 429) is
// repeated after a doubling pause. A definite answer (404, 403, a refused upload) ends it.

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "switchboard/sdk/http_client.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp::connector {

struct FetchPolicy {
  int rounds = 4;                          ///< tries of the whole URL list
  std::chrono::milliseconds firstPause{500};
  std::chrono::milliseconds maxPause{8000};
  std::chrono::milliseconds timeout{60000};  ///< of one request
};

/// What one HTTP outcome means for the transfer.
enum class FetchVerdict { Success, Transient, Definite };
FetchVerdict classifyFetch(const sdk::Result<sdk::HttpReply>& reply);

/// The pause before round `round` (1-based; round 0 has none): firstPause doubling, capped.
std::chrono::milliseconds fetchPause(const FetchPolicy& policy, int round);

struct FetchOutcome {
  sdk::Result<sdk::HttpReply> reply;  ///< the successful reply, or the last error
  int requests = 0;                   ///< how many were made
};

/// Cancels the transfer: its pause ends at once and `done` runs with whatsapp.media.cancelled.
using FetchHandle = std::function<void()>;

/// Sends `call` to each URL in `urls` under `policy`; `done` runs once on `executor`. `inFlight`
/// counts the requests the HTTP client still holds a callback of ours for (see SessionManager::stop).
FetchHandle fetchWithRetry(boost::asio::any_io_executor executor, std::shared_ptr<sdk::HttpClient> client,
                           std::vector<std::string> urls, sdk::HttpCall call, FetchPolicy policy,
                           std::atomic<int>* inFlight, std::function<void(FetchOutcome)> done);

}  // namespace switchboard::whatsapp::connector
