// The relay's JSON printer against protobuf's own: the same text for every kind of envelope, for
// strings full of characters that need escapes, for doubles, timestamps and bytes.

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <random>

#include "kafka/envelope.hpp"
#include "kafka/envelope_json.hpp"
#include "switchboard/v1/envelope.pb.h"

namespace switchboard::host {
namespace {

std::string protobufJson(const v1::Envelope& env) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(env, &out).ok());
  return out;
}

// The printer itself (no fallback to protobuf's), and the bytes-to-JSON call the relay makes.
std::string fastJson(const v1::Envelope& env) {
  std::string direct;
  EXPECT_TRUE(appendCanonicalJson(env, direct)) << "fell back to protobuf's printer";
  auto json = envelopeBytesToJson(env.SerializeAsString());
  EXPECT_TRUE(json.ok()) << (json.ok() ? "" : json.error().describe());
  v1::Envelope a, b;  // the same message (map entries may come in another order after a parse)
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json.valueOr("{}"), &a).ok());
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(direct, &b).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
  return direct;
}

// Parsed back, the two texts are the same message (map entries may come in another order).
void expectSameMessage(const v1::Envelope& env) {
  const std::string fast = fastJson(env);
  v1::Envelope back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(fast, &back).ok()) << fast;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(env, back)) << fast;
}

sdk::InboundMessage sample() {
  sdk::InboundMessage m;
  m.tenant = "acme";
  m.account = "15550001111";
  m.id = "msg-1";
  m.networkId = "3EB0ABC";
  m.conversation = "conv-9";
  m.chat = "15552223333@s.whatsapp.net";
  m.sender = m.chat;
  m.senderName = "Ann <ann@example.com>";
  m.timestamp = 1'700'000'000'123;
  m.text = "line 1\nline \"2\"\t\\ <b>&</b> \x7f ☺ 👍 \u00ad\u2028 é";
  return m;
}

v1::Envelope parse(const OutboxRecord& r) {
  v1::Envelope env;
  EXPECT_TRUE(env.ParseFromString(r.payload));
  return env;
}

TEST(KafkaEnvelopeJson, InboundMessagesPrintExactlyAsProtobuf) {
  std::vector<sdk::InboundMessage> all;
  all.push_back(sample());
  auto media = sample();
  media.kind = sdk::MessageKind::Image;
  media.media = sdk::Media{"image/jpeg", "media/ab/cd", "x.jpg", "a caption", 12345678901ULL, "00ff", 640, 480, 7};
  all.push_back(media);
  auto location = sample();
  location.kind = sdk::MessageKind::Location;
  location.location = sdk::Location{52.520008, -13.404954, "Berlin", "Somewhere 1"};
  all.push_back(location);
  auto odd = sample();
  odd.kind = sdk::MessageKind::Location;
  odd.location = sdk::Location{1.0 / 3.0, 1e-7, "", ""};
  all.push_back(odd);
  auto contact = sample();
  contact.kind = sdk::MessageKind::ContactCard;
  contact.contact = sdk::ContactCard{"Bob", "BEGIN:VCARD\r\nFN:Bob\r\nEND:VCARD"};
  all.push_back(contact);
  auto reaction = sample();
  reaction.kind = sdk::MessageKind::Reaction;
  reaction.targetId = "3EB0TARGET";
  reaction.reaction = "👍🏽";
  reaction.timestamp = 1'700'000'000'000;  // whole seconds: no fraction
  all.push_back(reaction);
  auto early = sample();
  early.timestamp = -1;  // before 1970
  all.push_back(early);
  for (const auto& m : all) {
    auto env = parse(inboundRecord(m));
    EXPECT_EQ(fastJson(env), protobufJson(env));
    expectSameMessage(env);
  }
}

