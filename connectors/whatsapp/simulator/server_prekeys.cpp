// xmlns="encrypt": prekey count, upload, signed-prekey rotation, digest, and bundle fetches that
// pop one one-time prekey each (protocol notes 6.3 and 6.7).
#include <algorithm>

#include "signal/bundle_nodes.hpp"
#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

/// One-time prekeys kept per device; Baileys uploads 812 at first, whatsmeow 50 at a time.
constexpr std::size_t kMaxPreKeys = 5000;
/// Below this many one-time prekeys a companion is told to upload more (clients keep >= 5).
constexpr std::size_t kLowPreKeys = 4;
/// Users per bundle fetch (a group send fetches one per member device).
constexpr std::size_t kMaxBundleUsers = 2048;

Bytes keyBytes(const whatsapp::Key32& k) { return Bytes(k.begin(), k.end()); }

std::optional<SignedPreKey> parseSignedPreKey(const Node* skey, const whatsapp::Key32& identity) {
  if (!skey) {
    return std::nullopt;
  }
  auto id = fixedBytes(skey->child("id"), 3);
  auto value = fixedBytes(skey->child("value"), 32);
  auto signature = fixedBytes(skey->child("signature"), 64);
  if (!id || !value || !signature) {
    return std::nullopt;
  }
  SignedPreKey spk;
  spk.id = *readBigEndian(*id, 3);
  std::copy(value->begin(), value->end(), spk.pub.begin());
  std::copy(signature->begin(), signature->end(), spk.signature.begin());
  Bytes signedData{0x05};
  whatsapp::append(signedData, spk.pub);
  if (!whatsapp::xeddsaVerify(identity, signedData, spk.signature)) {
    return std::nullopt;
  }
  return spk;
}

Node signedPreKeyNode(const SignedPreKey& spk) {
  return parentNode("skey", {},
                    {bytesNode("id", bigEndian(spk.id, 3)), bytesNode("value", keyBytes(spk.pub)),
                     bytesNode("signature", Bytes(spk.signature.begin(), spk.signature.end()))});
}

}  // namespace

void Server::onEncryptIq(Connection& conn, const Node& iq) {
  Account* account = nullptr;
  Device* self = sessionDevice(conn, &account);
  if (!self) {
    conn.send(iqError(iq, 401, "not-authorized"));
    return;
  }
  if (attrOr(iq, "type") == "get") {
    if (iq.child("count")) {
      conn.send(iqResult(iq, {Node("count", {{"value", std::to_string(self->preKeys.size())}})}));
    } else if (iq.child("digest")) {
      // The shape real servers answer with; clients only check that <digest> is there.
      Node::Children ids;
      Bytes hashed = bigEndian(self->registrationId, 4);
      whatsapp::append(hashed, self->identity);
      for (const auto& k : self->preKeys) {
        ids.push_back(bytesNode("id", bigEndian(k.id, 3)));
        whatsapp::append(hashed, k.pub);
      }
      auto hash = whatsapp::sha256(hashed);
      conn.send(iqResult(iq, {parentNode("digest", {},
                                         {bytesNode("registration", bigEndian(self->registrationId, 4)),
                                          bytesNode("type", Bytes{0x05}), bytesNode("identity", keyBytes(self->identity)),
                                          signedPreKeyNode(self->signedPreKey), parentNode("list", {}, std::move(ids)),
                                          bytesNode("hash", Bytes(hash.begin(), hash.begin() + 20))})}));
    } else if (const Node* key = iq.child("key")) {
      auto users = childrenNamed(*key, "user");
      if (users.size() > kMaxBundleUsers) {
        conn.send(iqError(iq, 400, "too many users"));
        return;
      }
      Node::Children list;
      for (const Node* u : users) {
        list.push_back(bundleFor(attrOr(*u, "jid")));
      }
      conn.send(iqResult(iq, {parentNode("list", {}, std::move(list))}));
    } else {
      conn.send(iqError(iq, 400, "bad-request"));
    }
    return;
  }

  if (const Node* rotate = iq.child("rotate")) {
    auto spk = parseSignedPreKey(rotate->child("skey"), self->identity);
    if (!spk) {
      conn.send(iqError(iq, 400, "bad-request"));
      return;
    }
    self->signedPreKey = *spk;
    conn.send(iqResult(iq));
    return;
  }
  // Upload: everything is checked before anything is stored.
  auto registration = fixedBytes(iq.child("registration"), 4);
  auto keyType = fixedBytes(iq.child("type"), 1);
  auto identity = fixedBytes(iq.child("identity"), 32);
  if (!registration || !keyType || (*keyType)[0] != 0x05 || !identity) {
    conn.send(iqError(iq, 400, "bad-request"));
    return;
  }
  if (!std::equal(identity->begin(), identity->end(), self->identity.begin())) {
    conn.send(iqError(iq, 406, "identity-mismatch"));
    return;
  }
  auto spk = parseSignedPreKey(iq.child("skey"), self->identity);
  if (!spk) {
    conn.send(iqError(iq, 400, "bad-signed-prekey"));
    return;
  }
  std::vector<PreKey> keys;
  if (const Node* list = iq.child("list")) {
    auto entries = childrenNamed(*list, "key");
    if (entries.size() > kMaxPreKeys) {
      conn.send(iqError(iq, 400, "too many prekeys"));
      return;
    }
    for (const Node* k : entries) {
      auto id = fixedBytes(k->child("id"), 3);
      auto value = fixedBytes(k->child("value"), 32);
      if (!id || !value) {
        conn.send(iqError(iq, 400, "bad-prekey"));
        return;
      }
      PreKey pk;
      pk.id = *readBigEndian(*id, 3);
      std::copy(value->begin(), value->end(), pk.pub.begin());
      keys.push_back(pk);
    }
  }
  self->registrationId = *readBigEndian(*registration, 4);
  self->signedPreKey = *spk;
  for (const auto& k : keys) {
    // A re-uploaded id replaces the old key of that id.
    std::erase_if(self->preKeys, [&](const PreKey& old) { return old.id == k.id; });
    self->preKeys.push_back(k);
  }
  while (self->preKeys.size() > kMaxPreKeys) {
    self->preKeys.pop_front();
  }
  conn.send(iqResult(iq));
}

