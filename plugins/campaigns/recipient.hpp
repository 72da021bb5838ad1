#pragma once

// One recipient of one run of a campaign: its derived command id, its A/B variant, its sending
// account, and its status. Everything about a recipient is a pure function of campaign, run and
// contact, so a restart or a resume recomputes the same command id and the host's outbound path
// (idempotent by command id) never sends it twice.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "campaign.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::campaigns {

/// Ordered: a later stage replaces an earlier one, never the reverse. Pending: selected, not yet
/// handed to the outbound path; Suppressed: skipped (opted out, no address); Failed: with a reason.
enum class Status { Pending, Queued, Sent, Delivered, Read, Replied, Failed, Suppressed };

const char* toString(Status s);
std::optional<Status> statusFromString(const std::string& s);
/// Whether a recipient in `from` may move to `to` (stages only go forward; failure only before delivery).
bool advances(Status from, Status to);

/// 64-bit FNV-1a: stable across builds and platforms, unlike std::hash.
std::uint64_t stableHash(const std::string& s);

/// "cmp:<campaign>:<run>:<contact>" (at most 128 bytes with the definition's limits).
std::string commandIdFor(const std::string& campaign, int run, const std::string& contact);
struct CommandRef {
  std::string campaign;
  int run = 0;
  std::string contact;
};
/// The parts of a command id made by commandIdFor; nullopt for any other id.
std::optional<CommandRef> parseCommandId(const std::string& id);

/// The variant a contact falls in, by the weights (deterministic per campaign and contact).
const Variant& variantFor(const Campaign& c, const std::string& contact);
/// The pool account a contact is sent from (deterministic: the same one on every run and resume).
const std::string& accountFor(const Campaign& c, const std::string& contact);

/// What the plugin keeps per recipient (as compact JSON in its state store).
struct Recipient {
  std::string contact;
  std::string variant;
  std::string account;
  Status status = Status::Pending;
  std::string reason;           ///< For Failed and Suppressed.
  std::string networkId;
  sdk::TimestampMs updatedAt = 0;

  nlohmann::json toJson() const;
  static std::optional<Recipient> fromJson(const std::string& text);
};

}  // namespace switchboard::campaigns
