#pragma once

// The canonical proto3 JSON form of a switchboard.v1 Envelope, printed straight from the message
// with protobuf reflection. protobuf's own printer (util::BinaryToJsonString) goes through a type
// resolver and several object-writer layers and cost about 18 µs per inbound record, most of the
// relay's time in a JSON deployment; this one prints the same text several times faster.
//
// Same output as protobuf 3.21's printer with default options: lowerCamelCase names, default
// values omitted, 64-bit integers as strings, enums by name, bytes as base64, Timestamp as
// RFC 3339, the same string escapes and the same double formatting. A message that uses a
// well-known type other than Timestamp makes it return false; the caller then falls back to
// protobuf's printer, so the output is never wrong, only slower.

#include <string>
#include <string_view>

#include "switchboard/sdk/result.hpp"

namespace google::protobuf {
class Message;
}

namespace switchboard::host {

namespace sdk = ::switchboard::sdk;

/// Appends the JSON form of `message` to `out`. False (and `out` unspecified) when the message
/// holds something this printer does not handle.
bool appendCanonicalJson(const google::protobuf::Message& message, std::string& out);

/// Appends a time as RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf writes a
/// Timestamp ("2023-11-14T22:13:20.123Z"). False outside years 1..9999 or for bad nanos.
bool appendRfc3339(std::string& out, long long seconds, int nanos);

/// Protobuf Envelope bytes -> canonical JSON text (protobuf's printer where this one declines).
/// A fatal error when the bytes are not an Envelope: a bug or corruption, never sent as is.
sdk::Result<std::string> envelopeBytesToJson(std::string_view protobufBytes);
/// The same into `out` (replacing its content, reusing its buffer).
sdk::Status envelopeBytesToJson(std::string_view protobufBytes, std::string& out);

}  // namespace switchboard::host
