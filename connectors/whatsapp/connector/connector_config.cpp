#include "connector/connector_config.hpp"

#include <set>

namespace switchboard::whatsapp::connector {

namespace field = sdk::field;
using namespace std::chrono_literals;

namespace {

std::string rootKeyHex() { return toHex(kWhatsAppRootKey); }

bool parseHexKey(const std::string& text, Key32& out) {
  if (text.size() != 64) {
    return false;
  }
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned value = 0;
    for (int j = 0; j < 2; ++j) {
      const char c = text[2 * i + j];
      unsigned n = 0;
      if (c >= '0' && c <= '9') {
        n = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        n = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        n = c - 'A' + 10;
      } else {
        return false;
      }
      value = value * 16 + n;
    }
    out[i] = static_cast<std::uint8_t>(value);
  }
  return true;
}

bool allDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

sdk::ConfigSchema connectorSchema() {
  sdk::ConfigSchema account{{
      field::string("id", "Account name, usually the phone number in E.164 digits").required(),
      field::string("tenant", "Tenant the account belongs to", std::string("default")),
      field::string("phone", "Phone number in E.164 digits (required for code pairing)", std::string("")),
      field::string("pairing", "How a new device links: qr (scan a QR code) or code (type a code on the phone)",
                    std::string("qr"))
          .oneOf({"qr", "code"}),
      field::string("push_name", "Name shown to contacts", std::string("")),
  }};
  sdk::ConfigSchema reconnect{{
      field::duration("initial", "First wait after a lost connection", 1s).range(10, 3'600'000),
      field::duration("max", "Longest wait between attempts", 5min).range(10, 86'400'000),
      field::real("jitter", "Random spread of each wait (0.2: +/-20%)", 0.2).range(0, 1),
      field::integer("park_after", "Consecutive failed connections before the account is parked", 30)
          .range(1, 100000),
  }};
  sdk::ConfigSchema pacing{{
      field::real("per_second", "Sustained messages sent per second per account", 1.0).range(0.001, 1000),
      field::integer("burst", "Messages that may go out at once after a quiet period", 5).range(1, 10000),
  }};
  return {{
      field::objectList("accounts", "WhatsApp accounts this instance runs", account),
      field::string("server_url", "WebSocket URL of the WhatsApp server", std::string(kDefaultServerUrl)),
      field::string("trusted_root_key", "Hex X25519 key the server's certificate chain must lead to",
                    rootKeyHex()),
      field::integer("trusted_root_serial", "Serial of that root", 0).range(0, 4294967295.0),
      field::string("tls_ca_file", "PEM file trusted for wss:// besides the system store", std::string("")),
      field::boolean("tls_verify", "Verify the server's TLS certificate", true),
      field::string("device_name", "Name of this linked device as the phone lists it", std::string("Switchboard")),
      field::object("reconnect", "Reconnection backoff", reconnect),
      field::object("pacing", "Send pacing per account (ban avoidance)", pacing),
      field::duration("keepalive", "Interval of keepalive pings", 25s).range(1000, 600'000),
      field::duration("iq_timeout", "How long a request to the server may stay unanswered", 60s)
          .range(100, 600'000),
      field::duration("qr_timeout", "How long the first QR code is shown", 60s).range(100, 600'000),
      field::duration("qr_next_timeout", "How long each following QR code is shown", 20s).range(100, 600'000),
      field::integer("prekey_batch", "One-time prekeys uploaded at a time", 50).range(30, 812),
      field::integer("prekey_low_water", "Upload more prekeys when the server holds fewer", 10).range(1, 800),
      field::string("media_dir", "Where received media are written (empty: <state dir>/media)", std::string("")),
      field::string("media_ca_file", "PEM file trusted for the media hosts (HTTPS) instead of the system store",
                    std::string("")),
      field::integer("media_attempts", "Rounds of tries over the media hosts before a download is given up", 4)
          .range(1, 10),
      field::integer("media_max_bytes", "Largest media file downloaded or sent", 64LL << 20).range(1024, 2LL << 30),
      field::integer("threads", "I/O threads the connector's accounts share (each account is a strand)", 2)
          .range(1, 64),
      field::boolean("fair_decryption",
                     "Decrypt received messages one tenant at a time when the threads are all busy (round robin)",
                     true),
      field::duration("sent_retention", "How long sent messages are kept to answer retry requests", 24h)
          .range(60'000, 30LL * 86'400'000),
  }};
}

sdk::Result<ConnectorSettings> ConnectorSettings::parse(const sdk::ConfigValue& s) {
  ConnectorSettings out;
  std::set<std::string> ids;
  for (const auto& a : s["accounts"].asList()) {
    AccountSettings acc;
    acc.id = a["id"].asString();
    acc.tenant = a["tenant"].asString().empty() ? "default" : a["tenant"].asString();
    acc.phone = a["phone"].asString();
    acc.pairing = a["pairing"].asString() == "code" ? PairingMethod::Code : PairingMethod::Qr;
    acc.pushName = a["push_name"].asString();
    if (acc.id.empty()) {
      return sdk::Error::permanent("whatsapp.config", "accounts: an account id must not be empty");
    }
    if (!ids.insert(acc.id).second) {
      return sdk::Error::permanent("whatsapp.config", "accounts: account \"" + acc.id + "\" is listed twice");
    }
    if (!acc.phone.empty() && !allDigits(acc.phone)) {
      return sdk::Error::permanent("whatsapp.config", "accounts." + acc.id + ".phone: \"" + acc.phone +
                                                          "\" is not a phone number in E.164 digits (no +)");
    }
    if (acc.pairing == PairingMethod::Code && acc.phone.empty()) {
      return sdk::Error::permanent("whatsapp.config",
                                   "accounts." + acc.id + ": pairing: code needs the account's phone number");
    }
    out.accounts.push_back(std::move(acc));
  }
  out.serverUrl = s["server_url"].asString().empty() ? std::string(kDefaultServerUrl) : s["server_url"].asString();
  if (out.serverUrl.rfind("ws://", 0) != 0 && out.serverUrl.rfind("wss://", 0) != 0) {
    return sdk::Error::permanent("whatsapp.config",
                                 "server_url: \"" + out.serverUrl + "\" is not a ws:// or wss:// URL");
  }
  const std::string rootKey = s["trusted_root_key"].asString().empty() ? rootKeyHex() : s["trusted_root_key"].asString();
  if (!parseHexKey(rootKey, out.root.key)) {
    return sdk::Error::permanent("whatsapp.config", "trusted_root_key: expected 64 hex characters (32 bytes)");
  }
  out.root.serial = static_cast<std::uint32_t>(s["trusted_root_serial"].asInt(0));
  out.tlsCaFile = s["tls_ca_file"].asString();
  out.tlsVerify = s["tls_verify"].asBool(true);
  out.deviceName = s["device_name"].asString().empty() ? "Switchboard" : s["device_name"].asString();
  const auto& r = s["reconnect"];
  out.reconnect.initial = std::chrono::milliseconds(r["initial"].asInt(1000));
  out.reconnect.max = std::chrono::milliseconds(r["max"].asInt(300'000));
  out.reconnect.jitter = r["jitter"].asDouble(0.2);
  out.reconnect.parkAfter = static_cast<int>(r["park_after"].asInt(30));
  if (out.reconnect.max < out.reconnect.initial) {
    return sdk::Error::permanent("whatsapp.config", "reconnect.max must not be shorter than reconnect.initial");
  }
  const auto& p = s["pacing"];
  out.pacing.perSecond = p["per_second"].asDouble(1.0);
  out.pacing.burst = static_cast<int>(p["burst"].asInt(5));
  out.keepalive = std::chrono::milliseconds(s["keepalive"].asInt(25'000));
  out.iqTimeout = std::chrono::milliseconds(s["iq_timeout"].asInt(60'000));
  out.qrFirstTimeout = std::chrono::milliseconds(s["qr_timeout"].asInt(60'000));
  out.qrNextTimeout = std::chrono::milliseconds(s["qr_next_timeout"].asInt(20'000));
  out.prekeyBatch = static_cast<int>(s["prekey_batch"].asInt(50));
  out.prekeyLowWater = static_cast<int>(s["prekey_low_water"].asInt(10));
  if (out.prekeyLowWater >= out.prekeyBatch) {
    return sdk::Error::permanent("whatsapp.config", "prekey_low_water must be below prekey_batch");
  }
  out.mediaDir = s["media_dir"].asString();
  out.mediaCaFile = s["media_ca_file"].asString();
  out.mediaAttempts = static_cast<int>(s["media_attempts"].asInt(4));
  out.mediaMaxBytes = static_cast<std::uint64_t>(s["media_max_bytes"].asInt(64LL << 20));
  out.sentRetention = std::chrono::milliseconds(s["sent_retention"].asInt(86'400'000));
  out.threads = static_cast<int>(s["threads"].asInt(2));
  out.fairDecryption = s["fair_decryption"].asBool(true);
  return out;
}

}  // namespace switchboard::whatsapp::connector
