#include "simulator/state.hpp"

#include <algorithm>
#include <random>

namespace switchboard::wasim {

using whatsapp::Jid;

Jid Account::pnJid(std::uint16_t device) const {
  return device == 0 ? Jid::pair(phone, whatsapp::kUserServer) : Jid::withDevice(phone, device, whatsapp::kUserServer);
}

Jid Account::lidJid(std::uint16_t device) const {
  return device == 0 ? Jid::pair(lid, whatsapp::kLidServer) : Jid::withDevice(lid, device, whatsapp::kLidServer);
}

std::size_t stanzaBytes(const whatsapp::Node& node) {
  std::size_t n = 64 + node.tag.size();
  for (const auto& [k, v] : node.attrs) {
    n += 32 + k.size() + v.size();
  }
  if (const auto* b = node.bytes()) {
    n += b->size();
  } else if (const auto* t = node.text()) {
    n += t->size();
  } else if (const auto* kids = node.children()) {
    for (const auto& k : *kids) {
      n += stanzaBytes(k);
    }
  }
  return n;
}

bool Group::isMember(const std::string& phone) const {
  return std::find(members.begin(), members.end(), phone) != members.end();
}

bool Group::isAdmin(const std::string& phone) const {
  return std::find(admins.begin(), admins.end(), phone) != admins.end();
}

Account* World::account(const std::string& phone) {
  auto it = accounts_.find(phone);
  return it == accounts_.end() ? nullptr : &it->second;
}

const Account* World::account(const std::string& phone) const {
  auto it = accounts_.find(phone);
  return it == accounts_.end() ? nullptr : &it->second;
}

Account* World::accountByLid(const std::string& lid) {
  auto it = lidToPhone_.find(lid);
  return it == lidToPhone_.end() ? nullptr : account(it->second);
}

std::optional<Address> World::resolve(const Jid& jid) {
  if (jid.agent != 0) {
    return std::nullopt;
  }
  Address a;
  if (jid.server == whatsapp::kUserServer || jid.server == whatsapp::kLegacyUserServer) {
    a.account = account(jid.user);
  } else if (jid.server == whatsapp::kLidServer) {
    a.account = accountByLid(jid.user);
    a.lid = true;
  }
  if (!a.account) {
    return std::nullopt;
  }
  a.device = jid.device;
  return a;
}

std::optional<Address> World::resolve(std::string_view jidText) {
  auto jid = Jid::parse(jidText);
  if (!jid) {
    return std::nullopt;
  }
  return resolve(*jid);
}

Account& World::addAccount(Account account) {
  lidToPhone_[account.lid] = account.phone;
  auto phone = account.phone;
  return accounts_.insert_or_assign(phone, std::move(account)).first->second;
}

Group& World::addGroup(Group group) {
  auto id = group.id;
  return groups_.insert_or_assign(id, std::move(group)).first->second;
}

Group* World::group(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

std::string World::newLid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  while (true) {
    // Real LIDs are 14-15 digit numbers unrelated to the phone number.
    auto n = 100000000000000ull + rng() % 899999999999999ull;
    auto lid = std::to_string(n);
    if (!lidToPhone_.count(lid)) {
      return lid;
    }
  }
}

std::string World::newGroupId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  while (true) {
    // Current group ids: 120363 followed by 12 digits.
    auto id = "120363" + std::to_string(100000000000ull + rng() % 899999999999ull);
    if (!groups_.count(id)) {
      return id;
    }
  }
}

}  // namespace switchboard::wasim
