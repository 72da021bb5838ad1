// Groups (xmlns="w:g2"): create, metadata, add/remove/leave, subject; and the group message
// fan-out: every member device gets the shared sender-key <enc>, devices named in <participants>
// also their own pairwise <enc> (the sender key distribution). Groups are LID-addressed
// (protocol notes 7.1, 7.4, 7.9), except those created by dictionary-2 clients (Baileys 6).
#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

constexpr std::size_t kMaxGroupSize = 1024;
/// Groups one account may create: bounds what a client can make the simulator keep.
constexpr std::size_t kMaxGroupsPerCreator = 512;

std::string groupJid(const Group& g) { return g.id + "@g.us"; }

}  // namespace

Node Server::groupNode(const Group& g) {
  Node::Children participants;
  for (const auto& phone : g.members) {
    const Account* a = world_.account(phone);
    if (!a) {
      continue;
    }
    Node p = g.lidAddressed
                 ? Node("participant", {{"jid", a->lidJid().toString()}, {"phone_number", a->pnJid().toString()}})
                 : Node("participant", {{"jid", a->pnJid().toString()}, {"lid", a->lidJid().toString()}});
    if (phone == g.creatorPhone) {
      p.setAttr("type", "superadmin");
    } else if (g.isAdmin(phone)) {
      p.setAttr("type", "admin");
    }
    participants.push_back(std::move(p));
  }
  const Account* creator = world_.account(g.creatorPhone);
  std::string creatorJid =
      creator ? (g.lidAddressed ? creator->lidJid() : creator->pnJid()).toString() : std::string();
  return parentNode("group", {{"id", g.id},
                              {"subject", g.subject},
                              {"s_t", std::to_string(g.createdAt)},
                              {"s_o", creatorJid},
                              {"creation", std::to_string(g.createdAt)},
                              {"creator", creatorJid},
                              {"addressing_mode", g.lidAddressed ? "lid" : "pn"},
                              {"size", std::to_string(participants.size())}},
                    std::move(participants));
}

void Server::onGroupIq(Connection& conn, const Node& iq) {
  Account* self = nullptr;
  sessionDevice(conn, &self);
  const auto* kids = iq.children();
  if (!self || !kids || kids->size() != 1) {
    conn.send(iqError(iq, 400, "bad-request"));
    return;
  }
  const Node& op = kids->front();
  // Participants named by PN or LID, resolved to accounts; unknown ones are reported per JID.
  auto members = [&](const Node& parent, std::vector<std::string>& known, Node::Children& report) {
    for (const Node* p : childrenNamed(parent, "participant")) {
      auto jid = attrOr(*p, "jid");
      auto address = world_.resolve(jid);
      if (address) {
        known.push_back(address->account->phone);
        report.push_back(Node("participant", {{"jid", jid}}));
      } else {
        report.push_back(Node("participant", {{"jid", jid}, {"error", "404"}}));
      }
    }
  };

  if (op.tag == "create") {
    auto subject = attrOr(op, "subject");
    if (subject.empty() || subject.size() > 100) {
      conn.send(iqError(iq, 400, "bad-request"));
      return;
    }
    std::size_t mine = 0;
    for (const auto& [id, g] : world_.groups()) {
      mine += g.creatorPhone == self->phone ? 1 : 0;
    }
    if (mine >= kMaxGroupsPerCreator) {
      conn.send(iqError(iq, 429, "rate-overlimit"));
      return;
    }
    std::vector<std::string> phones;
    Node::Children report;
    members(op, phones, report);
    Group g;
    g.id = world_.newGroupId();
    g.subject = subject;
    g.creatorPhone = self->phone;
    g.createdAt = unixNow();
    g.lidAddressed = conn.dict().version() >= 3;
    g.members.push_back(self->phone);
    g.admins.push_back(self->phone);
    for (const auto& p : phones) {
      if (!g.isMember(p) && g.members.size() < kMaxGroupSize) {
        g.members.push_back(p);
      }
    }
    auto& stored = world_.addGroup(std::move(g));
    auto reply = iqResult(iq, {groupNode(stored)});
    reply.setAttr("from", "@g.us");
    conn.send(reply);
    return;
  }
  if (op.tag == "leave") {
    for (const Node* g : childrenNamed(op, "group")) {
      auto id = attrOr(*g, "id");
      if (auto at = id.find('@'); at != std::string::npos) {
        id.resize(at);
      }
      if (Group* group = world_.group(id); group && group->isMember(self->phone)) {
        std::erase(group->members, self->phone);
        std::erase(group->admins, self->phone);
        const Jid who = group->lidAddressed ? self->lidJid() : self->pnJid();
        notifyGroup(*group, self->phone,
                    Node("leave", {}, Node::Children{Node("participant", {{"jid", who.toString()}})}), {self->phone});
      }
    }
    conn.send(iqResult(iq));
    return;
  }

  auto to = Jid::parse(attrOr(iq, "to"));
  Group* group = to && to->server == whatsapp::kGroupServer ? world_.group(to->user) : nullptr;
  if (!group) {
    conn.send(iqError(iq, 404, "item-not-found"));
    return;
  }
  if (!group->isMember(self->phone)) {
    conn.send(iqError(iq, 403, "forbidden"));
    return;
  }
  if (op.tag == "query") {
    conn.send(iqResult(iq, {groupNode(*group)}));
  } else if (op.tag == "add" || op.tag == "remove" || op.tag == "promote" || op.tag == "demote") {
    if (!group->isAdmin(self->phone)) {
      conn.send(iqError(iq, 403, "forbidden"));
      return;
    }
    std::vector<std::string> phones;
    Node::Children report;
    members(op, phones, report);
    std::vector<std::string> changed, removed;
    for (const auto& p : phones) {
      if (op.tag == "add" && !group->isMember(p) && group->members.size() < kMaxGroupSize) {
        group->members.push_back(p);
        changed.push_back(p);
      } else if (op.tag == "remove" && p != group->creatorPhone && group->isMember(p)) {
        std::erase(group->members, p);
        std::erase(group->admins, p);
        changed.push_back(p);
        removed.push_back(p);
      } else if (op.tag == "promote" && group->isMember(p) && !group->isAdmin(p)) {
        group->admins.push_back(p);
        changed.push_back(p);
      } else if (op.tag == "demote" && p != group->creatorPhone && group->isAdmin(p)) {
        std::erase(group->admins, p);
        changed.push_back(p);
      }
    }
    if (!changed.empty()) {
      Node::Children named;
      for (const auto& p : changed) {
        if (const Account* a = world_.account(p)) {
          named.push_back(Node("participant", {{"jid", (group->lidAddressed ? a->lidJid() : a->pnJid()).toString()}}));
        }
      }
      notifyGroup(*group, self->phone, Node(op.tag, {}, std::move(named)), removed);
    }
    conn.send(iqResult(iq, {parentNode(op.tag, {}, std::move(report))}));
  } else if (op.tag == "subject") {
    std::string subject;
    if (const auto* t = op.text()) {
      subject = *t;
    } else if (const auto* b = op.bytes()) {
      subject = std::string(whatsapp::asChars(*b));
    }
    if (subject.empty() || subject.size() > 100) {
      conn.send(iqError(iq, 400, "bad-request"));
      return;
    }
    group->subject = subject;
    conn.send(iqResult(iq));
    notifyGroup(*group, self->phone, Node("subject", {{"subject", subject}}));
  } else {
    conn.send(iqResult(iq));
  }
}

