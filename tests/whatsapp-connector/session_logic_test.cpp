// The connector's decisions that need no network: the session state machine, reconnect backoff,
// what server refusals mean, send pacing, credentials at rest, device lists, message ids, and the
// E2E Message protobuf as an InboundMessage.

#include <gtest/gtest.h>

#include "connector/backoff.hpp"
#include "connector/client_payload.hpp"
#include "connector/connector_config.hpp"
#include "connector/device_list.hpp"
#include "connector/message_content.hpp"
#include "connector/send_pacer.hpp"
#include "connector/server_verdict.hpp"
#include "connector/session_state.hpp"
#include "connector/stanza.hpp"
#include "switchboard/whatsapp/wire/client_payload.pb.h"

using namespace switchboard::whatsapp;
using namespace switchboard::whatsapp::connector;
namespace sdk = switchboard::sdk;
using namespace std::chrono_literals;

TEST(WaSessionState, FollowsTheDiagramAndReportsEveryChange) {
  std::vector<std::string> seen;
  SessionStateMachine m([&](SessionState from, SessionState to, const std::string& reason) {
    seen.push_back(std::string(toString(from)) + ">" + std::string(toString(to)) + ":" + reason);
  });
  EXPECT_EQ(m.state(), SessionState::Idle);
  EXPECT_FALSE(m.moveTo(SessionState::Connected, "skip")) << "idle cannot be connected without connecting";
  EXPECT_TRUE(m.moveTo(SessionState::Connecting, "registration"));
  EXPECT_TRUE(m.moveTo(SessionState::Qr, "scan"));
  EXPECT_FALSE(m.moveTo(SessionState::Qr, "again")) << "no change, no event";
  EXPECT_FALSE(m.moveTo(SessionState::Connected, "skip")) << "a QR connection never becomes connected";
  EXPECT_TRUE(m.moveTo(SessionState::Connecting, "paired, restart"));
  EXPECT_TRUE(m.moveTo(SessionState::Connected, "login"));
  EXPECT_FALSE(m.moveTo(SessionState::Qr, "x"));
  EXPECT_TRUE(m.moveTo(SessionState::Disconnected, "drop"));
  EXPECT_TRUE(m.moveTo(SessionState::Connecting, "retry"));
  EXPECT_TRUE(m.moveTo(SessionState::LoggedOut, "401"));
  EXPECT_TRUE(m.terminal());
  EXPECT_FALSE(m.moveTo(SessionState::Disconnected, "x"));
  EXPECT_TRUE(m.moveTo(SessionState::Stopped, "stop"));
  EXPECT_FALSE(m.moveTo(SessionState::Connecting, "x")) << "stopped is final";
  EXPECT_EQ(seen, (std::vector<std::string>{"idle>connecting:registration", "connecting>qr:scan",
                                            "qr>connecting:paired, restart", "connecting>connected:login",
                                            "connected>disconnected:drop", "disconnected>connecting:retry",
                                            "connecting>logged_out:401", "logged_out>stopped:stop"}));
  for (auto s : {SessionState::Idle, SessionState::Connecting, SessionState::Qr, SessionState::PairingCode,
                 SessionState::Connected, SessionState::Disconnected, SessionState::LoggedOut, SessionState::Parked,
                 SessionState::Stopped}) {
    EXPECT_EQ(parseSessionState(toString(s)), s);
  }
  EXPECT_FALSE(parseSessionState("bogus"));
}

TEST(WaBackoff, DoublesUpToTheCapWithinTheJitterAndParksAfterTheLimit) {
  ReconnectSettings s;
  s.initial = 100ms;
  s.max = 1000ms;
  s.jitter = 0.5;
  s.parkAfter = 6;
  Backoff exact(s, [] { return 0.5; });  // factor 1.0
  std::vector<long> waits;
  for (int i = 0; i < 6; ++i) {
    waits.push_back(static_cast<long>(exact.next().count()));
  }
  EXPECT_EQ(waits, (std::vector<long>{100, 200, 400, 800, 1000, 1000}));
  EXPECT_TRUE(exact.exhausted());
  exact.reset();
  EXPECT_FALSE(exact.exhausted());
  EXPECT_EQ(exact.next().count(), 100);

  Backoff low(s, [] { return 0.0; }), high(s, [] { return 0.999999; });
  EXPECT_EQ(low.next().count(), 50);
  EXPECT_NEAR(static_cast<double>(high.next().count()), 150, 1);
  Backoff random(s);
  for (int i = 0; i < 100; ++i) {
    random.reset();
    const auto w = random.next().count();
    EXPECT_GE(w, 50);
    EXPECT_LE(w, 150);
  }
}

