#pragma once

// Text encodings of the values the schema keeps in one column: JSON lists and maps, the optional
// parts of a message, a whole command (so pendingCommands can rebuild it), and enum names.

#include <map>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::host::storage {

namespace sdk = ::switchboard::sdk;

std::string encodeList(const std::vector<std::string>& items);
std::vector<std::string> decodeList(const std::string& json);
std::string encodeMap(const std::map<std::string, std::string>& items);
std::map<std::string, std::string> decodeMap(const std::string& json);
std::string encodeShifts(const std::vector<sdk::Shift>& shifts);
std::vector<sdk::Shift> decodeShifts(const std::string& json);

/// Media, location and contact card of a message ("" when it has none).
std::string encodeExtra(const sdk::InboundMessage& m);
void decodeExtra(const std::string& json, sdk::InboundMessage& m);

std::string encodeCommand(const sdk::OutboundCommand& c);
sdk::Result<sdk::OutboundCommand> decodeCommand(const std::string& json);

sdk::MessageKind messageKindFrom(const std::string& s);
sdk::ConversationStatus conversationStatusFrom(const std::string& s);
sdk::AgentStatus agentStatusFrom(const std::string& s);
sdk::ResultStage resultStageFrom(const std::string& s);

}  // namespace switchboard::host::storage
