#include "simulator/snapshot.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "signal/store.hpp"
#include "simulator/base64.hpp"
#include "simulator/phone_agent.hpp"

namespace switchboard::wasim {
namespace {

using nlohmann::json;
using whatsapp::Bytes;
using whatsapp::Key32;

constexpr const char* kFileName = "state.json";
constexpr int kVersion = 1;

sdk::Error snapshotError(std::string what) { return sdk::Error::fatal("wasim.snapshot", std::move(what)); }

std::string b64(whatsapp::ByteView b) { return toBase64(b); }

Bytes bytesOf(const json& j) {
  auto decoded = fromBase64(j.get<std::string>());
  if (!decoded) {
    throw std::runtime_error("bad base64 value");
  }
  return *decoded;
}

template <std::size_t N>
std::array<std::uint8_t, N> arrayOf(const json& j) {
  auto b = bytesOf(j);
  if (b.size() != N) {
    throw std::runtime_error("a key of the wrong length");
  }
  std::array<std::uint8_t, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

json preKeyJson(const PreKey& k, bool withPrivate) {
  json j{{"id", k.id}, {"pub", b64(k.pub)}};
  if (withPrivate) {
    j["priv"] = b64(k.priv);
  }
  return j;
}

PreKey preKeyOf(const json& j) {
  PreKey k;
  k.id = j.at("id").get<std::uint32_t>();
  k.pub = arrayOf<32>(j.at("pub"));
  if (j.contains("priv")) {
    k.priv = arrayOf<32>(j.at("priv"));
  }
  return k;
}

json signedPreKeyJson(const SignedPreKey& k, bool withPrivate) {
  json j{{"id", k.id}, {"pub", b64(k.pub)}, {"sig", b64(k.signature)}};
  if (withPrivate) {
    j["priv"] = b64(k.priv);
  }
  return j;
}

SignedPreKey signedPreKeyOf(const json& j) {
  SignedPreKey k;
  k.id = j.at("id").get<std::uint32_t>();
  k.pub = arrayOf<32>(j.at("pub"));
  k.signature = arrayOf<64>(j.at("sig"));
  if (j.contains("priv")) {
    k.priv = arrayOf<32>(j.at("priv"));
  }
  return k;
}

json pendingJson(const PendingStanza& p) {
  auto encoded = whatsapp::encodeNode(p.node, whatsapp::TokenDictionary::v3());
  return {{"kind", static_cast<int>(p.kind)}, {"id", p.id}, {"node", encoded ? b64(*encoded) : std::string()}};
}

std::optional<PendingStanza> pendingOf(const json& j) {
  auto node = whatsapp::decodeNode(bytesOf(j.at("node")), whatsapp::TokenDictionary::v3());
  if (!node) {
    return std::nullopt;
  }
  PendingStanza p;
  p.kind = static_cast<PendingStanza::Kind>(j.at("kind").get<int>());
  p.id = j.at("id").get<std::string>();
  p.node = std::move(*node);
  return p;
}

}  // namespace

std::string snapshotText(const World& world, const whatsapp::KeyPair& root) {
  json accounts = json::array();
  for (const auto& [phone, a] : world.accounts()) {
    json preKeys = json::array();
    for (const auto& k : a.primary.preKeys) {
      preKeys.push_back(preKeyJson(k, false));
    }
    json signal = json::array();
    std::uint32_t nextPreKeyId = a.primary.restoredNextPreKeyId;
    if (a.primary.agent) {
      for (const auto& [table, key, value] : a.primary.agent->rows()) {
        signal.push_back({std::string(whatsapp::signalTableName(table)), key, b64(value)});
      }
      nextPreKeyId = a.primary.agent->nextPreKeyId();
    }
    json devices = json::array();
    for (const auto& [id, d] : a.devices) {
      json keys = json::array();
      for (const auto& k : d.preKeys) {
        keys.push_back(preKeyJson(k, false));
      }
      json pending = json::array();
      for (const auto& p : d.pending) {
        pending.push_back(pendingJson(p));
      }
      devices.push_back({{"id", d.id},
                         {"keyIndex", d.keyIndex},
                         {"noiseKey", b64(d.noiseKey)},
                         {"registrationId", d.registrationId},
                         {"identity", b64(d.identity)},
                         {"signedPreKey", signedPreKeyJson(d.signedPreKey, false)},
                         {"preKeys", std::move(keys)},
                         {"signedIdentity", b64(d.signedIdentity)},
                         {"platform", d.platform},
                         {"linkedAt", d.linkedAt},
                         {"pending", std::move(pending)}});
    }
    accounts.push_back({{"phone", a.phone},
                        {"lid", a.lid},
                        {"pushName", a.pushName},
                        {"createdAt", a.createdAt},
                        {"nextDeviceId", a.nextDeviceId},
                        {"nextKeyIndex", a.nextKeyIndex},
                        {"primary",
                         {{"identity", b64(a.primary.identity.priv)},
                          {"registrationId", a.primary.registrationId},
                          {"rawId", a.primary.rawId},
                          {"signedPreKey", signedPreKeyJson(a.primary.signedPreKey, false)},
                          {"preKeys", std::move(preKeys)},
                          {"signal", std::move(signal)},
                          {"nextPreKeyId", nextPreKeyId},
                          {"appStateKeyId", b64(a.primary.appStateKeyId)},
                          {"appStateKey", b64(a.primary.appStateKey)}}},
                        {"devices", std::move(devices)}});
  }
  json groups = json::array();
  for (const auto& [id, g] : world.groups()) {
    groups.push_back({{"id", g.id},
                      {"subject", g.subject},
                      {"creator", g.creatorPhone},
                      {"createdAt", g.createdAt},
                      {"members", g.members},
                      {"admins", g.admins},
                      {"lid", g.lidAddressed}});
  }
  json doc{{"version", kVersion}, {"root", b64(root.priv)}, {"accounts", std::move(accounts)}, {"groups", std::move(groups)}};
  return doc.dump(1);
}

sdk::Status writeSnapshot(const std::string& dir, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto path = std::filesystem::path(dir) / kFileName;
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      return snapshotError("cannot write " + tmp.string());
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return snapshotError("cannot replace " + path.string() + ": " + ec.message());
  }
  return {};
}

sdk::Result<Snapshot> parseSnapshot(const std::string& text) {
  // The file is ours, but a truncated or edited one must be an error, not a crash: the JSON
  // library reports problems as exceptions, turned into an error value here.
  try {
    auto doc = json::parse(text);
    if (doc.at("version").get<int>() != kVersion) {
      return snapshotError("unknown snapshot version " + doc.at("version").dump());
    }
    Snapshot snap;
    snap.root = whatsapp::KeyPair::fromPrivate(arrayOf<32>(doc.at("root")));
    World world;
    for (const auto& ja : doc.at("accounts")) {
      Account a;
      a.phone = ja.at("phone").get<std::string>();
      a.lid = ja.at("lid").get<std::string>();
      a.pushName = ja.at("pushName").get<std::string>();
      a.createdAt = ja.at("createdAt").get<std::uint64_t>();
      a.nextDeviceId = ja.at("nextDeviceId").get<std::uint16_t>();
      a.nextKeyIndex = ja.at("nextKeyIndex").get<std::uint32_t>();
      const auto& jp = ja.at("primary");
      a.primary.identity = whatsapp::KeyPair::fromPrivate(arrayOf<32>(jp.at("identity")));
      a.primary.registrationId = jp.at("registrationId").get<std::uint32_t>();
      a.primary.rawId = jp.at("rawId").get<std::uint32_t>();
      a.primary.signedPreKey = signedPreKeyOf(jp.at("signedPreKey"));
      for (const auto& k : jp.at("preKeys")) {
        a.primary.preKeys.push_back(preKeyOf(k));
      }
      for (const auto& row : jp.at("signal")) {
        auto table = whatsapp::parseSignalTable(row.at(0).get<std::string>());
        if (!table) {
          throw std::runtime_error("unknown Signal table " + row.at(0).dump());
        }
        a.primary.restoredSignalRows.emplace_back(static_cast<std::uint8_t>(*table), row.at(1).get<std::string>(),
                                                  bytesOf(row.at(2)));
      }
      a.primary.restoredNextPreKeyId = jp.at("nextPreKeyId").get<std::uint32_t>();
      a.primary.appStateKeyId = bytesOf(jp.at("appStateKeyId"));
      a.primary.appStateKey = bytesOf(jp.at("appStateKey"));
      for (const auto& jd : ja.at("devices")) {
        Device d;
        d.id = jd.at("id").get<std::uint16_t>();
        d.keyIndex = jd.at("keyIndex").get<std::uint32_t>();
        d.noiseKey = arrayOf<32>(jd.at("noiseKey"));
        d.registrationId = jd.at("registrationId").get<std::uint32_t>();
        d.identity = arrayOf<32>(jd.at("identity"));
        d.signedPreKey = signedPreKeyOf(jd.at("signedPreKey"));
        for (const auto& k : jd.at("preKeys")) {
          d.preKeys.push_back(preKeyOf(k));
        }
        d.signedIdentity = bytesOf(jd.at("signedIdentity"));
        d.platform = jd.at("platform").get<std::string>();
        d.linkedAt = jd.at("linkedAt").get<std::uint64_t>();
        for (const auto& p : jd.at("pending")) {
          if (auto stanza = pendingOf(p)) {
            stanza->bytes = stanzaBytes(stanza->node);
            d.pending.push(std::move(*stanza));
          }
        }
        auto id = d.id;
        a.devices[id] = std::move(d);
      }
      world.addAccount(std::move(a));
    }
    for (const auto& jg : doc.at("groups")) {
      Group g;
      g.id = jg.at("id").get<std::string>();
      g.subject = jg.at("subject").get<std::string>();
      g.creatorPhone = jg.at("creator").get<std::string>();
      g.createdAt = jg.at("createdAt").get<std::uint64_t>();
      g.members = jg.at("members").get<std::vector<std::string>>();
      g.admins = jg.at("admins").get<std::vector<std::string>>();
      g.lidAddressed = jg.at("lid").get<bool>();
      world.addGroup(std::move(g));
    }
    snap.world = std::move(world);
    return snap;
  } catch (const std::exception& e) {
    return snapshotError(std::string("the snapshot does not parse: ") + e.what());
  }
}

sdk::Result<Snapshot> loadSnapshot(const std::string& dir) {
  auto path = std::filesystem::path(dir) / kFileName;
  std::ifstream in(path);
  if (!in) {
    return Snapshot{};
  }
  std::stringstream text;
  text << in.rdbuf();
  auto snap = parseSnapshot(text.str());
  if (!snap) {
    return snapshotError(path.string() + ": " + snap.error().message);
  }
  return snap;
}

}  // namespace switchboard::wasim
