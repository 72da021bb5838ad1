#include <gtest/gtest.h>

#include "cluster/control_command.hpp"

namespace sbc = switchboard::host::cluster;

TEST(ControlCommand, ParsesEachAction) {
  auto add = sbc::parseControlCommand(R"({"action":"add","account":"15551230001","name":"Sales"})");
  ASSERT_TRUE(add.ok()) << add.error().describe();
  EXPECT_EQ(add->action, sbc::ControlAction::Add);
  EXPECT_EQ(add->account, "15551230001");
  EXPECT_EQ(add->tenant, "default");
  EXPECT_EQ(add->name, "Sales");
  for (const char* a : {"remove", "pause", "resume"}) {
    auto c = sbc::parseControlCommand(std::string(R"({"action":")") + a + R"(","account":"x1","tenant":"acme"})");
    ASSERT_TRUE(c.ok()) << a;
    EXPECT_STREQ(sbc::toString(c->action), a);
    EXPECT_EQ(c->tenant, "acme");
  }
  auto move = sbc::parseControlCommand(R"({"action":"move","account":"x1","to":"daemon-b"})");
  ASSERT_TRUE(move.ok());
  EXPECT_EQ(move->to, "daemon-b");
}

TEST(ControlCommand, RoundTrips) {
  sbc::ControlCommand c;
  c.action = sbc::ControlAction::Pause;
  c.account = "15551230009";
  c.tenant = "acme";
  auto back = sbc::parseControlCommand(sbc::encodeControlCommand(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->action, c.action);
  EXPECT_EQ(back->account, c.account);
  EXPECT_EQ(back->tenant, c.tenant);
}

TEST(ControlCommand, RefusesBadRecords) {
  // What no JSON reader of `control` can take is the tenant administration's to dead-letter.
  for (const char* unreadable : {"", "[]", "{", R"({"action":7,"account":"x"})"}) {
    auto c = sbc::parseControlCommand(unreadable);
    ASSERT_FALSE(c.ok()) << unreadable;
    EXPECT_EQ(c.error().code, "cluster.unreadable") << unreadable;
  }
  for (const char* bad : {R"({"account":"x"})", R"({"action":null,"account":"x"})", R"({"action":"explode","account":"x"})",
                          R"({"action":"add"})", R"({"action":"add","account":""})",
                          R"({"action":"add","account":"a b"})", R"({"action":"add","account":7})",
                          R"({"action":"move","account":"x"})", R"({"action":"add","account":"x","tenant":"../"})"}) {
    auto c = sbc::parseControlCommand(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, "cluster.bad_command") << bad;
  }
  auto other = sbc::parseControlCommand(R"({"action":"tenant.create","id":"acme"})");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "cluster.not_ours");
  std::string huge = R"({"action":"add","account":"x","name":")" + std::string(20000, 'n') + "\"}";
  EXPECT_FALSE(sbc::parseControlCommand(huge).ok());
}