TEST(WaServerVerdict, FailuresAndStreamErrorsMapToTheRightReaction) {
  using A = ServerVerdict::Action;
  auto failure = [](std::vector<Node::Attribute> attrs) { return classifyFailure(Node("failure", std::move(attrs))); };
  EXPECT_EQ(failure({{"reason", "401"}}).action, A::LogOut);
  EXPECT_EQ(failure({{"reason", "403"}}).action, A::LogOut);
  EXPECT_EQ(failure({{"reason", "503"}}).action, A::Reconnect);
  EXPECT_EQ(failure({{"reason", "500"}}).action, A::Reconnect);
  EXPECT_EQ(failure({{"reason", "405"}}).action, A::Park);
  auto ban = failure({{"reason", "402"}, {"code", "101"}, {"expire", "3600"}});
  EXPECT_EQ(ban.action, A::Park);
  EXPECT_EQ(ban.event, "session.banned");
  EXPECT_EQ(ban.expire, "3600");

  auto stream = [](std::vector<Node::Attribute> attrs, Node::Children kids = {}) {
    Node n("stream:error", std::move(attrs));
    if (!kids.empty()) {
      n.content = std::move(kids);
    }
    return classifyStreamError(n);
  };
  EXPECT_EQ(stream({{"code", "515"}}).action, A::RestartNow);
  EXPECT_EQ(stream({{"code", "503"}}).action, A::Reconnect);
  auto replaced = stream({}, {Node("conflict", {{"type", "replaced"}})});
  EXPECT_EQ(replaced.action, A::Park);
  EXPECT_EQ(replaced.event, "session.conflict");
  auto removed = stream({{"code", "401"}}, {Node("conflict", {{"type", "device_removed"}})});
  EXPECT_EQ(removed.action, A::LogOut);
  EXPECT_EQ(stream({}, {Node("ack")}).code, "ack");
}

TEST(WaSendPacer, BurstThenSteadyRate) {
  SendPacer pacer(PacingSettings{2.0, 3});
  auto t = SendPacer::Clock::now();
  EXPECT_EQ(pacer.acquire(t).count(), 0);
  EXPECT_EQ(pacer.acquire(t).count(), 0);
  EXPECT_EQ(pacer.acquire(t).count(), 0);
  const auto wait = pacer.acquire(t);
  EXPECT_GE(wait.count(), 499);
  EXPECT_LE(wait.count(), 501);
  EXPECT_EQ(pacer.acquire(t + 500ms).count(), 0);
  EXPECT_GT(pacer.acquire(t + 500ms).count(), 0);
}

TEST(WaCredentials, RoundTripAndRefuseDamage) {
  auto c = DeviceCredentials::generate();
  c.signedPreKeyPub = KeyPair::generate().pub;
  c.jid = "15551230001:4@s.whatsapp.net";
  c.lid = "987650001:4@lid";
  c.account = {1, 2, 3};
  c.keyIndex = 3;
  c.nextPreKeyId = 51;
  c.uploadedPreKeyId = 50;
  EXPECT_GE(c.registrationId, 1u);
  EXPECT_LE(c.registrationId, 16380u);
  auto back = DeviceCredentials::parse(c.serialize());
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->noiseKey.pub, c.noiseKey.pub);
  EXPECT_EQ(back->identityKey.priv, c.identityKey.priv);
  EXPECT_EQ(back->advSecret, c.advSecret);
  EXPECT_EQ(back->signedPreKeyPub, c.signedPreKeyPub);
  EXPECT_EQ(back->account, c.account);
  EXPECT_EQ(back->user(), "15551230001");
  EXPECT_EQ(back->device(), 4);
  EXPECT_EQ(back->nextPreKeyId, 51u);
  EXPECT_FALSE(DeviceCredentials::parse("{").ok());
  EXPECT_FALSE(DeviceCredentials::parse(R"({"version":1})").ok());
  std::string damaged = c.serialize();
  damaged.replace(damaged.find("\"noise_priv\":\"") + 14, 2, "zz");
  auto bad = DeviceCredentials::parse(damaged);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().isFatal());
}

