// Presence: a subscription is answered with the contact's presence (available while one of its
// companions is online, unavailable once none is); an unknown number gets no answer.
#include "sim_harness.hpp"

namespace wasim_test {
namespace {

class WasimPresence : public SimHarness {};

// Subscribes to `contact` and waits for the answer (what was received before is forgotten first).
std::optional<Node> presenceOf(TestDevice& asker, const std::string& contact) {
  asker.clear();
  asker.client->send(Node("presence", {{"type", "subscribe"}, {"to", contact + "@s.whatsapp.net"}}));
  return asker.waitFor(
      [&](const Node& n) { return n.tag == "presence" && attr(n, "from") == contact + "@s.whatsapp.net"; });
}

TEST_F(WasimPresence, SubscriptionIsAnsweredWithTheContactsPresence) {
  auto ann = loggedIn("15553340001");
  auto bob = loggedIn("15553340002");
  auto online = presenceOf(*ann, "15553340002");
  ASSERT_TRUE(online) << "no presence answered for an online contact";
  EXPECT_EQ(attr(*online, "type"), "available");

  bob->client->close();
  ASSERT_TRUE(bob->waitClosed());
  // The server notices the close a moment later: ask until it answers unavailable.
  std::optional<Node> offline;
  for (int attempt = 1; attempt <= 50; ++attempt) {
    offline = presenceOf(*ann, "15553340002");
    ASSERT_TRUE(offline) << "no presence answered on subscription " << attempt;
    if (attr(*offline, "type") == "unavailable") {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(attr(*offline, "type"), "unavailable");

  // Nobody answers for a number the server does not know, and the connection stays usable.
  ann->client->send(Node("presence", {{"type", "subscribe"}, {"to", "19999999999@s.whatsapp.net"}}));
  auto pong = ann->query(Node("iq", {{"xmlns", "w:p"}, {"type", "get"}, {"to", "@s.whatsapp.net"}}), 5s);
  ASSERT_TRUE(pong);
  EXPECT_EQ(attr(*pong, "type"), "result");
  EXPECT_FALSE(ann->waitFor([](const Node& n) { return n.tag == "presence" && attr(n, "from").rfind("1999", 0) == 0; },
                            300ms));
}

}  // namespace
}  // namespace wasim_test
