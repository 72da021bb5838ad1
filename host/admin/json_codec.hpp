#pragma once

// The admin API's JSON shapes of the SDK and store types (snake_case keys, timestamps in ms), and
// the readers that fill them from request bodies. The OpenAPI document describes the same shapes.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/store.hpp"
#include "switchboard/sdk/session_control.hpp"
#include "switchboard/sdk/storage.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::admin {

namespace sdk = switchboard::sdk;
using json = nlohmann::json;

json toJson(const sdk::Contact& c);
json toJson(const sdk::Agent& a);
json toJson(const sdk::Conversation& c);
json toJson(const sdk::StoredMessage& m);
json toJson(const sdk::MessageTemplate& t);
json toJson(const sdk::Event& e);
json toJson(const sdk::CommandResult& r);
json toJson(const host::AuditEntry& a);
json toJson(const host::AccountRecord& a);
json toJson(const sdk::SessionStatus& s);

std::optional<sdk::AgentStatus> parseAgentStatus(const std::string& s);
std::optional<sdk::ConversationStatus> parseConversationStatus(const std::string& s);

/// Applies the fields present in `body` to `into` (a PUT replaces only what it names). Errors are
/// "invalid" with the field's name.
sdk::Status readContact(const json& body, sdk::Contact& into);
sdk::Status readAgent(const json& body, sdk::Agent& into);
sdk::Status readTemplate(const json& body, sdk::MessageTemplate& into);

}  // namespace switchboard::admin