TEST(WaClientPayload, RegistrationCarriesOurKeysAndLoginOurDevice) {
  auto c = DeviceCredentials::generate();
  c.signedPreKeyPub = KeyPair::generate().pub;
  wire::ClientPayload reg;
  const Bytes regBytes = registrationPayload(c, {});
  ASSERT_TRUE(reg.ParseFromArray(regBytes.data(), static_cast<int>(regBytes.size())));
  EXPECT_FALSE(reg.passive());
  EXPECT_FALSE(reg.has_username());
  ASSERT_TRUE(reg.has_device_pairing_data());
  EXPECT_EQ(reg.device_pairing_data().e_ident(), std::string(c.identityKey.pub.begin(), c.identityKey.pub.end()));
  EXPECT_EQ(reg.device_pairing_data().e_regid().size(), 4u);
  EXPECT_EQ(reg.device_pairing_data().e_skey_id(), std::string("\0\0\1", 3));
  EXPECT_EQ(reg.device_pairing_data().build_hash().size(), 16u);

  c.jid = "15551230001:4@s.whatsapp.net";
  wire::ClientPayload login;
  const Bytes loginBytes = loginPayload(c, {});
  ASSERT_TRUE(login.ParseFromArray(loginBytes.data(), static_cast<int>(loginBytes.size())));
  EXPECT_EQ(login.username(), 15551230001ull);
  EXPECT_EQ(login.device(), 4u);
  EXPECT_TRUE(login.passive());
  EXPECT_FALSE(login.has_device_pairing_data());
}

TEST(WaDeviceList, UsyncReplyAndIds) {
  Node reply("iq", {{"type", "result"}},
             Node::Children{Node(
                 "usync", {},
                 Node::Children{Node(
                     "list", {},
                     Node::Children{Node("user", {{"jid", "15550002@s.whatsapp.net"}},
                                         Node::Children{Node("devices", {},
                                                             Node::Children{Node(
                                                                 "device-list", {},
                                                                 Node::Children{Node("device", {{"id", "0"}}),
                                                                                Node("device", {{"id", "3"}, {"key-index", "2"}}),
                                                                                Node("device", {{"id", "7"}}),
                                                                                Node("device", {{"id", "x"}})})}),
                                                        Node("lid", {{"val", "99990002@lid"}})})})})});
  auto users = parseUsyncDevices(reply);
  ASSERT_TRUE(users.ok()) << users.error().describe();
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ(users->front().lid, "99990002@lid");
  EXPECT_EQ(users->front().devices, (std::vector<std::uint16_t>{0, 3})) << "unsigned companion 7 and junk dropped";
  EXPECT_FALSE(parseUsyncDevices(Node("iq")).ok());

  const std::string id = messageIdForCommand("acct", "cmd-1");
  EXPECT_EQ(id.size(), 22u);
  EXPECT_EQ(id.rfind("3EB0", 0), 0u);
  EXPECT_EQ(id, messageIdForCommand("acct", "cmd-1"));
  EXPECT_NE(id, messageIdForCommand("acct", "cmd-2"));
  EXPECT_NE(id, messageIdForCommand("acct2", "cmd-1"));

  EXPECT_EQ(recipientJid("+1 (555) 123-4567").value().toString(), "15551234567@s.whatsapp.net");
  EXPECT_EQ(recipientJid("15551234567:3@s.whatsapp.net").value().toString(), "15551234567@s.whatsapp.net");
  EXPECT_FALSE(recipientJid("12ab").ok());
  EXPECT_FALSE(recipientJid("123").ok());
}

namespace {
sdk::InboundMessage parse(const wire::Message& m, ParsedContent* out = nullptr) {
  sdk::InboundMessage in;
  auto r = parseContent(m, in);
  if (out != nullptr) {
    *out = r;
  }
  return in;
}
}  // namespace