sdk::Result<std::string> Server::createGroup(std::string_view creator, std::string_view subject,
                                             const std::vector<std::string>& members) {
  std::lock_guard lock(mutex_);
  if (!world_.account(std::string(creator))) {
    return sdk::Error::permanent("wasim.not_found", "no account " + std::string(creator));
  }
  if (subject.empty() || subject.size() > 100 || members.size() >= kMaxGroupSize) {
    return sdk::Error::permanent("wasim.invalid", "a group needs a subject of 1..100 bytes and fewer members");
  }
  Group g;
  g.id = world_.newGroupId();
  g.subject = std::string(subject);
  g.creatorPhone = std::string(creator);
  g.createdAt = unixNow();
  g.members.push_back(g.creatorPhone);
  g.admins.push_back(g.creatorPhone);
  for (const auto& p : members) {
    if (!world_.account(p)) {
      return sdk::Error::permanent("wasim.not_found", "no account " + p);
    }
    if (!g.isMember(p)) {
      g.members.push_back(p);
    }
  }
  return groupJid(world_.addGroup(std::move(g)));
}

sdk::Status Server::changeGroupMembers(std::string_view actor, std::string_view groupJidText, std::string_view action,
                                       const std::vector<std::string>& phones) {
  std::lock_guard lock(mutex_);
  auto jid = Jid::parse(groupJidText);
  Group* group = jid && jid->server == whatsapp::kGroupServer ? world_.group(jid->user) : nullptr;
  if (!group || !group->isAdmin(std::string(actor))) {
    return sdk::Error::permanent("wasim.not_found", "no group " + std::string(groupJidText) + " with that admin");
  }
  if (action != "add" && action != "remove") {
    return sdk::Error::permanent("wasim.invalid", "action is add or remove");
  }
  Node::Children named;
  std::vector<std::string> removed;
  for (const auto& p : phones) {
    const Account* a = world_.account(p);
    if (!a) {
      return sdk::Error::permanent("wasim.not_found", "no account " + p);
    }
    if (action == "add" && !group->isMember(p) && group->members.size() < kMaxGroupSize) {
      group->members.push_back(p);
    } else if (action == "remove" && group->isMember(p) && p != group->creatorPhone) {
      std::erase(group->members, p);
      std::erase(group->admins, p);
      removed.push_back(p);
    } else {
      continue;
    }
    named.push_back(Node("participant", {{"jid", (group->lidAddressed ? a->lidJid() : a->pnJid()).toString()}}));
  }
  if (!named.empty()) {
    notifyGroup(*group, std::string(actor), Node(std::string(action), {}, std::move(named)), removed);
  }
  return sdk::okStatus();
}

