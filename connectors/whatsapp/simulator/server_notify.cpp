// Server notifications: device list changes (so other clients refresh their caches) and low
// one-time prekey counts (so the companion uploads more), protocol notes 6.3 and 7.10.
#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

/// Peers remembered per account; enough for tests and load, bounded for hostile clients.
constexpr std::size_t kMaxPeers = 4096;

}  // namespace

void Server::addPeers(Account& a, Account& b) {
  if (&a == &b) {
    return;
  }
  if (a.peers.size() < kMaxPeers) {
    a.peers.insert(b.phone);
  }
  if (b.peers.size() < kMaxPeers) {
    b.peers.insert(a.phone);
  }
}

void Server::notifyDevices(Account& account, std::string_view change, std::uint16_t device, std::uint32_t keyIndex,
                           Effects& fx) {
  std::set<std::string> audience(account.peers.begin(), account.peers.end());
  for (const auto& [id, g] : world_.groups()) {
    if (g.isMember(account.phone)) {
      audience.insert(g.members.begin(), g.members.end());
    }
  }
  audience.insert(account.phone);  // our own other companions
  // Once per address form: a client keys its device cache by whichever form it talks to.
  for (bool lid : {false, true}) {
    Node entry("device", {{"jid", (lid ? account.lidJid(device) : account.pnJid(device)).toString()}});
    if (change == "add") {
      entry.setAttr("key-index", std::to_string(keyIndex));
    }
    Node note("notification", {{"from", (lid ? account.lidJid() : account.pnJid()).toString()},
                               {"type", "devices"},
                               {"id", nextStanzaId()},
                               {"t", unixNowText()}},
              Node::Children{Node(std::string(change), {}, Node::Children{std::move(entry)})});
    for (const auto& phone : audience) {
      Account* a = world_.account(phone);
      if (!a) {
        continue;
      }
      std::vector<std::uint16_t> targets;
      for (const auto& [id, d] : a->devices) {
        if (!(a == &account && id == device)) {
          targets.push_back(id);
        }
      }
      for (auto id : targets) {
        Node copy = note;
        copy.setAttr("id", nextStanzaId());
        deliver(*a, id, PendingStanza::Kind::Notification, std::move(copy), fx);
      }
    }
  }
}

void Server::notifyLowPreKeys(Account& account, Device& device) {
  Effects unused;  // notifications to companions raise no events
  deliver(account, device.id, PendingStanza::Kind::Notification,
          Node("notification", {{"from", std::string(kServerJid)}, {"type", "encrypt"}, {"id", nextStanzaId()}, {"t", unixNowText()}},
               Node::Children{Node("count", {{"value", std::to_string(device.preKeys.size())}})}),
          unused);
}

}  // namespace switchboard::wasim