std::optional<whatsapp::PreKeyBundle> Server::takeBundle(Account& a, std::uint16_t device) {
  whatsapp::PreKeyBundle b;
  auto take = [&](std::deque<PreKey>& keys) {
    if (!keys.empty()) {
      b.preKey = whatsapp::PreKeyPublic{keys.front().id, keys.front().pub};
      keys.pop_front();
    }
  };
  if (device == 0) {
    auto& phone = a.primary;
    b.registrationId = phone.registrationId;
    b.identity = phone.identity.pub;
    b.signedPreKey = {phone.signedPreKey.id, phone.signedPreKey.pub, phone.signedPreKey.signature};
    take(phone.preKeys);
    // A real phone tops its prekeys up when they run low.
    if (phone.preKeys.size() < 10 && !phone.topUpRequested && phone.agent) {
      phone.topUpRequested = true;
      phone.agent->topUpPreKeys(50);
    }
    return b;
  }
  auto it = a.devices.find(device);
  if (it == a.devices.end()) {
    return std::nullopt;
  }
  Device& d = it->second;
  b.registrationId = d.registrationId;
  b.identity = d.identity;
  b.signedPreKey = {d.signedPreKey.id, d.signedPreKey.pub, d.signedPreKey.signature};
  bool had = !d.preKeys.empty();
  take(d.preKeys);
  // Running low: tell the companion once, as its count crosses the line.
  if (had && d.preKeys.size() == kLowPreKeys) {
    notifyLowPreKeys(a, d);
  }
  return b;
}

Node Server::bundleFor(const std::string& requestedJid) {
  auto address = world_.resolve(requestedJid);
  auto bundle = address ? takeBundle(*address->account, address->device) : std::nullopt;
  if (!bundle) {
    return parentNode("user", {{"jid", requestedJid}}, {Node("error", {{"code", "404"}, {"text", "item-not-found"}})});
  }
  std::optional<Bytes> identity;
  if (address->device != 0) {
    const auto& signedIdentity = address->account->devices.at(address->device).signedIdentity;
    if (!signedIdentity.empty()) {
      identity = signedIdentity;
    }
  }
  return whatsapp::preKeyBundleNode(requestedJid, *bundle, identity);
}

}  // namespace switchboard::wasim
