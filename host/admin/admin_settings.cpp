#include "admin/admin_settings.hpp"

namespace switchboard::admin {

AdminSettings AdminSettings::fromConfig(const switchboard::sdk::ConfigValue& s) {
  AdminSettings a;
  a.enabled = s["enabled"].asBool(a.enabled);
  a.address = s["address"].asString();
  a.port = static_cast<std::uint16_t>(s["port"].asInt(a.port));
  a.tlsCert = s["tls_cert"].asString();
  a.tlsKey = s["tls_key"].asString();
  a.tokensFile = s["tokens_file"].asString();
  a.maxBodyBytes = static_cast<std::size_t>(s["max_body"].asInt(static_cast<std::int64_t>(a.maxBodyBytes)));
  a.rateLimit = s["rate_limit"].asDouble(a.rateLimit);
  a.rateBurst = s["rate_burst"].asDouble(a.rateBurst);
  a.tokenRateLimit = s["token_rate_limit"].asDouble(a.tokenRateLimit);
  a.tokenRateBurst = s["token_rate_burst"].asDouble(a.tokenRateBurst);
  a.requestTimeout = s["request_timeout"].asDuration();
  a.workerThreads = static_cast<int>(s["worker_threads"].asInt(a.workerThreads));
  a.publicHealth = s["public_health"].asBool(a.publicHealth);
  a.publicMetrics = s["public_metrics"].asBool(a.publicMetrics);
  a.maxEventClients = static_cast<std::size_t>(s["max_event_clients"].asInt(static_cast<std::int64_t>(a.maxEventClients)));
  if (s.has("tenant_export_dir")) {
    a.tenantExportDir = s["tenant_export_dir"].asString();
  }
  return a;
}

}  // namespace switchboard::admin
