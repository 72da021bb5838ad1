// Group metadata and w:gp2 readers, and what send commands become on the wire.

#include <gtest/gtest.h>

#include "connector/group_info.hpp"
#include "connector/outbound_content.hpp"

namespace sb = switchboard::sdk;
namespace wa = switchboard::whatsapp;
namespace wc = switchboard::whatsapp::connector;

TEST(WaGroupInfo, ReadsMembersRolesAndAddressing) {
  wa::Node reply("iq", {{"type", "result"}},
                 wa::Node::Children{wa::Node(
                     "group", {{"id", "120363000000000001"}, {"subject", "Team"}, {"addressing_mode", "lid"}},
                     wa::Node::Children{
                         wa::Node("participant", {{"jid", "111@lid"}, {"phone_number", "1555@s.whatsapp.net"},
                                                  {"type", "superadmin"}}),
                         wa::Node("participant", {{"jid", "222@lid"}}),
                         wa::Node("participant", {}),  // no jid: skipped
                         wa::Node("other")})});
  auto info = wc::parseGroupInfo(reply);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->jid, "120363000000000001@g.us");
  EXPECT_EQ(info->subject, "Team");
  EXPECT_EQ(info->addressingMode, "lid");
  ASSERT_EQ(info->participants.size(), 2u);
  EXPECT_EQ(info->participants[0].phone, "1555@s.whatsapp.net");
  EXPECT_EQ(info->participants[0].role, "superadmin");
  EXPECT_FALSE(wc::parseGroupInfo(wa::Node("iq")).ok());
  EXPECT_EQ(wc::groupInfoQuery("1@g.us").attr("to").value_or(""), "1@g.us");
}

TEST(WaGroupInfo, NotificationChangesKeepActionMembersAndAttributes) {
  wa::Node n("notification", {{"type", "w:gp2"}, {"from", "1@g.us"}},
             wa::Node::Children{
                 wa::Node("remove", {{"reason", "x"}},
                          wa::Node::Children{wa::Node("participant", {{"jid", "222@lid"}}),
                                             wa::Node("participant", {{"jid", "333@lid"}})}),
                 wa::Node("subject", {{"subject", "New"}})});
  auto changes = wc::parseGroupNotification(n);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].action, "remove");
  EXPECT_EQ(changes[0].participants, (std::vector<std::string>{"222@lid", "333@lid"}));
  EXPECT_EQ(changes[0].attributes.at("reason"), "x");
  EXPECT_EQ(changes[1].attributes.at("subject"), "New");
}

TEST(WaOutboundContent, MediaTypesStanzaTypesAndFields) {
  sb::Media m;
  m.mimeType = "image/webp";
  EXPECT_EQ(wc::mediaTypeForSend(m), "sticker");
  m.caption = "c";
  EXPECT_EQ(wc::mediaTypeForSend(m), "image");
  m.mimeType = "audio/ogg; codecs=opus";
  EXPECT_EQ(wc::mediaTypeForSend(m), "audio");
  m.mimeType = "application/zip";
  EXPECT_EQ(wc::mediaTypeForSend(m), "document");

  sb::OutboundCommand c;
  c.kind = sb::CommandKind::SendMedia;
  c.media = sb::Media{};
  c.media->mimeType = "application/pdf";
  c.media->fileName = "a.pdf";
  c.replyTo = "3EB0X";
  EXPECT_FALSE(wc::outboundMessage(c, "1@s.whatsapp.net", nullptr).ok()) << "media without an upload";
  const wa::Bytes plain{'x'};
  auto enc = wc::encryptMedia(plain, "document");
  ASSERT_TRUE(enc.ok());
  wc::UploadedMedia up{"https://h/d?x=1", "/d?x=1"};
  wc::OutboundMedia om{"document", &enc.value(), &up, 1700000000};
  auto msg = wc::outboundMessage(c, "1@s.whatsapp.net", &om);
  ASSERT_TRUE(msg.ok());
  ASSERT_TRUE(msg->has_document_message());
  const auto& d = msg->document_message();
  EXPECT_EQ(d.file_name(), "a.pdf");
  EXPECT_EQ(d.direct_path(), "/d?x=1");
  EXPECT_EQ(d.file_length(), 1u);
  EXPECT_EQ(d.media_key().size(), 32u);
  EXPECT_EQ(d.context_info().stanza_id(), "3EB0X");
  EXPECT_EQ(wc::stanzaTypeOf(msg.value()), "media");
  EXPECT_EQ(wc::encMediaTypeOf(msg.value()), "document");

  sb::OutboundCommand r;
  r.kind = sb::CommandKind::SendReaction;
  r.reaction = "ok";
  EXPECT_FALSE(wc::outboundMessage(r, "1@s.whatsapp.net", nullptr).ok()) << "a reaction needs its target";
  r.targetId = "3EB0Y";
  auto reaction = wc::outboundMessage(r, "1@s.whatsapp.net", nullptr);
  ASSERT_TRUE(reaction.ok());
  EXPECT_EQ(reaction->reaction_message().key().id(), "3EB0Y");
  EXPECT_EQ(wc::stanzaTypeOf(reaction.value()), "reaction");
  EXPECT_TRUE(wc::encMediaTypeOf(reaction.value()).empty());

  sb::OutboundCommand t;
  t.text = "hi";
  auto text = wc::outboundMessage(t, "1@s.whatsapp.net", nullptr);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->conversation(), "hi");
  EXPECT_EQ(wc::stanzaTypeOf(text.value()), "text");
}
