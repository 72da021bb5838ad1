#include "signal/bundle_nodes.hpp"

#include <algorithm>

#include "signal/errors.hpp"

namespace switchboard::whatsapp {

namespace {

// More one-time prekeys than any client uploads at once (Baileys: 812); bounds server memory.
constexpr std::size_t kMaxUploadedPreKeys = 16384;

Bytes bigEndian(std::uint32_t v, int bytes) {
  Bytes out;
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  return out;
}

std::uint32_t readBigEndian(ByteView b) {
  std::uint32_t v = 0;
  for (auto byte : b) {
    v = (v << 8) | byte;
  }
  return v;
}

Node bytesNode(std::string tag, ByteView content) { return Node(std::move(tag), {}, Bytes(content.begin(), content.end())); }

sdk::Error bad(std::string what) { return signalError(SignalErrc::InvalidMessage, "prekey node: " + std::move(what)); }

// "<tag> in <parent>", built by appending: GCC 12 at -O3 misreads `"<" + std::string(...)` as an
// overlapping memcpy (-Wrestrict, GCC bug 105329).
std::string where(std::string_view tag, const Node& parent) {
  std::string out;
  out.append("<").append(tag).append("> in <").append(parent.tag).append(">");
  return out;
}

// The bytes content of parent's child <tag>, which must be exactly size bytes long.
sdk::Result<ByteView> exactChild(const Node& parent, std::string_view tag, std::size_t size) {
  const Node* child = parent.child(tag);
  if (child == nullptr) {
    return bad(where(tag, parent) + " is missing");
  }
  const Bytes* bytes = child->bytes();
  if (bytes == nullptr) {
    return bad(where(tag, parent) + " does not hold bytes");
  }
  if (bytes->size() != size) {
    return bad(where(tag, parent) + " is " + std::to_string(bytes->size()) + " bytes, expected " +
               std::to_string(size));
  }
  return ByteView(*bytes);
}

sdk::Result<Key32> keyChild(const Node& parent, std::string_view tag) {
  auto b = exactChild(parent, tag, 32);
  if (!b.ok()) {
    return b.takeError();
  }
  Key32 k{};
  std::copy(b->begin(), b->end(), k.begin());
  return k;
}

sdk::Result<std::uint32_t> idChild(const Node& parent, std::string_view tag, std::size_t size) {
  auto b = exactChild(parent, tag, size);
  if (!b.ok()) {
    return b.takeError();
  }
  return readBigEndian(*b);
}

sdk::Result<PreKeyPublic> parsePreKey(const Node& key) {
  auto id = idChild(key, "id", 3);
  if (!id.ok()) {
    return id.takeError();
  }
  auto pub = keyChild(key, "value");
  if (!pub.ok()) {
    return pub.takeError();
  }
  return PreKeyPublic{*id, *pub};
}

sdk::Result<SignedPreKeyPublic> parseSignedPreKey(const Node& skey) {
  auto id = idChild(skey, "id", 3);
  if (!id.ok()) {
    return id.takeError();
  }
  auto pub = keyChild(skey, "value");
  if (!pub.ok()) {
    return pub.takeError();
  }
  auto sig = exactChild(skey, "signature", 64);
  if (!sig.ok()) {
    return sig.takeError();
  }
  SignedPreKeyPublic out{*id, *pub, {}};
  std::copy(sig->begin(), sig->end(), out.signature.begin());
  return out;
}

// <type>, when present, must name the DJB key type.
sdk::Status checkKeyType(const Node& parent) {
  if (parent.child("type") == nullptr) {
    return sdk::okStatus();
  }
  auto type = exactChild(parent, "type", 1);
  if (!type.ok()) {
    return type.takeError();
  }
  if ((*type)[0] != kDjbKeyType) {
    return bad("<type> is " + std::to_string((*type)[0]) + ", expected 5 (DJB)");
  }
  return sdk::okStatus();
}

}  // namespace

Node registrationNode(std::uint32_t registrationId) { return bytesNode("registration", bigEndian(registrationId, 4)); }

Node keyTypeNode() { return bytesNode("type", Bytes{kDjbKeyType}); }

Node identityNode(const Key32& identity) { return bytesNode("identity", identity); }

Node preKeyNode(const PreKeyPublic& preKey) {
  return Node("key", {}, Node::Children{bytesNode("id", bigEndian(preKey.id, 3)), bytesNode("value", preKey.pub)});
}

Node signedPreKeyNode(const SignedPreKeyPublic& signedPreKey) {
  return Node("skey", {},
              Node::Children{bytesNode("id", bigEndian(signedPreKey.id, 3)), bytesNode("value", signedPreKey.pub),
                             bytesNode("signature", signedPreKey.signature)});
}

std::vector<Node> preKeyUploadNodes(const PreKeyUpload& upload) {
  Node::Children keys;
  keys.reserve(upload.preKeys.size());
  for (const auto& k : upload.preKeys) {
    keys.push_back(preKeyNode(k));
  }
  std::vector<Node> out;
  out.push_back(registrationNode(upload.registrationId));
  out.push_back(keyTypeNode());
  out.push_back(identityNode(upload.identity));
  out.push_back(Node("list", {}, std::move(keys)));
  out.push_back(signedPreKeyNode(upload.signedPreKey));
  return out;
}

sdk::Result<PreKeyBundle> parsePreKeyBundle(const Node& node) {
  if (const Node* error = node.child("error"); error != nullptr) {
    return bad("the server returned error " + std::string(error->attr("code").value_or("?")) + " (" +
               std::string(error->attr("text").value_or("")) + ")");
  }
  // Registration sits in the node itself; the keys either there too or in a <keys> child.
  const Node* keys = node.child("keys");
  const Node& holder = keys != nullptr ? *keys : node;
  PreKeyBundle out;
  auto reg = idChild(node, "registration", 4);
  if (!reg.ok()) {
    return reg.takeError();
  }
  out.registrationId = *reg;
  SB_TRY(checkKeyType(holder));
  auto identity = keyChild(holder, "identity");
  if (!identity.ok()) {
    return identity.takeError();
  }
  out.identity = *identity;
  const Node* skey = holder.child("skey");
  if (skey == nullptr) {
    return bad(where("skey", holder) + " is missing");
  }
  auto spk = parseSignedPreKey(*skey);
  if (!spk.ok()) {
    return spk.takeError();
  }
  out.signedPreKey = *spk;
  if (const Node* key = holder.child("key"); key != nullptr) {
    auto pk = parsePreKey(*key);
    if (!pk.ok()) {
      return pk.takeError();
    }
    out.preKey = *pk;
  }
  return out;
}

sdk::Result<std::vector<FetchedBundle>> parsePreKeyBundles(const Node& reply) {
  const Node* list = reply.tag == "list" ? &reply : reply.child("list");
  if (list == nullptr || !list->hasChildren()) {
    return bad("the prekey reply has no <list> of users");
  }
  std::vector<FetchedBundle> out;
  for (const Node& user : *list->children()) {
    if (user.tag != "user") {
      continue;
    }
    out.push_back(FetchedBundle{std::string(user.attr("jid").value_or("")), parsePreKeyBundle(user)});
  }
  return out;
}

Node retryKeysNode(const PreKeyBundle& bundle, const std::optional<Bytes>& deviceIdentity) {
  Node::Children c;
  c.push_back(keyTypeNode());
  c.push_back(identityNode(bundle.identity));
  if (bundle.preKey) {
    c.push_back(preKeyNode(*bundle.preKey));
  }
  c.push_back(signedPreKeyNode(bundle.signedPreKey));
  if (deviceIdentity) {
    c.push_back(bytesNode("device-identity", *deviceIdentity));
  }
  return Node("keys", {}, std::move(c));
}

sdk::Result<PreKeyUpload> parsePreKeyUpload(const Node& iq) {
  PreKeyUpload out;
  auto reg = idChild(iq, "registration", 4);
  if (!reg.ok()) {
    return reg.takeError();
  }
  out.registrationId = *reg;
  SB_TRY(checkKeyType(iq));
  auto identity = keyChild(iq, "identity");
  if (!identity.ok()) {
    return identity.takeError();
  }
  out.identity = *identity;
  const Node* skey = iq.child("skey");
  if (skey == nullptr) {
    return bad("the upload has no <skey>");
  }
  auto spk = parseSignedPreKey(*skey);
  if (!spk.ok()) {
    return spk.takeError();
  }
  out.signedPreKey = *spk;
  if (const Node* list = iq.child("list"); list != nullptr && list->hasChildren()) {
    if (list->children()->size() > kMaxUploadedPreKeys) {
      return bad("the upload has " + std::to_string(list->children()->size()) + " prekeys, more than " +
                 std::to_string(kMaxUploadedPreKeys));
    }
    for (const Node& key : *list->children()) {
      if (key.tag != "key") {
        continue;
      }
      auto pk = parsePreKey(key);
      if (!pk.ok()) {
        return pk.takeError();
      }
      out.preKeys.push_back(*pk);
    }
  }
  return out;
}

Node preKeyBundleNode(const std::string& jid, const PreKeyBundle& bundle, const std::optional<Bytes>& deviceIdentity) {
  Node::Children c;
  c.push_back(registrationNode(bundle.registrationId));
  c.push_back(keyTypeNode());
  c.push_back(identityNode(bundle.identity));
  c.push_back(signedPreKeyNode(bundle.signedPreKey));
  if (bundle.preKey) {
    c.push_back(preKeyNode(*bundle.preKey));
  }
  if (deviceIdentity) {
    c.push_back(bytesNode("device-identity", *deviceIdentity));
  }
  return Node("user", {{"jid", jid}}, std::move(c));
}

}  // namespace switchboard::whatsapp
