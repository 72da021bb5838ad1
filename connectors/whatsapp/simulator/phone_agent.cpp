#include "simulator/phone_agent.hpp"

#include <boost/asio/post.hpp>

#include "signal/address.hpp"
#include "signal/bundle_nodes.hpp"
#include "signal/errors.hpp"
#include "signal/padding.hpp"
#include "simulator/stanza.hpp"
#include "switchboard/whatsapp/wire/e2e.pb.h"

namespace switchboard::wasim {
namespace {

namespace wire = switchboard::whatsapp::wire;
using whatsapp::Bytes;
using whatsapp::CipherType;
using whatsapp::SignalAddress;
using whatsapp::SignalProtocol;

constexpr std::size_t kRemembered = 512;
constexpr int kMaxRetries = 5;

std::string textOf(const wire::Message& m) {
  if (!m.conversation().empty()) {
    return m.conversation();
  }
  if (m.has_extended_text_message()) {
    return m.extended_text_message().text();
  }
  if (m.has_device_sent_message()) {
    return textOf(m.device_sent_message().message());
  }
  return {};
}

Node encNode(const whatsapp::CipherMessage& c, std::optional<int> count = std::nullopt) {
  Node enc("enc", {{"v", "2"}, {"type", std::string(whatsapp::cipherTypeName(c.type))}}, c.data);
  if (count) {
    enc.setAttr("count", std::to_string(*count));
  }
  return enc;
}

}  // namespace

PhoneAgent::PhoneAgent(boost::asio::any_io_executor executor, std::string phone)
    : strand_(boost::asio::make_strand(std::move(executor))), phone_(std::move(phone)) {}

sdk::Result<std::shared_ptr<PhoneAgent>> PhoneAgent::create(boost::asio::any_io_executor executor, std::string phone,
                                                            const whatsapp::KeyPair& identity,
                                                            std::uint32_t registrationId, std::size_t preKeys) {
  auto agent = std::make_shared<PhoneAgent>(std::move(executor), std::move(phone));
  SB_TRY(whatsapp::saveLocalIdentity(agent->store_, whatsapp::LocalIdentity{identity, registrationId}));
  SignalProtocol sp(agent->store_);
  auto spk = sp.generateSignedPreKey(1);
  if (!spk) {
    return spk.takeError();
  }
  agent->signedPreKey_ = *spk;
  auto keys = sp.generatePreKeys(1, static_cast<std::uint32_t>(preKeys));
  if (!keys) {
    return keys.takeError();
  }
  agent->initialPreKeys_ = std::move(*keys);
  agent->nextPreKeyId_ = static_cast<std::uint32_t>(preKeys) + 1;
  return agent;
}

sdk::Result<std::shared_ptr<PhoneAgent>> PhoneAgent::restore(
    boost::asio::any_io_executor executor, std::string phone,
    const std::vector<std::tuple<whatsapp::SignalTable, std::string, Bytes>>& rows, std::uint32_t nextPreKeyId) {
  auto agent = std::make_shared<PhoneAgent>(std::move(executor), std::move(phone));
  for (const auto& [table, key, value] : rows) {
    SB_TRY(agent->store_.put(table, key, value));
  }
  SignalProtocol sp(agent->store_);
  auto spk = sp.loadSignedPreKey(1);
  if (!spk) {
    return spk.takeError();
  }
  agent->signedPreKey_ = *spk;
  agent->nextPreKeyId_ = nextPreKeyId;
  return agent;
}

std::vector<std::tuple<whatsapp::SignalTable, std::string, Bytes>> PhoneAgent::rows() const {
  std::vector<std::tuple<whatsapp::SignalTable, std::string, Bytes>> out;
  for (auto& [key, value] : store_.rows()) {
    out.emplace_back(key.first, key.second, value);
  }
  return out;
}

SignalProtocol& PhoneAgent::signal() {
  if (!signal_) {
    signal_ = std::make_unique<SignalProtocol>(store_);
  }
  return *signal_;
}

void PhoneAgent::remember(const std::string& id, Sent sent) {
  if (sent_.emplace(id, std::move(sent)).second) {
    sentOrder_.push_back(id);
  }
  while (sentOrder_.size() > kRemembered) {
    sent_.erase(sentOrder_.front());
    sentOrder_.pop_front();
  }
}

void PhoneAgent::topUpPreKeys(std::size_t count) {
  boost::asio::post(strand_, [self = shared_from_this(), count] {
    auto& sp = self->signal();
    auto keys = sp.generatePreKeys(self->nextPreKeyId_, static_cast<std::uint32_t>(count));
    if (!keys) {
      return;
    }
    auto next = self->nextPreKeyId_.load();
    for (std::size_t i = 0; i < count; ++i) {
      next = whatsapp::nextPreKeyId(next);
    }
    self->nextPreKeyId_ = next;
    if (auto host = self->host_.lock()) {
      host->phonePreKeys(self->phone_, *keys);
    }
  });
}

sdk::Result<whatsapp::CipherMessage> PhoneAgent::encryptTo(SignalProtocol& sp, const PhoneTarget& target,
                                                          whatsapp::ByteView message, const std::string& chatJid) {
  if (target.bundle) {
    SB_TRY(sp.processBundle(target.address, *target.bundle));
  }
  Bytes plain(message.begin(), message.end());
  if (target.own) {
    // Our own companions learn what we sent, and to whom.
    wire::Message dsm;
    dsm.mutable_device_sent_message()->set_destination_jid(chatJid);
    dsm.mutable_device_sent_message()->mutable_message()->ParseFromArray(message.data(),
                                                                          static_cast<int>(message.size()));
    plain = whatsapp::toBytes(dsm.SerializeAsString());
  }
  return sp.encrypt(target.address, whatsapp::padMessage(plain));
}

void PhoneAgent::sendText(std::string chatJid, std::string text, std::string id) {
  boost::asio::post(strand_, [self = shared_from_this(), chatJid = std::move(chatJid), text = std::move(text),
                              id = std::move(id)] {
    auto host = self->host_.lock();
    if (!host) {
      return;
    }
    auto& sp = self->signal();
    auto targets = host->phoneTargets(self->phone_, chatJid, [&](const SignalAddress& a) {
      // The phone never deletes a session, so once found it is remembered: asking libsignal
      // loads and parses the whole session record, for every device of every message.
      auto key = a.name + '.' + std::to_string(a.device);
      if (self->withSession_.count(key) > 0) {
        return true;
      }
      auto has = sp.hasSession(a);
      bool yes = has.ok() && *has;
      if (yes) {
        self->withSession_.insert(std::move(key));
      }
      return yes;
    });
    if (!targets) {
      return;
    }
    wire::Message m;
    m.set_conversation(text);
    auto message = whatsapp::toBytes(m.SerializeAsString());
    Node::Children to;
    for (const auto& t : *targets) {
      auto c = self->encryptTo(sp, t, message, chatJid);
      if (c) {
        to.push_back(Node("to", {{"jid", t.jid}}, Node::Children{encNode(*c)}));
      }
    }
    self->remember(id, Sent{chatJid, message});
    host->phoneSend(self->phone_, Node("message", {{"id", id}, {"to", chatJid}, {"type", "text"}},
                                       Node::Children{Node("participants", {}, std::move(to))}));
  });
}

void PhoneAgent::welcome(std::uint16_t device, std::vector<Bytes> messages) {
  boost::asio::post(strand_, [self = shared_from_this(), device, messages = std::move(messages)] {
    auto host = self->host_.lock();
    if (!host) {
      return;
    }
    auto target = host->ownCompanion(self->phone_, device);
    if (!target) {
      return;
    }
    auto& sp = self->signal();
    auto own = Jid::pair(self->phone_, whatsapp::kUserServer).toString();
    for (const auto& m : messages) {
      // Peer messages are the message itself, not wrapped: encrypt as to a stranger.
      PhoneTarget t = *target;
      t.own = false;
      auto c = self->encryptTo(sp, t, m, own);
      target->bundle.reset();  // the session exists after the first one
      if (!c) {
        continue;
      }
      host->phoneSend(self->phone_, Node("message", {{"id", newMessageId()}, {"to", t.jid}, {"type", "text"},
                                                     {"category", "peer"}, {"push_priority", "high_force"}},
                                         Node::Children{encNode(*c)}));
    }
  });
}

void PhoneAgent::receive(PhoneIncoming incoming) {
  boost::asio::post(strand_, [self = shared_from_this(), in = std::move(incoming)] {
    if (in.stanza.tag == "message") {
      self->onMessage(in);
    } else if (in.stanza.tag == "receipt" && attrOr(in.stanza, "type") == "retry") {
      self->onRetryReceipt(in);
    }
  });
}

void PhoneAgent::onMessage(const PhoneIncoming& in) {
  auto host = host_.lock();
  auto author = SignalAddress::fromJid(in.authorLid);
  if (!host || !author) {
    return;
  }
  auto id = attrOr(in.stanza, "id");
  auto& sp = signal();
  std::string text;
  std::optional<sdk::Error> failure;
  for (const Node* enc : childrenNamed(in.stanza, "enc")) {
    auto type = whatsapp::parseCipherType(attrOr(*enc, "type"));
    if (!type || !enc->bytes()) {
      continue;
    }
    sdk::Result<Bytes> plain = *type == CipherType::SkMsg
                                   ? sp.groupDecrypt(whatsapp::SenderKeyName{in.group, *author}, *enc->bytes())
                                   : sp.decrypt(*author, *type, *enc->bytes());
    if (plain && attrOr(*enc, "v") != "3") {
      plain = whatsapp::unpadMessage(*plain);
    }
    if (!plain) {
      failure = plain.takeError();
      break;
    }
    wire::Message m;
    if (!m.ParseFromArray(plain->data(), static_cast<int>(plain->size()))) {
      failure = sdk::Error::permanent("wasim.phone", "the decrypted message is not a Message");
      break;
    }
    if (m.has_sender_key_distribution_message()) {
      const auto& skdm = m.sender_key_distribution_message();
      auto group = skdm.group_id().empty() ? in.group : skdm.group_id();
      (void)sp.processSenderKeyDistribution(whatsapp::SenderKeyName{group, *author},
                                            whatsapp::asBytes(skdm.axolotl_sender_key_distribution_message()));
    }
    if (auto t = textOf(m); !t.empty()) {
      text = t;
    }
  }
  auto from = attrOr(in.stanza, "from");
  auto participant = attrOr(in.stanza, "participant");
  if (failure && whatsapp::signalErrc(*failure) != whatsapp::SignalErrc::DuplicateMessage) {
    host->phoneDecrypted(phone_, id, {}, failure->describe());
    int count = ++retries_[id];
    retryOrder_.push_back(id);
    while (retryOrder_.size() > kRemembered) {
      retries_.erase(retryOrder_.front());
      retryOrder_.pop_front();
    }
    if (count <= kMaxRetries) {
      sendRetryReceipt(in, count);
    }
    return;
  }
  host->phoneDecrypted(phone_, id, text, {});
  if (attrOr(in.stanza, "category") == "peer") {
    return;
  }
  Node receipt("receipt", {{"id", id}, {"to", from}});
  if (!participant.empty()) {
    receipt.setAttr("participant", participant);
  }
  host->phoneSend(phone_, receipt);
}

void PhoneAgent::sendRetryReceipt(const PhoneIncoming& in, int count) {
  auto host = host_.lock();
  if (!host) {
    return;
  }
  auto& sp = signal();
  auto identity = whatsapp::loadLocalIdentity(store_);
  if (!identity) {
    return;
  }
  auto id = attrOr(in.stanza, "id");
  Node::Children body{Node("retry", {{"count", std::to_string(count)}, {"id", id}, {"t", attrOr(in.stanza, "t")}, {"v", "1"}}),
                      whatsapp::registrationNode(identity->registrationId)};
  if (count >= 2) {
    // From the second try on, fresh keys so the sender can start over.
    auto keys = sp.generatePreKeys(nextPreKeyId_, 1);
    if (keys && !keys->empty()) {
      nextPreKeyId_ = whatsapp::nextPreKeyId(nextPreKeyId_);
      auto bundle = sp.ownBundle(signedPreKey_.id, keys->front().id);
      if (bundle) {
        body.push_back(whatsapp::retryKeysNode(*bundle, std::nullopt));
      }
    }
  }
  Node receipt("receipt", {{"id", id}, {"to", attrOr(in.stanza, "from")}, {"type", "retry"}}, std::move(body));
  if (auto p = in.stanza.attr("participant")) {
    receipt.setAttr("participant", std::string(*p));
  }
  host->phoneSend(phone_, receipt);
}

void PhoneAgent::onRetryReceipt(const PhoneIncoming& in) {
  const Node& receipt = in.stanza;
  auto host = host_.lock();
  auto address = SignalAddress::fromJid(in.authorLid);
  auto it = sent_.find(attrOr(receipt, "id"));
  if (!host || !address || it == sent_.end()) {
    return;
  }
  auto& sp = signal();
  PhoneTarget target;
  target.jid = attrOr(receipt, "from");
  target.address = *address;
  target.own = in.ownAuthor;
  if (receipt.child("keys")) {
    if (auto bundle = whatsapp::parsePreKeyBundle(receipt)) {
      target.bundle = *bundle;
    }
  }
  auto c = encryptTo(sp, target, it->second.message, it->second.chatJid);
  if (!c) {
    return;
  }
  int count = 1;
  if (const Node* r = receipt.child("retry")) {
    count = static_cast<int>(parseUnsigned(attrOr(*r, "count")).value_or(1));
  }
  Node resend("message", {{"id", it->first}, {"to", target.jid}, {"type", "text"}}, Node::Children{encNode(*c, count)});
  if (target.own) {
    resend.setAttr("recipient", it->second.chatJid);
  }
  host->phoneSend(phone_, resend);
}

}  // namespace switchboard::wasim
