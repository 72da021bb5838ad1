#pragma once

/// @file
/// @brief The values plugins exchange: messages, commands, results, conversations, contacts, agents.
///
/// These mirror the `switchboard.v1` protobuf schema in sdk/proto (the Kafka contract) field by field;
/// the host converts between the two. Timestamps are milliseconds since the Unix epoch (UTC).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::sdk {

using TenantId = std::string;        ///< "default" in single-company deployments.
using AccountId = std::string;       ///< A messaging account, e.g. a WhatsApp phone number "15551234567".
using ConversationId = std::string;  ///< Stable across JID/LID changes of the peer.
using ContactId = std::string;
using AgentId = std::string;
using MessageId = std::string;       ///< Our stable id; also the CloudEvents `ce_id` of the record.
using CommandId = std::string;       ///< Idempotency key chosen by the producer of a command.
using TimestampMs = std::int64_t;

inline constexpr const char* kDefaultTenant = "default";

enum class MessageKind {
  Text, Image, Video, Audio, Document, Sticker, Location, ContactCard, Reaction, Edit, Delete, Unknown
};

/// @brief Media attached to a message. The bytes live in a file or a blob; `ref` names them.
struct Media {
  std::string mimeType;
  std::string ref;          ///< Storage reference (file path or blob id) of the decrypted bytes.
  std::string fileName;
  std::string caption;
  std::uint64_t size = 0;
  std::string sha256Hex;    ///< Of the decrypted bytes.
  std::uint32_t width = 0, height = 0, durationSeconds = 0;
};

struct Location {
  double latitude = 0, longitude = 0;
  std::string name, address;
};

struct ContactCard {
  std::string displayName;
  std::string vcard;
};

/// @brief A message received from a network, after decryption.
struct InboundMessage {
  TenantId tenant = kDefaultTenant;
  AccountId account;
  MessageId id;                  ///< Stable: derived from account and network id.
  std::string networkId;         ///< The network's own message id (WhatsApp stanza id).
  ConversationId conversation;   ///< Filled in by the store if empty.
  std::string chat;              ///< Network address of the chat (a JID).
  std::string sender;            ///< Network address of the author.
  std::string senderName;        ///< Push name, if the network gave one.
  bool fromMe = false;           ///< Sent by another device of our own account.
  bool isGroup = false;
  TimestampMs timestamp = 0;
  MessageKind kind = MessageKind::Text;
  std::string text;              ///< Body, caption-free; for Edit the new text.
  std::optional<Media> media;
  std::optional<Location> location;
  std::optional<ContactCard> contact;
  std::string replyTo;           ///< Network id of the quoted message, if any.
  std::string targetId;          ///< Network id a Reaction/Edit/Delete applies to.
  std::string reaction;          ///< The emoji for Reaction ("" removes a reaction).
};

enum class CommandKind {
  SendText, SendMedia, SendTemplate, SendReaction, MarkRead, Assign, Transfer, Close, SetAgentStatus,
  // SDK 1.3
  EditMessage,    ///< `targetId`: a message this account sent; `text`: its new body.
  DeleteMessage   ///< `targetId`: a message this account sent, deleted for everyone.
};

/// @brief A command from Kafka `outbound`, the admin API or a plugin.
struct OutboundCommand {
  CommandId commandId;           ///< Idempotency key: the same id is executed once.
  TenantId tenant = kDefaultTenant;
  AccountId account;
  CommandKind kind = CommandKind::SendText;
  std::string to;                ///< Recipient address (phone number or JID) for sends.
  ConversationId conversation;   ///< For assign/transfer/close, or to send into a known conversation.
  std::string text;
  std::optional<Media> media;
  std::string templateName;
  std::map<std::string, std::string> templateParams;
  std::string replyTo;           ///< Network id to quote.
  std::string targetId;          ///< Message a reaction, edit or delete applies to / last message read.
  std::string reaction;
  AgentId agent;                 ///< For assign/transfer/set-agent-status.
  std::string agentStatus;       ///< available | busy | away | offline.
  bool automatic = false;        ///< Produced by a plugin rather than a person.
  std::string origin;            ///< Which plugin/rule produced it, for audit and loop detection.
  TimestampMs createdAt = 0;
};

enum class ResultStage { Accepted, Sent, Failed, Delivered, Read };

/// @brief What became of a command; goes to Kafka `results` (receipts to `events`).
struct CommandResult {
  CommandId commandId;
  TenantId tenant = kDefaultTenant;
  AccountId account;
  ResultStage stage = ResultStage::Accepted;
  std::string networkId;         ///< The network's message id once sent.
  std::string reason;            ///< For Failed: a sentence.
  std::string errorCode;         ///< For Failed: stable code.
  TimestampMs timestamp = 0;
};

enum class ConversationStatus { Open, Pending, Closed };

struct Conversation {
  ConversationId id;
  TenantId tenant = kDefaultTenant;
  AccountId account;
  ContactId contact;
  std::string peer;              ///< Network address of the peer (JID).
  AgentId assignee;              ///< Empty when unassigned.
  ConversationStatus status = ConversationStatus::Open;
  int priority = 0;
  std::vector<std::string> tags;
  TimestampMs createdAt = 0, lastMessageAt = 0;
  bool botPaused = false;
};

struct Contact {
  ContactId id;
  TenantId tenant = kDefaultTenant;
  std::string phone;             ///< E.164 without '+', e.g. "15551234567".
  std::string jid, lid;
  std::string name;
  std::string language;
  bool vip = false;
  bool optedIn = false;
  std::vector<std::string> tags;
  std::map<std::string, std::string> fields;  ///< Custom fields.
  TimestampMs createdAt = 0, updatedAt = 0;
};

enum class AgentStatus { Available, Busy, Away, Offline };

/// @brief Working hours on one weekday (0 = Sunday), minutes since local midnight.
struct Shift {
  int weekday = 0;
  int startMinute = 0, endMinute = 24 * 60;
};

struct Agent {
  AgentId id;
  TenantId tenant = kDefaultTenant;
  std::string name;
  std::vector<std::string> skills, languages;
  std::string department;
  int capacity = 5;              ///< Maximum concurrent conversations.
  std::vector<Shift> hours;      ///< Empty: always on shift.
  std::string timeZone = "UTC";  ///< IANA name.
  AgentStatus status = AgentStatus::Offline;
  int priority = 0;
  int openConversations = 0;     ///< Maintained by the store.
};

/// @brief A notification on the event bus (and, for most types, a record on Kafka `events`).
struct Event {
  std::string type;              ///< e.g. "session.state", "receipt.delivered", "conversation.assigned".
  TenantId tenant = kDefaultTenant;
  AccountId account;
  ConversationId conversation;
  std::string subject;           ///< What it is about (message id, agent id, ...).
  std::map<std::string, std::string> attributes;
  TimestampMs timestamp = 0;
};

const char* toString(MessageKind k);
const char* toString(CommandKind k);
const char* toString(ResultStage s);
const char* toString(ConversationStatus s);
const char* toString(AgentStatus s);

/// @brief Event type the host publishes (on the bus and on Kafka `events`) when a send command is
/// stored, whoever produced it (Kafka `outbound`, the admin API, a plugin). Fields: `subject` = the
/// command id, `conversation` when the command named one; attributes `kind`, `to`, `automatic`
/// ("true" or "false") and `origin`. A responder sees from it that a person answered.
inline constexpr const char* kEventMessageOutbound = "message.outbound";

}  // namespace switchboard::sdk

#include "switchboard/sdk/detail/type_names.hpp"