void Server::notifyGroup(const Group& group, const std::string& authorPhone, const Node& change,
                         const std::vector<std::string>& alsoTell) {
  Effects unused;  // notifications raise no simulator events
  const Account* author = world_.account(authorPhone);
  std::string authorJid;
  if (author) {
    authorJid = (group.lidAddressed ? author->lidJid() : author->pnJid()).toString();
  }
  std::set<std::string> audience(group.members.begin(), group.members.end());
  audience.insert(alsoTell.begin(), alsoTell.end());
  for (const auto& phone : audience) {
    Account* a = world_.account(phone);
    if (!a) {
      continue;
    }
    std::vector<std::uint16_t> targets;
    for (const auto& [id, d] : a->devices) {
      targets.push_back(id);
    }
    for (auto id : targets) {
      Node note("notification", {{"from", groupJid(group)}, {"type", "w:gp2"}, {"id", nextStanzaId()},
                                 {"t", unixNowText()}, {"participant", authorJid}},
                Node::Children{change});
      deliver(*a, id, PendingStanza::Kind::Notification, std::move(note), unused);
    }
  }
}

int Server::relayGroupMessage(Account& sender, std::uint16_t senderDevice, const Node& message, const Jid& to,
                              Effects& fx) {
  Group* group = world_.group(to.user);
  if (!group) {
    return 404;
  }
  if (!group->isMember(sender.phone)) {
    return 403;
  }
  // Pairwise payloads (sender key distribution) per device, keyed by phone and device.
  std::map<std::pair<std::string, std::uint16_t>, const Node*> pairwise;
  if (const Node* participants = message.child("participants")) {
    for (const Node* target : childrenNamed(*participants, "to")) {
      auto address = world_.resolve(attrOr(*target, "jid"));
      const Node* enc = target->child("enc");
      if (address && enc && enc->bytes()) {
        pairwise[{address->account->phone, address->device}] = enc;
      }
    }
  }
  auto shared = childrenNamed(message, "enc");
  const Node* identity = message.child("device-identity");
  // A retry resend names one participant device; everything else goes to every member device.
  std::optional<Address> only;
  if (auto p = message.attr("participant")) {
    only = world_.resolve(*p);
    if (!only) {
      return 404;
    }
  }
  auto id = attrOr(message, "id");
  auto deliverTo = [&](Account& member, std::uint16_t device) {
    if (member.phone == sender.phone && device == senderDevice) {
      return;
    }
    Node::Children payload;
    auto it = pairwise.find({member.phone, device});
    if (it != pairwise.end()) {
      payload.push_back(*it->second);
    }
    for (const Node* enc : shared) {
      if (enc->bytes()) {
        payload.push_back(*enc);
      }
    }
    if (payload.empty()) {
      return;
    }
    if (identity && it != pairwise.end()) {
      payload.push_back(*identity);
    }
    bool lid = group->lidAddressed;
    Node out("message", {{"id", id},
                         {"from", groupJid(*group)},
                         {"participant", (lid ? sender.lidJid(senderDevice) : sender.pnJid(senderDevice)).toString()},
                         {lid ? "participant_pn" : "participant_lid", (lid ? sender.pnJid() : sender.lidJid()).toString()},
                         {"addressing_mode", lid ? "lid" : "pn"},
                         {"type", attrOr(message, "type", "text")},
                         {"t", unixNowText()}},
             std::move(payload));
    if (!sender.pushName.empty()) {
      out.setAttr("notify", sender.pushName);
    }
    deliver(member, device, PendingStanza::Kind::Message, std::move(out), fx);
  };
  if (only) {
    if (!group->isMember(only->account->phone)) {
      return 403;
    }
    deliverTo(*only->account, only->device);
    return 0;
  }
  for (const auto& phone : group->members) {
    Account* member = world_.account(phone);
    if (!member) {
      continue;
    }
    deliverTo(*member, 0);
    std::vector<std::uint16_t> devices;
    for (const auto& [d, dev] : member->devices) {
      devices.push_back(d);
    }
    for (auto d : devices) {
      deliverTo(*member, d);
    }
  }
  return 0;
}

}  // namespace switchboard::wasim
