#pragma once

// The connector's metrics, looked up once (the registry hands out references for the process's
// lifetime) and shared by every account session. Names get the host's `switchboard_` prefix.

#include <map>
#include <mutex>
#include <string>

#include "connector/session_state.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::whatsapp::connector {

class ConnectorMetrics {
 public:
  explicit ConnectorMetrics(sdk::Metrics& m);

  /// Counts a transition and moves one session from one state's gauge to the other's.
  void transition(SessionState from, SessionState to);
  /// A session appears (in state idle) or goes away (from its last state).
  void sessionAdded();
  void sessionRemoved(SessionState last);
  /// Counts a server refusal or stream end by code.
  void serverError(const std::string& kind, const std::string& code);

  sdk::Counter& messagesReceived;
  sdk::Counter& messagesRedelivered;  ///< answered from storage by ciphertext hash
  sdk::Counter& decryptFailures;
  sdk::Counter& retryReceipts;
  sdk::Counter& messagesSkipped;      ///< decrypted, nothing for the pipeline (protocol messages)
  sdk::Counter& backpressure;         ///< the pipeline refused a message (not acked)
  sdk::Counter& messagesSent;
  sdk::Counter& sendFailures;
  sdk::Counter& prekeysUploaded;
  sdk::Counter& rateLimited;
  sdk::Counter& restricted;
  sdk::Counter& reconnects;
  sdk::Counter& framesRejected;       ///< undecodable frames from the server
  sdk::Counter& mediaDownloaded;      ///< received media files checked, decrypted and stored
  sdk::Counter& mediaDownloadFailures;  ///< received media delivered without their file
  sdk::Counter& mediaUploaded;        ///< media files encrypted and uploaded for a send

 private:
  sdk::Metrics& metrics_;
  std::mutex mutex_;
  std::map<std::string, sdk::Counter*> counters_;
  std::map<std::string, sdk::Gauge*> gauges_;
  sdk::Counter& counter(const std::string& name, const std::string& help, const sdk::Labels& labels);
  sdk::Gauge& gauge(const std::string& name, const std::string& help, const sdk::Labels& labels);
};

}  // namespace switchboard::whatsapp::connector
