// Test peer for tests/node/signal/signal-crosscheck.mjs: simulated devices running sb_wasignal,
// driven by JSON lines on stdin (one answer line per request), so the node script can exchange
// pkmsg/msg/skmsg with Baileys' own Signal code in both directions. Prekeys cross as binary nodes
// in WhatsApp's wire form (our codec, dictionary 3), exactly as a server would carry them.
//
// Requests: {"op", "dev", ...}; answers {"ok": true, ...} or {"ok": false, "errc", "error"}.
//   init {jid, prekeys}                    new device: identity, signed prekey 1, prekeys 1..n
//   bundle_node {prekey}                   an <iq><list><user> fetch reply with our bundle (prekey 0: none)
//   retry_node {prekey}                    a retry <receipt> with <registration> and <keys>
//   session_from_upload {peer, node, prekey}  parse a peer's upload iq, start a session from it
//   encrypt {peer, text}                   pad, encrypt -> {type, data}
//   decrypt {peer, type, data}             decrypt, strict unpad -> {text}
//   skdm {group}                           our sender key distribution message -> {data}
//   process_skdm {group, sender, data}
//   group_encrypt {group, text}            pad, skmsg -> {data}
//   group_decrypt {group, sender, data}    skmsg, strict unpad -> {text}
//   prekey_count                           one-time prekeys left -> {count}
// Every operation runs in a SignalTransaction committed only when it succeeded.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/binary_node.hpp"
#include "signal/bundle_nodes.hpp"
#include "signal/errors.hpp"
#include "signal/memory_store.hpp"
#include "signal/padding.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"

namespace wa = switchboard::whatsapp;
namespace sdk = switchboard::sdk;
using nlohmann::json;

namespace {

wa::Bytes fromHex(const std::string& hex) {
  wa::Bytes out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
  }
  return out;
}

struct Device {
  std::string jid;
  wa::SignalAddress address;
  wa::MemorySignalStore store;
};

json failure(const sdk::Error& e) {
  auto errc = wa::signalErrc(e);
  return {{"ok", false}, {"errc", errc ? std::string(wa::signalErrcName(*errc)) : e.code}, {"error", e.describe()}};
}

wa::SignalAddress addressOf(const json& in, const char* key) {
  auto a = wa::SignalAddress::fromJid(in.at(key).get<std::string>());
  if (!a.ok()) {
    throw std::runtime_error(a.error().describe());  // a broken test script, not input under test
  }
  return *a;
}

std::string encodeHex(const wa::Node& n) {
  auto bytes = wa::encodeNode(n, wa::TokenDictionary::v3());
  if (!bytes.ok()) {
    throw std::runtime_error(bytes.error().describe());
  }
  return wa::toHex(*bytes);
}

// Runs op in a transaction over dev's store; commits when it returned ok.
template <typename Op>
json transact(Device& dev, Op op) {
  wa::SignalTransaction tx(dev.store);
  wa::SignalProtocol sp(tx);
  json out = op(sp);
  if (out.value("ok", false)) {
    auto st = tx.commit();
    if (!st.ok()) {
      return failure(st.error());
    }
  }
  return out;
}

