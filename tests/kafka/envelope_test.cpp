// The switchboard.v1 contract: SDK values round-trip through the Envelope, the JSON form is the
// canonical proto3 one, and command validation names the field.

#include <gtest/gtest.h>

#include "kafka/envelope.hpp"
#include "kafka/kafka_config.hpp"
#include "switchboard/v1/envelope.pb.h"

namespace switchboard::host {
namespace {

sdk::InboundMessage sampleMessage(sdk::MessageKind kind) {
  sdk::InboundMessage m;
  m.tenant = "acme";
  m.account = "15550001111";
  m.id = "msg-1";
  m.networkId = "3EB0ABC";
  m.conversation = "conv-9";
  m.chat = "15552223333@s.whatsapp.net";
  m.sender = m.chat;
  m.senderName = "Ann";
  m.timestamp = 1'700'000'000'123;
  m.kind = kind;
  return m;
}

v1::Envelope decode(const OutboxRecord& r) {
  v1::Envelope env;
  EXPECT_TRUE(env.ParseFromString(r.payload));
  return env;
}

TEST(KafkaEnvelope, EveryMessageKindRoundTrips) {
  std::vector<sdk::InboundMessage> all;
  auto text = sampleMessage(sdk::MessageKind::Text);
  text.text = "hello ☺";
  text.replyTo = "3EB0QUOTED";
  all.push_back(text);
  auto image = sampleMessage(sdk::MessageKind::Image);
  image.media = sdk::Media{"image/jpeg", "media/ab/cd", "x.jpg", "a caption", 12345, "00ff", 640, 480, 0};
  all.push_back(image);
  auto location = sampleMessage(sdk::MessageKind::Location);
  location.location = sdk::Location{52.52, 13.405, "Berlin", "Somewhere 1"};
  all.push_back(location);
  auto contact = sampleMessage(sdk::MessageKind::ContactCard);
  contact.contact = sdk::ContactCard{"Bob", "BEGIN:VCARD\nFN:Bob\nEND:VCARD"};
  all.push_back(contact);
  auto reaction = sampleMessage(sdk::MessageKind::Reaction);
  reaction.targetId = "3EB0TARGET";
  reaction.reaction = "👍";
  all.push_back(reaction);
  auto edit = sampleMessage(sdk::MessageKind::Edit);
  edit.targetId = "3EB0TARGET";
  edit.text = "fixed typo";
  all.push_back(edit);
  auto del = sampleMessage(sdk::MessageKind::Delete);
  del.targetId = "3EB0TARGET";
  all.push_back(del);

  for (const auto& m : all) {
    auto rec = inboundRecord(m);
    EXPECT_EQ(rec.topic, "inbound");
    EXPECT_EQ(rec.key, "conv-9");
    EXPECT_EQ(rec.ceId, "msg-1");
    EXPECT_EQ(rec.ceType, "switchboard.v1.InboundMessage");
    auto env = decode(rec);
    ASSERT_EQ(env.body_case(), v1::Envelope::kMessage);
    auto back = inboundFromProto(env);
    EXPECT_EQ(back.kind, m.kind) << sdk::toString(m.kind);
    EXPECT_EQ(back.text, m.text);
    EXPECT_EQ(back.timestamp, m.timestamp);
    EXPECT_EQ(back.replyTo, m.replyTo);
    EXPECT_EQ(back.targetId, m.targetId);
    EXPECT_EQ(back.reaction, m.reaction);
    EXPECT_EQ(back.media.has_value(), m.media.has_value());
    if (m.media) {
      EXPECT_EQ(back.media->caption, m.media->caption);
      EXPECT_EQ(back.media->size, m.media->size);
      EXPECT_EQ(back.media->width, 640u);
    }
    if (m.location) {
      EXPECT_DOUBLE_EQ(back.location->longitude, 13.405);
    }
    if (m.contact) {
      EXPECT_EQ(back.contact->vcard, m.contact->vcard);
    }
  }
}

TEST(KafkaEnvelope, JsonIsCanonicalProto3) {
  auto m = sampleMessage(sdk::MessageKind::Text);
  m.text = "hi";
  auto json = toWire(inboundRecord(m).payload, Format::Json);
  ASSERT_TRUE(json.ok());
  // lowerCamelCase names, enums by name, RFC 3339 timestamps.
  EXPECT_NE(json->find("\"networkId\":\"3EB0ABC\""), std::string::npos) << *json;
  EXPECT_NE(json->find("\"kind\":\"MESSAGE_KIND_TEXT\""), std::string::npos) << *json;
  EXPECT_NE(json->find("\"timestamp\":\"2023-11-14T22:13:20.123Z\""), std::string::npos) << *json;
  v1::Envelope back;
  ASSERT_TRUE(fromWire(*json, Format::Json, back).ok());
  EXPECT_EQ(inboundFromProto(back).text, "hi");
}

TEST(KafkaEnvelope, ResultIdIsCommandAndStage) {
  sdk::CommandResult r;
  r.commandId = "cmd-7";
  r.account = "15550001111";
  r.stage = sdk::ResultStage::Failed;
  r.reason = "not on WhatsApp";
  r.errorCode = "wa.not_on_whatsapp";
  auto rec = resultRecord(r);
  EXPECT_EQ(rec.ceId, "cmd-7:failed");
  EXPECT_EQ(rec.topic, "results");
  EXPECT_EQ(rec.key, "cmd-7");
  auto back = resultFromProto(decode(rec));
  EXPECT_EQ(back.stage, sdk::ResultStage::Failed);
  EXPECT_EQ(back.errorCode, "wa.not_on_whatsapp");
}

TEST(KafkaEnvelope, EventsGetTypedDetailAndLoseSecrets) {
  sdk::Event e;
  e.type = "conversation.assigned";
  e.account = "15550001111";
  e.conversation = "conv-9";
  e.subject = "conv-9";
  e.attributes = {{"agent", "alice"}, {"previous_agent", "bob"}, {"api_token", "s3cr3t"}, {"Password", "x"}};
  e.timestamp = 42;
  auto rec = eventRecord(e);
  EXPECT_EQ(rec.assignee, "alice");
  EXPECT_EQ(rec.ceId.rfind("conversation.assigned:15550001111:conv-9:42:", 0), 0u) << rec.ceId;
  EXPECT_EQ(eventRecord(e).ceId, rec.ceId);  // the same event, the same id
  auto other = e;
  other.attributes["agent"] = "carol";
  EXPECT_NE(eventRecord(other).ceId, rec.ceId);  // same type, subject and millisecond, another event
  EXPECT_EQ(rec.payload.find("s3cr3t"), std::string::npos);
  auto env = decode(rec);
  EXPECT_EQ(env.event().assignment().agent(), "alice");
  EXPECT_EQ(env.event().assignment().previous_agent(), "bob");
  EXPECT_EQ(env.event().attributes().count("api_token"), 0u);
  EXPECT_EQ(env.event().attributes().count("Password"), 0u);

  sdk::Event receipt;
  receipt.type = "receipt.read";
  receipt.account = "15550001111";
  receipt.subject = "msg-5";
  receipt.attributes = {{"command_id", "cmd-5"}, {"event_id", "rcpt-1"}};
  auto r2 = eventRecord(receipt);
  EXPECT_EQ(r2.ceId, "rcpt-1");
  EXPECT_EQ(r2.key, "15550001111");
  auto env2 = decode(r2);
  EXPECT_EQ(env2.event().receipt().kind(), v1::Receipt::KIND_READ);
  EXPECT_EQ(env2.event().receipt().command_id(), "cmd-5");

  sdk::Event agent;
  agent.type = "agent.status";
  agent.subject = "alice";
  agent.attributes = {{"status", "away"}};
  EXPECT_EQ(decode(eventRecord(agent)).event().agent_status().status(), v1::AGENT_STATUS_AWAY);
}

TEST(KafkaParseCommand, AcceptsEveryActionInBothFormats) {
  std::vector<sdk::OutboundCommand> all;
  sdk::OutboundCommand base;
  base.commandId = "c";
  base.account = "15550001111";
  base.to = "15552223333";
  base.conversation = "conv-9";
  auto add = [&](sdk::CommandKind k, auto fill) {
    auto c = base;
    c.commandId += std::to_string(all.size());
    c.kind = k;
    fill(c);
    all.push_back(c);
  };
  add(sdk::CommandKind::SendText, [](auto& c) { c.text = "hi"; });
  add(sdk::CommandKind::SendMedia, [](auto& c) {
    sdk::Media media;
    media.mimeType = "image/png";
    media.ref = "https://x/y.png";
    c.media = media;
  });
  add(sdk::CommandKind::SendTemplate, [](auto& c) {
    c.templateName = "welcome";
    c.templateParams = {{"name", "Ann"}};
  });
  add(sdk::CommandKind::SendReaction, [](auto& c) {
    c.targetId = "3EB0X";
    c.reaction = "❤";
  });
  add(sdk::CommandKind::MarkRead, [](auto& c) { c.targetId = "3EB0X"; });
  add(sdk::CommandKind::EditMessage, [](auto& c) {
    c.targetId = "3EB0X";
    c.text = "corrected";
  });
  add(sdk::CommandKind::DeleteMessage, [](auto& c) { c.targetId = "3EB0X"; });
  add(sdk::CommandKind::Assign, [](auto& c) { c.agent = "alice"; });
  add(sdk::CommandKind::Transfer, [](auto& c) { c.agent = "bob"; });
  add(sdk::CommandKind::Close, [](auto&) {});
  add(sdk::CommandKind::SetAgentStatus, [](auto& c) {
    c.agent = "alice";
    c.agentStatus = "busy";
  });
  for (auto format : {Format::Json, Format::Protobuf}) {
    for (const auto& c : all) {
      auto parsed = parseCommand(encodeCommand(c, format), format);
      ASSERT_TRUE(parsed.ok()) << sdk::toString(c.kind) << ": " << parsed.error().describe();
      EXPECT_EQ(parsed->kind, c.kind);
      EXPECT_EQ(parsed->commandId, c.commandId);
      EXPECT_EQ(parsed->templateParams, c.templateParams);
      EXPECT_EQ(parsed->agentStatus, c.agentStatus);
      EXPECT_EQ(parsed->targetId, c.targetId);
      EXPECT_EQ(parsed->text, c.text);
      EXPECT_EQ(parsed->tenant, "default");
    }
  }
}

TEST(KafkaParseCommand, HandWrittenJsonUsesProto3Names) {
  auto parsed = parseCommand(
      R"({"command":{"commandId":"c-1","account":"15550001111","sendText":{"to":"15552223333","text":"hi"}}})",
      Format::Json);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->to, "15552223333");
  // proto field names are accepted too, as proto3 JSON parsers must.
  EXPECT_TRUE(parseCommand(R"({"command":{"command_id":"c-2","account":"1","send_text":{"to":"2","text":"x"}}})",
                           Format::Json)
                  .ok());
}

TEST(KafkaParseCommand, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* code;
    const char* field;
  };
  const Case cases[] = {
      {R"({"command":{"account":"1","sendText":{"to":"2","text":"x"}}})", "command.invalid", "command.command_id"},
      {R"({"command":{"commandId":"c","sendText":{"to":"2","text":"x"}}})", "command.invalid", "command.account"},
      {R"({"command":{"commandId":"c","account":"1","sendText":{"to":"2"}}})", "command.invalid",
       "command.send_text.text"},
      {R"({"command":{"commandId":"c","account":"1","sendText":{"text":"x"}}})", "command.invalid",
       "command.send_text.to"},
      {R"({"command":{"commandId":"c","account":"1","sendMedia":{"to":"2","media":{"ref":"r"}}}})",
       "command.invalid", "command.send_media.media.mime_type"},
      {R"({"command":{"commandId":"c","account":"1","assign":{"agent":"a"}}})", "command.invalid",
       "command.conversation"},
      {R"({"command":{"commandId":"c","setAgentStatus":{"agent":"a"}}})", "command.invalid",
       "command.set_agent_status.status"},
      {R"({"command":{"commandId":"c","account":"1"}})", "command.invalid", "command.action"},
      {R"({"event":{"type":"x"}})", "command.invalid", "command"},
      {R"({"command":{"commandId":"c","acount":"1"}})", "command.malformed", "acount"},
      {R"(not json)", "command.malformed", "JSON"},
  };
  for (const auto& c : cases) {
    auto parsed = parseCommand(c.json, Format::Json);
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_EQ(parsed.error().code, c.code) << c.json;
    EXPECT_NE(parsed.error().message.find(c.field), std::string::npos) << parsed.error().message;
    EXPECT_EQ(parsed.error().cls, sdk::ErrorClass::Permanent);
  }
  auto garbage = parseCommand(std::string("\xff\xff\xff\x01", 4), Format::Protobuf);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, "command.malformed");
}

