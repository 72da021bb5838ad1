#include "connector/connector_metrics.hpp"

namespace switchboard::whatsapp::connector {

ConnectorMetrics::ConnectorMetrics(sdk::Metrics& m)
    : messagesReceived(m.counter("whatsapp_messages_received_total", "Messages decrypted and stored")),
      messagesRedelivered(m.counter("whatsapp_messages_redelivered_total",
                                    "Redelivered stanzas answered from storage without decrypting")),
      decryptFailures(m.counter("whatsapp_decrypt_failures_total", "Messages that could not be decrypted")),
      retryReceipts(m.counter("whatsapp_retry_receipts_total", "Retry receipts sent")),
      messagesSkipped(m.counter("whatsapp_messages_skipped_total", "Protocol messages with nothing to store")),
      backpressure(m.counter("whatsapp_inbound_backpressure_total", "Messages the pipeline refused (left unacked)")),
      messagesSent(m.counter("whatsapp_messages_sent_total", "Messages the server acknowledged")),
      sendFailures(m.counter("whatsapp_send_failures_total", "Sends that failed")),
      prekeysUploaded(m.counter("whatsapp_prekeys_uploaded_total", "One-time prekeys uploaded")),
      rateLimited(m.counter("whatsapp_rate_limited_total", "Rate-limit signals from the server")),
      restricted(m.counter("whatsapp_restricted_total", "Account restriction signals from the server")),
      reconnects(m.counter("whatsapp_reconnects_total", "Connection attempts after the first")),
      framesRejected(m.counter("whatsapp_frames_rejected_total", "Frames from the server that did not decode")),
      mediaDownloaded(m.counter("whatsapp_media_downloaded_total", "Received media files decrypted and stored")),
      mediaDownloadFailures(m.counter("whatsapp_media_download_failures_total",
                                      "Received media delivered without their file (download or check failed)")),
      mediaUploaded(m.counter("whatsapp_media_uploaded_total", "Media files encrypted and uploaded for sends")),
      metrics_(m) {}

sdk::Counter& ConnectorMetrics::counter(const std::string& name, const std::string& help, const sdk::Labels& labels) {
  std::string key = name;
  for (const auto& [k, v] : labels) {
    key += "|" + k + "=" + v;
  }
  std::lock_guard lock(mutex_);
  auto& slot = counters_[key];
  if (slot == nullptr) {
    slot = &metrics_.counter(name, help, labels);
  }
  return *slot;
}

sdk::Gauge& ConnectorMetrics::gauge(const std::string& name, const std::string& help, const sdk::Labels& labels) {
  std::string key = name;
  for (const auto& [k, v] : labels) {
    key += "|" + k + "=" + v;
  }
  std::lock_guard lock(mutex_);
  auto& slot = gauges_[key];
  if (slot == nullptr) {
    slot = &metrics_.gauge(name, help, labels);
  }
  return *slot;
}

void ConnectorMetrics::transition(SessionState from, SessionState to) {
  counter("whatsapp_session_transitions_total", "Session state changes", {{"state", std::string(toString(to))}})
      .inc();
  gauge("whatsapp_sessions", "Sessions by state", {{"state", std::string(toString(from))}}).add(-1);
  gauge("whatsapp_sessions", "Sessions by state", {{"state", std::string(toString(to))}}).add(1);
}

void ConnectorMetrics::sessionAdded() {
  gauge("whatsapp_sessions", "Sessions by state", {{"state", std::string(toString(SessionState::Idle))}}).add(1);
}

void ConnectorMetrics::sessionRemoved(SessionState last) {
  gauge("whatsapp_sessions", "Sessions by state", {{"state", std::string(toString(last))}}).add(-1);
}

void ConnectorMetrics::serverError(const std::string& kind, const std::string& code) {
  counter("whatsapp_server_errors_total", "Server refusals and stream ends", {{"kind", kind}, {"code", code}}).inc();
}

}  // namespace switchboard::whatsapp::connector
