#pragma once

// Conversions between the SDK value types and the switchboard.v1 Envelope, the Kafka contract.
// The pipeline fills OutboxRecords with these; the relay turns a stored record into the
// deployment's wire format; the consumer parses commands with parseCommand.

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/store.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::v1 {
class Envelope;
}

namespace switchboard::host {

/// Wire format of record values, chosen per deployment (`kafka.format`).
enum class Format { Json, Protobuf };

const char* toString(Format f);
/// "json" | "protobuf"; anything else is Json (the schema already restricts the value).
Format parseFormat(std::string_view text);
/// The content-type header value for a format.
const char* contentType(Format f);

/// Logical topic names (the prefix is added by the bridge).
namespace topic {
inline constexpr const char* kInbound = "inbound";
inline constexpr const char* kOutbound = "outbound";
inline constexpr const char* kResults = "results";
inline constexpr const char* kEvents = "events";
inline constexpr const char* kDlq = "dlq";
inline constexpr const char* kControl = "control";
}  // namespace topic

/// CloudEvents types.
namespace cetype {
inline constexpr const char* kInbound = "switchboard.v1.InboundMessage";
inline constexpr const char* kEvent = "switchboard.v1.Event";
inline constexpr const char* kCommand = "switchboard.v1.OutboundCommand";
inline constexpr const char* kResult = "switchboard.v1.CommandResult";
inline constexpr const char* kDeadLetter = "switchboard.v1.DeadLetter";
}  // namespace cetype

// The records below carry their Envelope encoded in `format`: pass the deployment's
// (kafka.format), so the relay produces the stored bytes as they are.

/// Outbox record for a received message: topic inbound, key = conversation (account when the
/// store has not filled it yet), ce_id = message id. createdAtMs is now.
OutboxRecord inboundRecord(const sdk::InboundMessage& message, Format format = Format::Protobuf);
/// Outbox record for an event: topic events, key = conversation or account or subject; ce_id is
/// attributes["event_id"] when present, else "<type>:<account>:<subject>:<timestamp>:<attributes
/// digest>" (timestamp set to now when 0). Attributes that look like secrets are dropped.
OutboxRecord eventRecord(const sdk::Event& event, Format format = Format::Protobuf);
/// Outbox record for a command result: topic results, key = command id, ce_id "<command_id>:<stage>".
OutboxRecord resultRecord(const sdk::CommandResult& result, Format format = Format::Protobuf);

/// Where a record that could not be processed came from.
struct DeadLetterSource {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::string key;
  std::string value;
};
/// Outbox record for the dlq topic; the relay writes the original bytes with the reason in headers.
/// ce_id "dlq:<topic>:<partition>:<offset>" so a re-consumed bad record dead-letters once per offset.
OutboxRecord deadLetterRecord(const DeadLetterSource& source, const sdk::Error& error, std::string_view stage);

/// Parses a command record value: an Envelope whose body is `command`, in protobuf or canonical
/// JSON, then validates it. Errors are Permanent; code "command.malformed" (does not parse) or
/// "command.invalid" (a field is missing or wrong; the message names the field).
sdk::Result<sdk::OutboundCommand> parseCommand(std::string_view bytes, Format format);

/// Encodes a command as an Envelope (tests, the admin API, tools).
std::string encodeCommand(const sdk::OutboundCommand& command, Format format);

/// Converts a stored payload (protobuf Envelope bytes) to the wire format. JSON is the canonical
/// proto3 form. A payload that does not parse is an error (a bug or corruption, never silently sent).
sdk::Result<std::string> toWire(std::string_view protobufPayload, Format format);
/// The outbox's name for a wire format.
PayloadFormat payloadFormatOf(Format format);
/// Re-encodes a record's payload in `format`; nothing to do when it is stored that way already.
/// An error (and the record unchanged) when the payload does not parse.
sdk::Status convertPayload(OutboxRecord& record, Format format);
/// Parses a record value of either format into an Envelope.
sdk::Status fromWire(std::string_view bytes, Format format, v1::Envelope& out);

// Field-by-field conversions, exposed for tests and replay.
void toProto(const sdk::InboundMessage& in, v1::Envelope& out);
void toProto(const sdk::Event& in, v1::Envelope& out);
void toProto(const sdk::CommandResult& in, v1::Envelope& out);
void toProto(const sdk::OutboundCommand& in, v1::Envelope& out);
sdk::InboundMessage inboundFromProto(const v1::Envelope& env);
sdk::Event eventFromProto(const v1::Envelope& env);
sdk::CommandResult resultFromProto(const v1::Envelope& env);

}  // namespace switchboard::host