TEST(KafkaConfig, ReadsPropertiesFilesAndRejectsMissingBrokers) {
  char path[] = "/tmp/sb-kafka-secret-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "hunter2\n", 8), 8);
  close(fd);
  auto section = sdk::ConfigValue::ofMap({
      {"embedded", sdk::ConfigValue::ofBool(false)},
      {"brokers", sdk::ConfigValue::ofList({sdk::ConfigValue::ofString("k1:9092")})},
      {"properties_files", sdk::ConfigValue::ofMap({{"sasl.password", sdk::ConfigValue::ofString(path)}})},
  });
  auto s = kafkaSettings(section);
  unlink(path);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->properties.at("sasl.password"), "hunter2");
  EXPECT_TRUE(isSecretProperty("sasl.password"));

  auto none = kafkaSettings(sdk::ConfigValue::ofMap({{"embedded", sdk::ConfigValue::ofBool(false)}}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("kafka.brokers"), std::string::npos);

  auto schema = kafkaConfigSchema();
  bool hasFormat = false;
  for (const auto& f : schema.fields) {
    if (f.name == "format") {
      hasFormat = true;
      EXPECT_EQ(f.allowed, (std::vector<std::string>{"json", "protobuf"}));
    }
  }
  EXPECT_TRUE(hasFormat);
}

}  // namespace
}  // namespace switchboard::host