TEST(WaMessageContent, EveryCarriedKind) {
  wire::Message text;
  text.set_conversation("hello");
  EXPECT_EQ(parse(text).kind, sdk::MessageKind::Text);
  EXPECT_EQ(parse(text).text, "hello");

  wire::Message quote;
  quote.mutable_extended_text_message()->set_text("re: hi");
  quote.mutable_extended_text_message()->mutable_context_info()->set_stanza_id("3EB0QUOTED");
  auto q = parse(quote);
  EXPECT_EQ(q.text, "re: hi");
  EXPECT_EQ(q.replyTo, "3EB0QUOTED");

  wire::Message image;
  auto* img = image.mutable_image_message();
  img->set_mimetype("image/jpeg");
  img->set_caption("look");
  img->set_file_length(1234);
  img->set_width(640);
  img->set_height(480);
  img->set_file_sha256(std::string(32, '\x01'));
  img->set_direct_path("/v/t62/abc?x=1");
  img->set_media_key(std::string(32, '\x02'));
  ParsedContent pc;
  auto im = parse(image, &pc);
  EXPECT_EQ(im.kind, sdk::MessageKind::Image);
  ASSERT_TRUE(im.media.has_value());
  EXPECT_EQ(im.media->caption, "look");
  EXPECT_EQ(im.media->size, 1234u);
  EXPECT_EQ(im.media->width, 640u);
  std::string ones;
  for (int i = 0; i < 32; ++i) {
    ones += "01";
  }
  EXPECT_EQ(im.media->sha256Hex, ones);
  ASSERT_TRUE(pc.media.has_value());
  EXPECT_EQ(pc.media->mediaType, "image");
  EXPECT_EQ(pc.media->directPath, "/v/t62/abc?x=1");

  wire::Message doc;
  doc.mutable_document_with_caption_message()->mutable_message()->mutable_document_message()->set_file_name("a.pdf");
  auto d = parse(doc);
  EXPECT_EQ(d.kind, sdk::MessageKind::Document);
  EXPECT_EQ(d.media->fileName, "a.pdf");

  wire::Message audio;
  audio.mutable_audio_message()->set_seconds(12);
  EXPECT_EQ(parse(audio).kind, sdk::MessageKind::Audio);
  EXPECT_EQ(parse(audio).media->durationSeconds, 12u);
  wire::Message video;
  video.mutable_ephemeral_message()->mutable_message()->mutable_video_message()->set_caption("clip");
  EXPECT_EQ(parse(video).kind, sdk::MessageKind::Video);
  wire::Message sticker;
  sticker.mutable_sticker_message()->set_mimetype("image/webp");
  EXPECT_EQ(parse(sticker).kind, sdk::MessageKind::Sticker);

  wire::Message loc;
  loc.mutable_location_message()->set_degrees_latitude(52.5);
  loc.mutable_location_message()->set_degrees_longitude(13.4);
  loc.mutable_location_message()->set_name("Berlin");
  auto l = parse(loc);
  EXPECT_EQ(l.kind, sdk::MessageKind::Location);
  EXPECT_DOUBLE_EQ(l.location->latitude, 52.5);
  EXPECT_EQ(l.location->name, "Berlin");

  wire::Message contact;
  contact.mutable_contact_message()->set_display_name("Ann");
  contact.mutable_contact_message()->set_vcard("BEGIN:VCARD\nEND:VCARD");
  EXPECT_EQ(parse(contact).kind, sdk::MessageKind::ContactCard);
  EXPECT_EQ(parse(contact).contact->displayName, "Ann");

  wire::Message reaction;
  reaction.mutable_reaction_message()->mutable_key()->set_id("3EB0TARGET");
  reaction.mutable_reaction_message()->set_text("\xF0\x9F\x91\x8D");
  auto r = parse(reaction);
  EXPECT_EQ(r.kind, sdk::MessageKind::Reaction);
  EXPECT_EQ(r.targetId, "3EB0TARGET");
  EXPECT_EQ(r.reaction, "\xF0\x9F\x91\x8D");

  wire::Message edit;
  auto* pm = edit.mutable_protocol_message();
  pm->set_type(wire::Message::ProtocolMessage::MESSAGE_EDIT);
  pm->mutable_key()->set_id("3EB0EDITED");
  pm->mutable_edited_message()->set_conversation("fixed text");
  auto e = parse(edit);
  EXPECT_EQ(e.kind, sdk::MessageKind::Edit);
  EXPECT_EQ(e.targetId, "3EB0EDITED");
  EXPECT_EQ(e.text, "fixed text");

  wire::Message revoke;
  revoke.mutable_protocol_message()->set_type(wire::Message::ProtocolMessage::REVOKE);
  revoke.mutable_protocol_message()->mutable_key()->set_id("3EB0GONE");
  EXPECT_EQ(parse(revoke).kind, sdk::MessageKind::Delete);
  EXPECT_EQ(parse(revoke).targetId, "3EB0GONE");

  wire::Message keyShare;
  keyShare.mutable_protocol_message()->set_type(wire::Message::ProtocolMessage::APP_STATE_SYNC_KEY_SHARE);
  ParsedContent skip;
  parse(keyShare, &skip);
  EXPECT_FALSE(skip.deliver);

  wire::Message dsm;
  dsm.mutable_device_sent_message()->set_destination_jid("15550002@s.whatsapp.net");
  dsm.mutable_device_sent_message()->mutable_message()->set_conversation("from my phone");
  ParsedContent own;
  auto o = parse(dsm, &own);
  EXPECT_TRUE(own.sentByUs);
  EXPECT_EQ(own.destination, "15550002@s.whatsapp.net");
  EXPECT_EQ(o.text, "from my phone");

  EXPECT_FALSE(parseMessageBytes("\xff\xff\xff").ok());
}