json handle(std::map<std::string, Device>& devices, const json& in) {
  const std::string op = in.at("op");
  const std::string name = in.at("dev");
  if (op == "init") {
    Device& dev = devices[name];
    dev = Device{};
    dev.jid = in.at("jid");
    dev.address = addressOf(in, "jid");
    auto identity = wa::LocalIdentity::generate();
    if (in.contains("regid")) {
      identity.registrationId = in["regid"].get<std::uint32_t>();
    }
    if (auto st = wa::saveLocalIdentity(dev.store, identity); !st.ok()) {
      return failure(st.error());
    }
    wa::SignalProtocol sp(dev.store);
    if (auto spk = sp.generateSignedPreKey(1); !spk.ok()) {
      return failure(spk.error());
    }
    if (auto pks = sp.generatePreKeys(1, in.value("prekeys", 5u)); !pks.ok()) {
      return failure(pks.error());
    }
    return {{"ok", true}, {"regid", identity.registrationId}};
  }
  Device& dev = devices.at(name);
  return transact(dev, [&](wa::SignalProtocol& sp) -> json {
    if (op == "bundle_node" || op == "retry_node") {
      std::uint32_t pk = in.value("prekey", 0u);
      auto bundle = sp.ownBundle(1, pk == 0 ? std::nullopt : std::optional<std::uint32_t>(pk));
      if (!bundle.ok()) {
        return failure(bundle.error());
      }
      if (op == "bundle_node") {
        wa::Node iq("iq", {{"from", "s.whatsapp.net"}, {"type", "result"}, {"id", "1"}},
                    wa::Node::Children{wa::Node("list", {}, wa::Node::Children{wa::preKeyBundleNode(dev.jid, *bundle)})});
        return {{"ok", true}, {"node", encodeHex(iq)}};
      }
      wa::Node receipt("receipt", {{"id", "3EB0RETRY"}, {"type", "retry"}, {"from", dev.jid}},
                       wa::Node::Children{wa::Node("retry", {{"count", "2"}, {"id", "3EB0RETRY"}, {"v", "1"}}),
                                          wa::registrationNode(bundle->registrationId),
                                          wa::retryKeysNode(*bundle, wa::Bytes{0x0A, 0x01, 0x00})});
      return {{"ok", true}, {"node", encodeHex(receipt)}};
    }
    if (op == "session_from_upload") {
      auto node = wa::decodeNode(fromHex(in.at("node")), wa::TokenDictionary::v3());
      if (!node.ok()) {
        return failure(node.error());
      }
      auto upload = wa::parsePreKeyUpload(*node);
      if (!upload.ok()) {
        return failure(upload.error());
      }
      wa::PreKeyBundle bundle{upload->registrationId, upload->identity, upload->signedPreKey, std::nullopt};
      std::uint32_t want = in.value("prekey", 0u);
      for (const auto& k : upload->preKeys) {
        if (k.id == want) {
          bundle.preKey = k;
        }
      }
      if (want != 0 && !bundle.preKey) {
        return {{"ok", false}, {"errc", "test"}, {"error", "the upload has no prekey " + std::to_string(want)}};
      }
      if (!wa::verifySignedPreKey(bundle.identity, bundle.signedPreKey)) {
        return {{"ok", false}, {"errc", "test"}, {"error", "the uploaded signed prekey signature does not verify"}};
      }
      auto st = sp.processBundle(addressOf(in, "peer"), bundle);
      if (!st.ok()) {
        return failure(st.error());
      }
      return {{"ok", true}, {"uploaded", upload->preKeys.size()}};
    }
    if (op == "encrypt") {
      auto m = sp.encrypt(addressOf(in, "peer"), wa::padMessage(fromHex(in.at("text"))));
      if (!m.ok()) {
        return failure(m.error());
      }
      return {{"ok", true}, {"type", std::string(wa::cipherTypeName(m->type))}, {"data", wa::toHex(m->data)}};
    }
    if (op == "decrypt") {
      auto type = wa::parseCipherType(in.at("type").get<std::string>());
      if (!type) {
        return {{"ok", false}, {"errc", "test"}, {"error", "unknown type"}};
      }
      auto plain = sp.decrypt(addressOf(in, "peer"), *type, fromHex(in.at("data")));
      if (!plain.ok()) {
        return failure(plain.error());
      }
      auto text = wa::unpadMessage(*plain);
      if (!text.ok()) {
        return failure(text.error());
      }
      return {{"ok", true}, {"text", wa::toHex(*text)}};
    }
    const wa::SenderKeyName own{in.value("group", ""), dev.address};
    if (op == "skdm") {
      auto skdm = sp.senderKeyDistribution(own);
      if (!skdm.ok()) {
        return failure(skdm.error());
      }
      return {{"ok", true}, {"data", wa::toHex(*skdm)}};
    }
    if (op == "process_skdm") {
      auto st = sp.processSenderKeyDistribution({in.at("group"), addressOf(in, "sender")}, fromHex(in.at("data")));
      return st.ok() ? json{{"ok", true}} : failure(st.error());
    }
    if (op == "group_encrypt") {
      auto m = sp.groupEncrypt(own, wa::padMessage(fromHex(in.at("text"))));
      if (!m.ok()) {
        return failure(m.error());
      }
      return {{"ok", true}, {"data", wa::toHex(*m)}};
    }
    if (op == "group_decrypt") {
      auto plain = sp.groupDecrypt({in.at("group"), addressOf(in, "sender")}, fromHex(in.at("data")));
      if (!plain.ok()) {
        return failure(plain.error());
      }
      auto text = wa::unpadMessage(*plain);
      if (!text.ok()) {
        return failure(text.error());
      }
      return {{"ok", true}, {"text", wa::toHex(*text)}};
    }
    if (op == "prekey_count") {
      return {{"ok", true}, {"count", dev.store.size(wa::SignalTable::PreKey)}};
    }
    return {{"ok", false}, {"errc", "test"}, {"error", "unknown op " + op}};
  });
}

}  // namespace

int main() {
  std::map<std::string, Device> devices;
  std::string line;
  while (std::getline(std::cin, line)) {
    json in = json::parse(line);
    json out;
    try {
      out = handle(devices, in);
    } catch (const std::exception& e) {
      out = {{"ok", false}, {"errc", "test"}, {"error", std::string("bad request: ") + e.what()}};
    }
    out["id"] = in.value("id", 0);
    std::cout << out.dump() << std::endl;
  }
  return 0;
}
