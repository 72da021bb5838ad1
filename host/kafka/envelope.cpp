#include "kafka/envelope.hpp"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/clock.hpp"
#include "kafka/envelope_json.hpp"
#include "switchboard/v1/envelope.pb.h"

namespace switchboard::host {
namespace {

using google::protobuf::util::TimeUtil;

constexpr const char* kSchemaVersion = "switchboard.v1";

void setTime(google::protobuf::Timestamp* ts, sdk::TimestampMs ms) {
  *ts = TimeUtil::MillisecondsToTimestamp(ms);
}

sdk::TimestampMs msOf(const google::protobuf::Timestamp& ts) {
  return TimeUtil::TimestampToMilliseconds(ts);
}

std::int64_t parseInt(const std::string& s) {
  try {
    return std::stoll(s);
  } catch (...) {
    return 0;
  }
}

std::string attr(const sdk::Event& e, const std::string& key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() ? std::string() : it->second;
}

// Connectors and plugins put free-form attributes on events; a careless one must not be able to
// publish a credential to every consumer of the topic.
bool looksSecret(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"password", "secret", "token", "private", "credential"}) {
    if (key.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

v1::MessageKind toProto(sdk::MessageKind k) {
  switch (k) {
    case sdk::MessageKind::Text: return v1::MESSAGE_KIND_TEXT;
    case sdk::MessageKind::Image: return v1::MESSAGE_KIND_IMAGE;
    case sdk::MessageKind::Video: return v1::MESSAGE_KIND_VIDEO;
    case sdk::MessageKind::Audio: return v1::MESSAGE_KIND_AUDIO;
    case sdk::MessageKind::Document: return v1::MESSAGE_KIND_DOCUMENT;
    case sdk::MessageKind::Sticker: return v1::MESSAGE_KIND_STICKER;
    case sdk::MessageKind::Location: return v1::MESSAGE_KIND_LOCATION;
    case sdk::MessageKind::ContactCard: return v1::MESSAGE_KIND_CONTACT;
    case sdk::MessageKind::Reaction: return v1::MESSAGE_KIND_REACTION;
    case sdk::MessageKind::Edit: return v1::MESSAGE_KIND_EDIT;
    case sdk::MessageKind::Delete: return v1::MESSAGE_KIND_DELETE;
    case sdk::MessageKind::Unknown: return v1::MESSAGE_KIND_UNKNOWN;
  }
  return v1::MESSAGE_KIND_UNKNOWN;
}

sdk::MessageKind fromProto(v1::MessageKind k) {
  switch (k) {
    case v1::MESSAGE_KIND_TEXT: return sdk::MessageKind::Text;
    case v1::MESSAGE_KIND_IMAGE: return sdk::MessageKind::Image;
    case v1::MESSAGE_KIND_VIDEO: return sdk::MessageKind::Video;
    case v1::MESSAGE_KIND_AUDIO: return sdk::MessageKind::Audio;
    case v1::MESSAGE_KIND_DOCUMENT: return sdk::MessageKind::Document;
    case v1::MESSAGE_KIND_STICKER: return sdk::MessageKind::Sticker;
    case v1::MESSAGE_KIND_LOCATION: return sdk::MessageKind::Location;
    case v1::MESSAGE_KIND_CONTACT: return sdk::MessageKind::ContactCard;
    case v1::MESSAGE_KIND_REACTION: return sdk::MessageKind::Reaction;
    case v1::MESSAGE_KIND_EDIT: return sdk::MessageKind::Edit;
    case v1::MESSAGE_KIND_DELETE: return sdk::MessageKind::Delete;
    default: return sdk::MessageKind::Unknown;
  }
}

v1::ResultStage toProto(sdk::ResultStage s) {
  switch (s) {
    case sdk::ResultStage::Accepted: return v1::RESULT_STAGE_ACCEPTED;
    case sdk::ResultStage::Sent: return v1::RESULT_STAGE_SENT;
    case sdk::ResultStage::Failed: return v1::RESULT_STAGE_FAILED;
    case sdk::ResultStage::Delivered: return v1::RESULT_STAGE_DELIVERED;
    case sdk::ResultStage::Read: return v1::RESULT_STAGE_READ;
  }
  return v1::RESULT_STAGE_UNSPECIFIED;
}

sdk::ResultStage fromProto(v1::ResultStage s) {
  switch (s) {
    case v1::RESULT_STAGE_SENT: return sdk::ResultStage::Sent;
    case v1::RESULT_STAGE_FAILED: return sdk::ResultStage::Failed;
    case v1::RESULT_STAGE_DELIVERED: return sdk::ResultStage::Delivered;
    case v1::RESULT_STAGE_READ: return sdk::ResultStage::Read;
    default: return sdk::ResultStage::Accepted;
  }
}

v1::AgentStatus agentStatusOf(const std::string& s) {
  if (s == "available") return v1::AGENT_STATUS_AVAILABLE;
  if (s == "busy") return v1::AGENT_STATUS_BUSY;
  if (s == "away") return v1::AGENT_STATUS_AWAY;
  if (s == "offline") return v1::AGENT_STATUS_OFFLINE;
  return v1::AGENT_STATUS_UNSPECIFIED;
}

void toProto(const sdk::Media& in, v1::Media& out) {
  out.set_mime_type(in.mimeType);
  out.set_ref(in.ref);
  out.set_file_name(in.fileName);
  out.set_caption(in.caption);
  out.set_size(in.size);
  out.set_sha256_hex(in.sha256Hex);
  out.set_width(in.width);
  out.set_height(in.height);
  out.set_duration_seconds(in.durationSeconds);
}

sdk::Media fromProto(const v1::Media& in) {
  sdk::Media m;
  m.mimeType = in.mime_type();
  m.ref = in.ref();
  m.fileName = in.file_name();
  m.caption = in.caption();
  m.size = in.size();
  m.sha256Hex = in.sha256_hex();
  m.width = in.width();
  m.height = in.height();
  m.durationSeconds = in.duration_seconds();
  return m;
}

void fillHeader(v1::Envelope& env, const std::string& id, const char* type, const std::string& tenant,
                const std::string& account, const std::string& conversation) {
  env.set_id(id);
  env.set_type(type);
  env.set_tenant(tenant);
  env.set_account(account);
  env.set_conversation(conversation);
  env.set_source("/switchboard/" + tenant + "/" + account);
  env.set_schema_version(kSchemaVersion);
}

void fillEventDetail(const sdk::Event& e, v1::Event& out) {
  const std::string& t = e.type;
  auto startsWith = [&t](std::string_view p) { return t.rfind(p, 0) == 0; };
  if (startsWith("receipt.")) {
    auto* r = out.mutable_receipt();
    r->set_kind(t == "receipt.delivered" ? v1::Receipt::KIND_DELIVERED
                : t == "receipt.read"    ? v1::Receipt::KIND_READ
                : t == "receipt.played"  ? v1::Receipt::KIND_PLAYED
                                         : v1::Receipt::KIND_UNSPECIFIED);
    r->set_message_id(e.subject);
    r->set_network_id(attr(e, "network_id"));
    r->set_command_id(attr(e, "command_id"));
    r->set_participant(attr(e, "participant"));
  } else if (t == "session.state") {
    out.mutable_session_state()->set_state(attr(e, "state"));
    out.mutable_session_state()->set_reason(attr(e, "reason"));
  } else if (t == "session.qr") {
    out.mutable_pairing_qr()->set_code(attr(e, "code"));
    setTime(out.mutable_pairing_qr()->mutable_expires_at(), parseInt(attr(e, "expires_at_ms")));
  } else if (t == "session.pairing_code") {
    out.mutable_pairing_code()->set_code(attr(e, "code"));
    out.mutable_pairing_code()->set_phone(attr(e, "phone"));
    setTime(out.mutable_pairing_code()->mutable_expires_at(), parseInt(attr(e, "expires_at_ms")));
  } else if (startsWith("conversation.")) {
    auto* a = out.mutable_assignment();
    a->set_conversation(e.conversation.empty() ? e.subject : e.conversation);
    a->set_agent(attr(e, "agent"));
    a->set_previous_agent(attr(e, "previous_agent"));
    a->set_reason(attr(e, "reason"));
  } else if (startsWith("contact.")) {
    auto* c = out.mutable_contact();
    c->set_contact_id(e.subject);
    c->set_phone(attr(e, "phone"));
    c->set_name(attr(e, "name"));
    std::string changed = attr(e, "changed");
    std::size_t pos = 0;
    while (!changed.empty() && pos <= changed.size()) {
      auto comma = changed.find(',', pos);
      auto part = changed.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!part.empty()) {
        c->add_changed_fields(part);
      }
      if (comma == std::string::npos) {
        break;
      }
      pos = comma + 1;
    }
  } else if (t == "agent.status") {
    auto* a = out.mutable_agent_status();
    a->set_agent(e.subject);
    a->set_status(agentStatusOf(attr(e, "status")));
    a->set_previous_status(agentStatusOf(attr(e, "previous_status")));
  }
}

std::string serialize(const v1::Envelope& env) {
  std::string out;
  env.SerializeToString(&out);
  return out;
}

// A record's payload in the format it will be produced in, printed from the message at hand so
// the relay sends it as it is.
void setPayload(OutboxRecord& r, const v1::Envelope& env, Format format) {
  r.payloadFormat = payloadFormatOf(format);
  if (format == Format::Protobuf) {
    r.payload = serialize(env);
    return;
  }
  r.payload.clear();
  if (!appendCanonicalJson(env, r.payload)) {
    r.payload.clear();
    (void)google::protobuf::util::MessageToJsonString(env, &r.payload);
  }
}

}  // namespace

const char* toString(Format f) { return f == Format::Protobuf ? "protobuf" : "json"; }

Format parseFormat(std::string_view text) { return text == "protobuf" ? Format::Protobuf : Format::Json; }

const char* contentType(Format f) { return f == Format::Protobuf ? "application/protobuf" : "application/json"; }

void toProto(const sdk::InboundMessage& in, v1::Envelope& out) {
  fillHeader(out, in.id, cetype::kInbound, in.tenant, in.account, in.conversation);
  setTime(out.mutable_time(), in.timestamp);
  auto* m = out.mutable_message();
  m->set_id(in.id);
  m->set_network_id(in.networkId);
  m->set_tenant(in.tenant);
  m->set_account(in.account);
  m->set_conversation(in.conversation);
  m->set_chat(in.chat);
  m->set_sender(in.sender);
  m->set_sender_name(in.senderName);
  m->set_from_me(in.fromMe);
  m->set_is_group(in.isGroup);
  setTime(m->mutable_timestamp(), in.timestamp);
  m->set_kind(toProto(in.kind));
  m->set_text(in.text);
  if (in.media) {
    toProto(*in.media, *m->mutable_media());
  }
  if (in.location) {
    auto* l = m->mutable_location();
    l->set_latitude(in.location->latitude);
    l->set_longitude(in.location->longitude);
    l->set_name(in.location->name);
    l->set_address(in.location->address);
  }
  if (in.contact) {
    m->mutable_contact()->set_display_name(in.contact->displayName);
    m->mutable_contact()->set_vcard(in.contact->vcard);
  }
  m->set_reply_to(in.replyTo);
  m->set_target_id(in.targetId);
  m->set_reaction(in.reaction);
}

sdk::InboundMessage inboundFromProto(const v1::Envelope& env) {
  const auto& m = env.message();
  sdk::InboundMessage out;
  out.id = m.id();
  out.networkId = m.network_id();
  out.tenant = m.tenant();
  out.account = m.account();
  out.conversation = m.conversation();
  out.chat = m.chat();
  out.sender = m.sender();
  out.senderName = m.sender_name();
  out.fromMe = m.from_me();
  out.isGroup = m.is_group();
  out.timestamp = msOf(m.timestamp());
  out.kind = fromProto(m.kind());
  out.text = m.text();
  if (m.has_media()) {
    out.media = fromProto(m.media());
  }
  if (m.has_location()) {
    out.location = sdk::Location{m.location().latitude(), m.location().longitude(), m.location().name(),
                                 m.location().address()};
  }
  if (m.has_contact()) {
    out.contact = sdk::ContactCard{m.contact().display_name(), m.contact().vcard()};
  }
  out.replyTo = m.reply_to();
  out.targetId = m.target_id();
  out.reaction = m.reaction();
  return out;
}

namespace {
std::string eventId(const sdk::Event& e) {
  auto explicitId = attr(e, "event_id");
  if (!explicitId.empty()) {
    return explicitId;
  }
  // Two events may share type, subject and millisecond (read receipts from two group members):
  // a digest of the attributes keeps their ids apart while staying the same for the same event.
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (const auto& [k, v] : e.attributes) {
    for (const std::string* part : {&k, &v}) {
      for (unsigned char c : *part) {
        h = (h ^ c) * 1099511628211ULL;
      }
      h = (h ^ 0xffU) * 1099511628211ULL;
    }
  }
  char digest[17];
  std::snprintf(digest, sizeof(digest), "%016llx", static_cast<unsigned long long>(h));
  return e.type + ":" + e.account + ":" + e.subject + ":" + std::to_string(e.timestamp) + ":" + std::string(digest, 8);
}
}  // namespace

void toProto(const sdk::Event& in, v1::Envelope& out) {
  fillHeader(out, eventId(in), cetype::kEvent, in.tenant, in.account, in.conversation);
  setTime(out.mutable_time(), in.timestamp);
  auto* e = out.mutable_event();
  e->set_type(in.type);
  e->set_tenant(in.tenant);
  e->set_account(in.account);
  e->set_conversation(in.conversation);
  e->set_subject(in.subject);
  for (const auto& [k, v] : in.attributes) {
    if (!looksSecret(k)) {
      (*e->mutable_attributes())[k] = v;
    }
  }
  setTime(e->mutable_timestamp(), in.timestamp);
  fillEventDetail(in, *e);
}

sdk::Event eventFromProto(const v1::Envelope& env) {
  const auto& e = env.event();
  sdk::Event out;
  out.type = e.type();
  out.tenant = e.tenant();
  out.account = e.account();
  out.conversation = e.conversation();
  out.subject = e.subject();
  for (const auto& [k, v] : e.attributes()) {
    out.attributes[k] = v;
  }
  out.timestamp = msOf(e.timestamp());
  return out;
}

void toProto(const sdk::CommandResult& in, v1::Envelope& out) {
  fillHeader(out, in.commandId + ":" + sdk::toString(in.stage), cetype::kResult, in.tenant, in.account, "");
  setTime(out.mutable_time(), in.timestamp);
  auto* r = out.mutable_result();
  r->set_command_id(in.commandId);
  r->set_tenant(in.tenant);
  r->set_account(in.account);
  r->set_stage(toProto(in.stage));
  r->set_network_id(in.networkId);
  r->set_reason(in.reason);
  r->set_error_code(in.errorCode);
  setTime(r->mutable_timestamp(), in.timestamp);
}

sdk::CommandResult resultFromProto(const v1::Envelope& env) {
  const auto& r = env.result();
  sdk::CommandResult out;
  out.commandId = r.command_id();
  out.tenant = r.tenant();
  out.account = r.account();
  out.stage = fromProto(r.stage());
  out.networkId = r.network_id();
  out.reason = r.reason();
  out.errorCode = r.error_code();
  out.timestamp = msOf(r.timestamp());
  return out;
}

OutboxRecord inboundRecord(const sdk::InboundMessage& message, Format format) {
  v1::Envelope env;
  toProto(message, env);
  OutboxRecord r;
  r.topic = topic::kInbound;
  r.key = message.conversation.empty() ? message.account : message.conversation;
  r.ceId = message.id;
  r.ceType = cetype::kInbound;
  r.tenant = message.tenant;
  r.account = message.account;
  r.conversation = message.conversation;
  setPayload(r, env, format);
  r.createdAtMs = nowMs();
  return r;
}

OutboxRecord eventRecord(const sdk::Event& source, Format format) {
  sdk::Event event = source;
  if (event.timestamp == 0) {
    event.timestamp = nowMs();
  }
  v1::Envelope env;
  toProto(event, env);
  OutboxRecord r;
  r.topic = topic::kEvents;
  r.key = !event.conversation.empty() ? event.conversation : !event.account.empty() ? event.account : event.subject;
  r.ceId = env.id();
  r.ceType = cetype::kEvent;
  r.tenant = event.tenant;
  r.account = event.account;
  r.conversation = event.conversation;
  if (env.event().has_assignment()) {
    r.assignee = env.event().assignment().agent();
    env.set_assignee(r.assignee);
  }
  setPayload(r, env, format);
  r.createdAtMs = nowMs();
  return r;
}

OutboxRecord resultRecord(const sdk::CommandResult& result, Format format) {
  v1::Envelope env;
  toProto(result, env);
  OutboxRecord r;
  r.topic = topic::kResults;
  r.key = result.commandId;
  r.ceId = env.id();
  r.ceType = cetype::kResult;
  r.tenant = result.tenant;
  r.account = result.account;
  setPayload(r, env, format);
  r.createdAtMs = nowMs();
  return r;
}

OutboxRecord deadLetterRecord(const DeadLetterSource& source, const sdk::Error& error, std::string_view stage) {
  v1::Envelope env;
  std::string id =
      "dlq:" + source.topic + ":" + std::to_string(source.partition) + ":" + std::to_string(source.offset);
  fillHeader(env, id, cetype::kDeadLetter, sdk::kDefaultTenant, "", "");
  auto now = nowMs();
  setTime(env.mutable_time(), now);
  auto* d = env.mutable_dead_letter();
  // Headers are read by tools that print them one per line (kcat %h): keep the reason on one line.
  std::string reason = error.message;
  for (auto& c : reason) {
    if (c == '\n' || c == '\r' || c == '\t') {
      c = ' ';
    }
  }
  d->set_reason(reason);
  d->set_error_code(error.code);
  d->set_stage(std::string(stage));
  d->set_source_topic(source.topic);
  d->set_source_partition(source.partition);
  d->set_source_offset(source.offset);
  d->set_original_key(source.key);
  d->set_original_value(source.value);
  setTime(d->mutable_failed_at(), now);
  OutboxRecord r;
  r.topic = topic::kDlq;
  r.key = source.key;
  r.ceId = id;
  r.ceType = cetype::kDeadLetter;
  r.tenant = sdk::kDefaultTenant;
  r.payload = serialize(env);
  r.createdAtMs = now;
  return r;
}

sdk::Result<std::string> toWire(std::string_view protobufPayload, Format format) {
  if (format == Format::Protobuf) {
    return std::string(protobufPayload);
  }
  return envelopeBytesToJson(protobufPayload);
}

PayloadFormat payloadFormatOf(Format format) {
  return format == Format::Json ? PayloadFormat::Json : PayloadFormat::Protobuf;
}

sdk::Status convertPayload(OutboxRecord& record, Format format) {
  if (record.payloadFormat == payloadFormatOf(format)) {
    return sdk::okStatus();
  }
  if (format == Format::Json) {
    // Printed into a buffer kept per thread and swapped in: the payload's old buffer becomes the
    // next one's, so a stream of conversions allocates nothing.
    thread_local std::string json;
    SB_TRY(envelopeBytesToJson(record.payload, json));
    record.payload.swap(json);
  } else {
    v1::Envelope env;
    if (!fromWire(record.payload, Format::Json, env).ok()) {
      return sdk::Error::fatal("kafka.corrupt_payload",
                               "outbox row " + std::to_string(record.seq) + " does not hold a JSON Envelope");
    }
    record.payload = env.SerializeAsString();
  }
  record.payloadFormat = payloadFormatOf(format);
  return sdk::okStatus();
}

sdk::Status fromWire(std::string_view bytes, Format format, v1::Envelope& out) {
  if (format == Format::Protobuf) {
    if (!out.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return sdk::Error::permanent("command.malformed", "value is not a protobuf switchboard.v1.Envelope");
    }
    return sdk::okStatus();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(bytes.data(), bytes.size()), &out, options);
  if (!status.ok()) {
    return sdk::Error::permanent("command.malformed",
                                 "value is not a switchboard.v1.Envelope in JSON: " + std::string(status.message()));
  }
  return sdk::okStatus();
}

}  // namespace switchboard::host
