#include "connector/client_payload.hpp"

#include <openssl/evp.h>

#include <cstdlib>

#include "switchboard/whatsapp/wire/client_payload.pb.h"

namespace switchboard::whatsapp::connector {

namespace {

using wire::ClientPayload;

std::string bigEndian(std::uint32_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) {
    out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  return out;
}

std::string md5(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

// The part both payloads share (Baileys' getClientPayload, with our version and names).
ClientPayload basePayload(const PayloadOptions& o) {
  ClientPayload p;
  p.set_connect_type(ClientPayload::WIFI_UNKNOWN);
  p.set_connect_reason(o.reconnect ? ClientPayload::ERROR_RECONNECT : ClientPayload::USER_ACTIVATED);
  auto* ua = p.mutable_user_agent();
  ua->set_platform(ClientPayload::UserAgent::WEB);
  ua->mutable_app_version()->set_primary(o.version.primary);
  ua->mutable_app_version()->set_secondary(o.version.secondary);
  ua->mutable_app_version()->set_tertiary(o.version.tertiary);
  ua->set_release_channel(ClientPayload::UserAgent::RELEASE);
  ua->set_os_version("0.1");
  ua->set_device("Desktop");
  ua->set_os_build_number("0.1");
  ua->set_locale_language_iso_639_1("en");
  ua->set_mnc("000");
  ua->set_mcc("000");
  ua->set_locale_country_iso_3166_1_alpha_2("US");
  p.mutable_web_info()->set_web_sub_platform(ClientPayload::WebInfo::WEB_BROWSER);
  if (!o.pushName.empty()) {
    p.set_push_name(o.pushName);
  }
  return p;
}

Bytes serialize(const ClientPayload& p) {
  const std::string s = p.SerializeAsString();
  return Bytes(s.begin(), s.end());
}

}  // namespace

Bytes registrationPayload(const DeviceCredentials& creds, const PayloadOptions& o) {
  ClientPayload p = basePayload(o);
  p.set_passive(false);
  p.set_pull(false);

  wire::DeviceProps props;
  props.set_os(o.deviceName);
  props.mutable_version()->set_primary(10);
  props.mutable_version()->set_secondary(15);
  props.mutable_version()->set_tertiary(7);
  props.set_platform_type(wire::DeviceProps::CHROME);
  props.set_require_full_sync(false);
  auto* history = props.mutable_history_sync_config();
  history->set_storage_quota_mb(10240);
  history->set_inline_initial_payload_in_e2_ee_msg(true);
  history->set_support_call_log_history(false);
  history->set_support_bot_user_agent_chat_history(true);
  history->set_support_cag_reactions_and_polls(true);

  auto* reg = p.mutable_device_pairing_data();
  reg->set_e_regid(bigEndian(creds.registrationId, 4));
  reg->set_e_keytype(std::string(1, '\x05'));
  reg->set_e_ident(std::string(creds.identityKey.pub.begin(), creds.identityKey.pub.end()));
  reg->set_e_skey_id(bigEndian(creds.signedPreKeyId, 3));
  reg->set_e_skey_val(std::string(creds.signedPreKeyPub.begin(), creds.signedPreKeyPub.end()));
  reg->set_e_skey_sig(std::string(creds.signedPreKeySignature.begin(), creds.signedPreKeySignature.end()));
  reg->set_build_hash(md5(std::to_string(o.version.primary) + "." + std::to_string(o.version.secondary) + "." +
                          std::to_string(o.version.tertiary)));
  reg->set_device_props(props.SerializeAsString());
  return serialize(p);
}

Bytes loginPayload(const DeviceCredentials& creds, const PayloadOptions& o) {
  ClientPayload p = basePayload(o);
  p.set_username(std::strtoull(creds.user().c_str(), nullptr, 10));
  p.set_device(creds.device());
  p.set_passive(true);
  p.set_pull(true);
  p.set_lid_db_migrated(true);
  p.set_lc(1);
  return serialize(p);
}

}  // namespace switchboard::whatsapp::connector
