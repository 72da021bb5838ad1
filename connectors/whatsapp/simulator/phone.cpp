#include "simulator/phone.hpp"

#include "simulator/stanza.hpp"
#include "switchboard/whatsapp/wire/e2e.pb.h"

namespace switchboard::wasim {
namespace {

namespace wire = switchboard::whatsapp::wire;

whatsapp::Bytes bytesOf(const wire::Message& m) { return whatsapp::toBytes(m.SerializeAsString()); }

}  // namespace

void initPhoneKeys(PrimaryPhone& phone) {
  phone.appStateKeyId.resize(6);
  whatsapp::randomBytes(phone.appStateKeyId);
  phone.appStateKey.resize(32);
  whatsapp::randomBytes(phone.appStateKey);
}

std::vector<whatsapp::Bytes> welcomeMessages(const Account& account) {
  std::vector<whatsapp::Bytes> out;
  {
    wire::Message m;
    auto* protocol = m.mutable_protocol_message();
    protocol->set_type(wire::Message::ProtocolMessage::APP_STATE_SYNC_KEY_SHARE);
    auto* key = protocol->mutable_app_state_sync_key_share()->add_keys();
    key->mutable_key_id()->set_key_id(std::string(whatsapp::asChars(account.primary.appStateKeyId)));
    auto* data = key->mutable_key_data();
    data->set_key_data(std::string(whatsapp::asChars(account.primary.appStateKey)));
    data->mutable_fingerprint()->set_raw_id(account.primary.rawId);
    data->mutable_fingerprint()->set_current_index(0);
    data->set_timestamp(static_cast<std::int64_t>(unixNow()) * 1000);
    out.push_back(bytesOf(m));
  }
  {
    wire::Message m;
    auto* protocol = m.mutable_protocol_message();
    protocol->set_type(wire::Message::ProtocolMessage::HISTORY_SYNC_NOTIFICATION);
    protocol->mutable_history_sync_notification()->set_sync_type(wire::Message::NO_HISTORY);
    out.push_back(bytesOf(m));
  }
  return out;
}

}  // namespace switchboard::wasim
