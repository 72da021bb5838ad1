#pragma once

// The keys of the auto-responder's configuration section, declared for the host's validator
// (types, defaults, ranges, allowed values). README.md documents each one.

#include "switchboard/sdk/config.hpp"

namespace switchboard::autoresponder {

sdk::ConfigSchema configSchema();

/// The keys of one reply object (rules[].reply, faq.fallback, quick_replies[]); also the keys a
/// stored JSON reply may use.
sdk::ConfigSchema replySchema();
/// One entry of `rules` (also the shape of a stored rule).
sdk::ConfigSchema ruleSchema();
/// One entry of `faq.entries` (also the shape of a stored FAQ entry).
sdk::ConfigSchema faqEntrySchema();
/// One entry of `quick_replies` (also the shape of a stored quick reply).
sdk::ConfigSchema quickReplySchema();

}  // namespace switchboard::autoresponder
