#pragma once

/// @file
/// @brief Contact segments (SDK 1.3): which contacts a broadcast goes to, selected by the storage
/// in SQL so a plugin never loads the whole contact book to filter it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/types.hpp"

namespace switchboard::sdk {

/// @brief A set of contacts described by conditions that all hold (an empty condition holds for
/// every contact). Tag and field comparisons are exact and case-sensitive.
struct ContactSegment {
  std::vector<std::string> allTags;           ///< The contact carries every one of these tags.
  std::vector<std::string> anyTags;           ///< ... and at least one of these (when not empty).
  std::vector<std::string> noneTags;          ///< ... and none of these.
  std::map<std::string, std::string> fields;  ///< Custom fields equal to these values.
  /// @brief Last activity (the newest message of any of the contact's conversations) at or after
  /// this time. A contact without a conversation has no activity and fails the condition.
  std::optional<TimestampMs> activeSince;
  /// @brief No activity at or after this time (a contact never heard from passes).
  std::optional<TimestampMs> inactiveSince;
  bool optedInOnly = true;                    ///< Only contacts whose `optedIn` is set.
};

/// @brief One page of a segment, in ascending contact id order.
struct ContactSegmentPage {
  std::vector<Contact> contacts;  ///< May hold fewer than the limit even when more follow.
  ContactId next;                 ///< Pass as `after` for the next page; empty when the segment is done.
};

}  // namespace switchboard::sdk