TEST(KafkaEnvelopeJson, EventsResultsAndDeadLettersMatch) {
  sdk::Event e;
  e.type = "conversation.assigned";
  e.account = "15550001111";
  e.conversation = "conv-9";
  e.subject = "conv-9";
  e.attributes = {{"agent", "alice"}};
  e.timestamp = 42;
  auto event = parse(eventRecord(e));
  EXPECT_EQ(fastJson(event), protobufJson(event));
  e.attributes = {{"agent", "alice"}, {"previous_agent", "bob"}, {"why", "load\u2029balance"}};
  expectSameMessage(parse(eventRecord(e)));

  sdk::CommandResult r;
  r.commandId = "cmd-7";
  r.account = "15550001111";
  r.stage = sdk::ResultStage::Failed;
  r.reason = "not on WhatsApp";
  r.errorCode = "wa.not_on_whatsapp";
  auto result = parse(resultRecord(r));
  EXPECT_EQ(fastJson(result), protobufJson(result));

  DeadLetterSource source{"switchboard.outbound", 2, 9'000'000'000LL, "k\x01", std::string("\xff\x00\xfe{", 4)};
  auto dlq = parse(deadLetterRecord(source, sdk::Error::permanent("command.malformed", "bad"), "parse"));
  EXPECT_EQ(fastJson(dlq), protobufJson(dlq));
  expectSameMessage(dlq);

  sdk::OutboundCommand c;
  c.commandId = "c1";
  c.account = "15550001111";
  c.kind = sdk::CommandKind::SendTemplate;
  c.templateName = "welcome";
  c.templateParams = {{"name", "Ann"}};
  c.createdAt = 1'700'000'000'500;
  v1::Envelope command;
  ASSERT_TRUE(fromWire(encodeCommand(c, Format::Protobuf), Format::Protobuf, command).ok());
  EXPECT_EQ(fastJson(command), protobufJson(command));
}

TEST(KafkaEnvelopeJson, RandomTextMatchesProtobufByteForByte) {
  // Code points from every range the escaping treats differently, mixed at random.
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges = {
      {0x01, 0x7f},     {0x80, 0xff},     {0x590, 0x720},   {0x17b0, 0x17b8}, {0x2000, 0x2070},
      {0xd7f0, 0xd7ff}, {0xe000, 0xe010}, {0xfef0, 0xffff}, {0x1d170, 0x1d180}, {0xe0000, 0xe0080},
      {0x1f600, 0x1f64f}};
  std::mt19937 rng(7);
  auto utf8 = [](std::uint32_t cp, std::string& s) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xc0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xe0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 63));
      s += static_cast<char>(0x80 | (cp & 63));
    } else {
      s += static_cast<char>(0xf0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 63));
      s += static_cast<char>(0x80 | ((cp >> 6) & 63));
      s += static_cast<char>(0x80 | (cp & 63));
    }
  };
  for (int round = 0; round < 300; ++round) {
    auto m = sample();
    m.text.clear();
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) {
      const auto& [lo, hi] = ranges[rng() % ranges.size()];
      utf8(lo + rng() % (hi - lo + 1), m.text);
    }
    m.kind = sdk::MessageKind::Location;
    std::uniform_real_distribution<double> coord(-180, 180);
    m.location = sdk::Location{coord(rng), coord(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20), "", ""};
    m.timestamp = static_cast<sdk::TimestampMs>(rng() % 4'000'000'000'000ULL);
    auto env = parse(inboundRecord(m));
    ASSERT_EQ(fastJson(env), protobufJson(env)) << "round " << round;
  }
}

TEST(KafkaEnvelopeJson, RecordsStoredInEitherFormatConvertBothWays) {
  auto m = sample();
  auto proto = inboundRecord(m, Format::Protobuf);
  auto json = inboundRecord(m, Format::Json);
  EXPECT_EQ(proto.payloadFormat, PayloadFormat::Protobuf);
  EXPECT_EQ(json.payloadFormat, PayloadFormat::Json);
  EXPECT_EQ(json.payload, *envelopeBytesToJson(proto.payload));
  EXPECT_EQ(json.ceId, proto.ceId);
  EXPECT_EQ(json.key, proto.key);

  auto toProto = json;
  ASSERT_TRUE(convertPayload(toProto, Format::Protobuf).ok());
  EXPECT_EQ(toProto.payloadFormat, PayloadFormat::Protobuf);
  EXPECT_EQ(toProto.payload, proto.payload);
  auto toJson = proto;
  ASSERT_TRUE(convertPayload(toJson, Format::Json).ok());
  EXPECT_EQ(toJson.payload, json.payload);
  auto same = json;
  ASSERT_TRUE(convertPayload(same, Format::Json).ok());  // nothing to do
  EXPECT_EQ(same.payload, json.payload);

  sdk::CommandResult r;
  r.commandId = "cmd-7";
  r.stage = sdk::ResultStage::Sent;
  EXPECT_EQ(resultRecord(r, Format::Json).payload, *envelopeBytesToJson(resultRecord(r).payload));

  auto broken = json;
  broken.payload = "{\"id\": ";
  EXPECT_FALSE(convertPayload(broken, Format::Protobuf).ok());
  EXPECT_EQ(broken.payload, "{\"id\": ");  // left as it was
  EXPECT_EQ(broken.payloadFormat, PayloadFormat::Json);
}

TEST(KafkaEnvelopeJson, BadBytesAreAnError) {
  auto json = envelopeBytesToJson(std::string("\xff\xff\xff\xff", 4));
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, "kafka.corrupt_payload");
}

}  // namespace
}  // namespace switchboard::host
