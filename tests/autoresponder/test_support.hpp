#pragma once

// Shared pieces of the auto-responder tests: configuration given as YAML and validated by the
// host's own validator against the plugin's schema (so the tests see what the daemon would
// hand the plugin), instants written as UTC calendar times, and message builders.

#include <string>
#include <vector>

#include "rule_book.hpp"
#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::autoresponder::test {

namespace sdk = ::switchboard::sdk;

/// The plugin's section as the host delivers it; a validation error fails the calling test.
sdk::ConfigValue configFromYaml(const std::string& yaml);
/// What the host's validator says about `yaml` ("key: message" per problem).
std::vector<std::string> validatorErrors(const std::string& yaml);
/// Validates `yaml`, then reads the rule book from it.
sdk::Result<RuleBook> bookFromYaml(const std::string& yaml);

/// Milliseconds since the epoch of a UTC calendar time.
sdk::TimestampMs utc(int year, unsigned month, unsigned day, int hour = 0, int minute = 0, int second = 0);

/// A text message from `chat` to `account`, with an id and conversation as the store would give.
sdk::InboundMessage textMessage(const std::string& text, const std::string& id = "mi_1",
                                const std::string& chat = "15550001111@s.whatsapp.net",
                                const std::string& account = "15559990000");
sdk::Conversation conversationFor(const sdk::InboundMessage& m, const std::string& id = "cv_1");

}  // namespace switchboard::autoresponder::test
