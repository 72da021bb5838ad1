#include "recipient.hpp"

#include <charconv>

namespace switchboard::campaigns {
namespace {

// Reads of stored JSON that tolerate a value of the wrong type (nlohmann's value() throws).
std::string textAt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

long long numberAt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

}  // namespace

const char* toString(Status s) {
  switch (s) {
    case Status::Pending: return "pending";
    case Status::Queued: return "queued";
    case Status::Sent: return "sent";
    case Status::Delivered: return "delivered";
    case Status::Read: return "read";
    case Status::Replied: return "replied";
    case Status::Failed: return "failed";
    case Status::Suppressed: return "suppressed";
  }
  return "pending";
}

std::optional<Status> statusFromString(const std::string& s) {
  for (Status st : {Status::Pending, Status::Queued, Status::Sent, Status::Delivered, Status::Read, Status::Replied,
                    Status::Failed, Status::Suppressed}) {
    if (s == toString(st)) {
      return st;
    }
  }
  return std::nullopt;
}

bool advances(Status from, Status to) {
  if (from == Status::Suppressed || from == Status::Failed) {
    // A late receipt or reply proves the message went out after all (a failure reported for a
    // retry that the first attempt had made pointless).
    return from == Status::Failed && (to == Status::Delivered || to == Status::Read || to == Status::Replied);
  }
  if (to == Status::Failed) {
    return from == Status::Pending || from == Status::Queued || from == Status::Sent;
  }
  if (to == Status::Suppressed) {
    return from == Status::Pending;
  }
  return static_cast<int>(to) > static_cast<int>(from);
}

std::uint64_t stableHash(const std::string& s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string commandIdFor(const std::string& campaign, int run, const std::string& contact) {
  return "cmp:" + campaign + ":" + std::to_string(run) + ":" + contact;
}

std::optional<CommandRef> parseCommandId(const std::string& id) {
  if (id.rfind("cmp:", 0) != 0) {
    return std::nullopt;
  }
  const auto c1 = id.find(':', 4);
  if (c1 == std::string::npos) {
    return std::nullopt;
  }
  const auto c2 = id.find(':', c1 + 1);
  if (c2 == std::string::npos || c2 == c1 + 1 || c1 == 4 || c2 + 1 >= id.size()) {
    return std::nullopt;
  }
  CommandRef r;
  r.campaign = id.substr(4, c1 - 4);
  const auto runText = std::string_view(id).substr(c1 + 1, c2 - c1 - 1);
  auto [p, ec] = std::from_chars(runText.data(), runText.data() + runText.size(), r.run);
  // Only the form commandIdFor() writes: "07" is not run 7's id (it names no command we sent).
  if (ec != std::errc() || p != runText.data() + runText.size() || r.run < 1 || runText.front() == '0') {
    return std::nullopt;
  }
  r.contact = id.substr(c2 + 1);
  return r;
}

const Variant& variantFor(const Campaign& c, const std::string& contact) {
  long long total = 0;
  for (const auto& v : c.variants) {
    total += v.weight;
  }
  // The campaign id salts the hash so one contact does not land in "A" of every campaign.
  const auto point = static_cast<long long>(stableHash(c.id + "/variant/" + contact) % static_cast<std::uint64_t>(total));
  long long upTo = 0;
  for (const auto& v : c.variants) {
    upTo += v.weight;
    if (point < upTo) {
      return v;
    }
  }
  return c.variants.back();
}

const std::string& accountFor(const Campaign& c, const std::string& contact) {
  return c.accounts[stableHash(contact) % c.accounts.size()];
}

nlohmann::json Recipient::toJson() const {
  nlohmann::json j = {{"c", contact}, {"v", variant}, {"a", account}, {"s", campaigns::toString(status)},
                      {"t", updatedAt}};
  if (!reason.empty()) {
    j["r"] = reason;
  }
  if (!networkId.empty()) {
    j["n"] = networkId;
  }
  return j;
}

std::optional<Recipient> Recipient::fromJson(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) {
    return std::nullopt;
  }
  Recipient r;
  r.contact = textAt(j, "c");
  r.variant = textAt(j, "v");
  r.account = textAt(j, "a");
  auto s = statusFromString(textAt(j, "s"));
  if (!s || r.contact.empty()) {
    return std::nullopt;
  }
  r.status = *s;
  r.reason = textAt(j, "r");
  r.networkId = textAt(j, "n");
  r.updatedAt = numberAt(j, "t");
  return r;
}

}  // namespace switchboard::campaigns
