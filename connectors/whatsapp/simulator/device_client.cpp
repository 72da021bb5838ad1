#include "simulator/device_client.hpp"

#include "simulator/stanza.hpp"
#include "switchboard/whatsapp/wire/client_payload.pb.h"

namespace switchboard::wasim {
namespace {

namespace wire = switchboard::whatsapp::wire;
using whatsapp::Bytes;

std::string bigEndianString(std::uint32_t v, std::size_t width) {
  auto b = bigEndian(v, width);
  return std::string(b.begin(), b.end());
}

}  // namespace

CompanionKeys CompanionKeys::generate() {
  CompanionKeys k;
  k.noise = whatsapp::KeyPair::generate();
  k.identity = whatsapp::KeyPair::generate();
  whatsapp::randomBytes({reinterpret_cast<std::uint8_t*>(&k.registrationId), sizeof k.registrationId});
  k.registrationId = 1 + k.registrationId % 16380;
  k.signedPreKey = whatsapp::KeyPair::generate();
  Bytes data{0x05};
  whatsapp::append(data, k.signedPreKey.pub);
  k.signedPreKeySignature = whatsapp::xeddsaSign(k.identity.priv, data);
  return k;
}

DirectLink CompanionKeys::directLink() const {
  DirectLink l;
  l.noiseKey = noise.pub;
  l.identity = identity;
  l.registrationId = registrationId;
  l.signedPreKeyId = signedPreKeyId;
  l.signedPreKey = signedPreKey.pub;
  l.signedPreKeySignature = signedPreKeySignature;
  l.platform = "switchboard test client";
  return l;
}

DeviceClient::DeviceClient(Options options)
    : options_(std::move(options)),
      dict_(whatsapp::TokenDictionary::forVersion(options_.dictionary) ? whatsapp::TokenDictionary::forVersion(options_.dictionary)
                                                                       : &whatsapp::TokenDictionary::v3()) {}

Bytes DeviceClient::clientPayload(const Options& o) {
  wire::ClientPayload p;
  auto* ua = p.mutable_user_agent();
  ua->set_platform(wire::ClientPayload::UserAgent::WEB);
  ua->mutable_app_version()->set_primary(2);
  ua->mutable_app_version()->set_secondary(3000);
  ua->mutable_app_version()->set_tertiary(1043857760);
  ua->set_release_channel(wire::ClientPayload::UserAgent::RELEASE);
  ua->set_os_version("0.1");
  ua->set_device("Desktop");
  p.mutable_web_info()->set_web_sub_platform(wire::ClientPayload::WebInfo::WEB_BROWSER);
  p.set_connect_type(wire::ClientPayload::WIFI_UNKNOWN);
  p.set_connect_reason(wire::ClientPayload::USER_ACTIVATED);
  if (!o.pushName.empty()) {
    p.set_push_name(o.pushName);
  }
  if (!o.phone.empty()) {
    std::uint64_t username = 0;
    for (char c : o.phone) {
      username = username * 10 + static_cast<std::uint64_t>(c - '0');
    }
    p.set_username(username);
    p.set_device(o.device);
    p.set_passive(true);
    p.set_pull(true);
  } else {
    p.set_passive(false);
    p.set_pull(false);
    auto* d = p.mutable_device_pairing_data();
    d->set_e_regid(bigEndianString(o.keys.registrationId, 4));
    d->set_e_keytype(std::string(1, '\x05'));
    d->set_e_ident(std::string(o.keys.identity.pub.begin(), o.keys.identity.pub.end()));
    d->set_e_skey_id(bigEndianString(o.keys.signedPreKeyId, 3));
    d->set_e_skey_val(std::string(o.keys.signedPreKey.pub.begin(), o.keys.signedPreKey.pub.end()));
    d->set_e_skey_sig(std::string(o.keys.signedPreKeySignature.begin(), o.keys.signedPreKeySignature.end()));
    wire::DeviceProps props;
    props.set_os("switchboard");
    props.set_platform_type(wire::DeviceProps::CHROME);
    d->set_device_props(props.SerializeAsString());
  }
  return whatsapp::toBytes(p.SerializeAsString());
}

void DeviceClient::connect(boost::asio::any_io_executor executor, Options options,
                           std::function<void(sdk::Result<std::shared_ptr<DeviceClient>>)> onReady) {
  auto client = std::make_shared<DeviceClient>(std::move(options));
  whatsapp::WsClientOptions ws;
  ws.url = client->options_.url;
  auto ready = std::make_shared<decltype(onReady)>(std::move(onReady));
  whatsapp::connectWebSocket(executor, ws, [client, ready](sdk::Result<whatsapp::WsConnectionPtr> conn) {
    if (!conn) {
      return (*ready)(conn.takeError());
    }
    whatsapp::NoiseSocket::ClientConfig config;
    config.staticKey = client->options_.keys.noise;
    config.root = client->options_.root;
    config.clientPayload = clientPayload(client->options_);
    config.header = {'W', 'A', 6, static_cast<std::uint8_t>(client->dict_->version())};
    std::weak_ptr<DeviceClient> weak = client;
    whatsapp::NoiseSocket::Handlers handlers;
    handlers.onFrame = [weak](Bytes frame) {
      if (auto c = weak.lock()) {
        c->onFrame(frame);
      }
    };
    // Weak: the caller owns the client, the client owns the socket.
    handlers.onClose = [weak](sdk::Status st) {
      auto c = weak.lock();
      if (c && c->options_.onClose) {
        c->options_.onClose(std::move(st));
      }
    };
    whatsapp::NoiseSocket::startClient(*conn, std::move(config), std::move(handlers),
                                       [client, ready](sdk::Result<std::shared_ptr<whatsapp::NoiseSocket>> s) {
                                         if (!s) {
                                           return (*ready)(s.takeError());
                                         }
                                         client->socket_ = *s;
                                         (*ready)(client);
                                       });
  });
}

void DeviceClient::send(const whatsapp::Node& node) {
  auto frame = whatsapp::encodeFramePayload(node, *dict_);
  if (frame && socket_) {
    socket_->send(std::move(*frame));
  }
}

void DeviceClient::sendRaw(Bytes payload) {
  if (socket_) {
    socket_->send(std::move(payload));
  }
}

void DeviceClient::close() {
  if (socket_) {
    socket_->close();
  }
}

void DeviceClient::abort() {
  if (socket_) {
    socket_->abort();
  }
}

void DeviceClient::onFrame(const Bytes& frame) {
  auto node = whatsapp::decodeFramePayload(frame, *dict_);
  if (!node) {
    return;
  }
  if (options_.autoAck) {
    autoAnswer(*node);
  }
  if (options_.onNode) {
    options_.onNode(*node);
  }
}

void DeviceClient::autoAnswer(const whatsapp::Node& node) {
  auto id = attrOr(node, "id");
  if (node.tag == "message") {
    Node receipt("receipt", {{"id", id}, {"to", attrOr(node, "from")}});
    if (auto p = node.attr("participant")) {
      receipt.setAttr("participant", std::string(*p));
    }
    if (attrOr(node, "category") == "peer") {
      receipt.setAttr("type", "peer_msg");
    }
    send(receipt);
  } else if (node.tag == "receipt" || node.tag == "notification") {
    Node ack("ack", {{"class", node.tag}, {"id", id}, {"to", attrOr(node, "from")}});
    if (auto t = node.attr("type")) {
      ack.setAttr("type", std::string(*t));
    }
    if (auto p = node.attr("participant")) {
      ack.setAttr("participant", std::string(*p));
    }
    send(ack);
  } else if (node.tag == "iq" && attrOr(node, "type") == "set" && node.child("pair-device")) {
    send(Node("iq", {{"to", std::string(kServerJid)}, {"type", "result"}, {"id", id}}));
  }
}

}  // namespace switchboard::wasim
