// Message relay through the simulator with our own clients (the <enc> payloads are opaque to the
// server): fan-out, acks, receipts, the offline queue and its redelivery, retries, groups.
#include "sim_harness.hpp"

namespace wasim_test {
namespace {

class WasimRelay : public SimHarness {};

Node enc(std::string_view payload, std::string type = "msg") {
  return Node("enc", {{"v", "2"}, {"type", std::move(type)}}, wa::toBytes(payload));
}

/// A one-to-one message from a device to `chat`, one <enc> per target device JID.
Node dm(const std::string& id, const std::string& chat, const std::vector<std::string>& targets) {
  Node::Children to;
  for (const auto& t : targets) {
    to.push_back(Node("to", {{"jid", t}}, Node::Children{enc("for " + t)}));
  }
  return Node("message", {{"id", id}, {"to", chat}, {"type", "text"}},
              Node::Children{Node("participants", {}, std::move(to))});
}

std::string devJid(const TestDevice& d) { return d.phone + ":" + std::to_string(d.device) + "@s.whatsapp.net"; }

TEST_F(WasimRelay, FanOutAckDeliveryAndReceipts) {
  auto a = loggedIn("15552220001");
  auto a2 = loggedIn("15552220001");  // Alice's second companion
  auto b = loggedIn("15552220002");
  auto lidB = sim->account("15552220002")->lid;
  auto lidA = sim->account("15552220001")->lid;
  // To Bob's companion by LID, Bob's phone by PN, Alice's other companion; Alice's own sending
  // device is not a target.
  a->client->send(dm("3EB0AAAA000000000000001", "15552220002@s.whatsapp.net",
                     {lidB + ":" + std::to_string(b->device) + "@lid", "15552220002@s.whatsapp.net", devJid(*a2)}));
  auto ack = a->waitFor([](const Node& n) { return n.tag == "ack" && attr(n, "class") == "message"; });
  ASSERT_TRUE(ack);
  EXPECT_EQ(attr(*ack, "id"), "3EB0AAAA000000000000001");
  EXPECT_FALSE(ack->attr("error"));

  auto got = b->waitFor([](const Node& n) { return n.tag == "message" && attr(n, "id") == "3EB0AAAA000000000000001"; });
  ASSERT_TRUE(got);
  EXPECT_EQ(attr(*got, "from"), lidA + ":" + std::to_string(a->device) + "@lid");  // LID addressing, as the <to>
  EXPECT_EQ(attr(*got, "sender_pn"), "15552220001@s.whatsapp.net");
  EXPECT_EQ(attr(*got, "notify"), "User 15552220001");
  ASSERT_TRUE(got->child("enc"));
  EXPECT_EQ(wa::asChars(*got->child("enc")->bytes()), "for " + lidB + ":" + std::to_string(b->device) + "@lid");

  auto own = a2->waitFor([](const Node& n) { return n.tag == "message" && attr(n, "id") == "3EB0AAAA000000000000001"; });
  ASSERT_TRUE(own);
  EXPECT_EQ(attr(*own, "from"), devJid(*a));
  EXPECT_EQ(attr(*own, "recipient"), "15552220002@s.whatsapp.net");

  // Bob's phone got its copy and confirmed delivery; Bob's companion's receipt (auto) too.
  auto inbox = sim->phoneInbox("15552220002");
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ((*inbox)[0].encType, "msg");
  auto receipts = [&](const std::string& from) {
    return a->waitFor([&](const Node& n) { return n.tag == "receipt" && attr(n, "from") == from; });
  };
  EXPECT_TRUE(receipts("15552220002@s.whatsapp.net"));
  EXPECT_TRUE(receipts(lidB + ":" + std::to_string(b->device) + "@lid"));
  // Everything delivered was acknowledged: nothing pending for Bob.
  auto pendingOf = [&](const std::string& phone, std::uint16_t device) {
    auto devices = sim->devices(phone);
    for (const auto& d : *devices) {
      if (d.device == device) {
        return d.pending;
      }
    }
    return std::size_t{999};
  };
  for (int i = 0; i < 50 && pendingOf("15552220002", b->device) != 0; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(pendingOf("15552220002", b->device), 0u);

  // A read receipt from Bob reaches Alice's devices with its type; "inactive" arrives as delivery.
  b->client->send(Node("receipt", {{"id", "3EB0AAAA000000000000001"}, {"to", "15552220001@s.whatsapp.net"}, {"type", "read"}}));
  EXPECT_TRUE(a2->waitFor([](const Node& n) { return n.tag == "receipt" && attr(n, "type") == "read"; }));
  b->client->send(Node("receipt", {{"id", "X2"}, {"to", devJid(*a)}, {"type", "inactive"}}));
  auto inactive = a->waitFor([](const Node& n) { return n.tag == "receipt" && attr(n, "id") == "X2"; });
  ASSERT_TRUE(inactive);
  EXPECT_FALSE(inactive->attr("type"));
  EXPECT_EQ(attr(*inactive, "from"), devJid(*b));
  // ... and only to the device its `to` named.
  std::this_thread::sleep_for(100ms);
  for (const auto& n : a2->received()) {
    EXPECT_NE(attr(n, "id"), "X2");
  }
}

TEST_F(WasimRelay, UnacknowledgedStanzasComeBackOnEveryLoginUntilAcknowledged) {
  auto a = loggedIn("15552220003");
  auto b = loggedIn("15552220004", /*autoAck=*/false);
  b->client->abort();
  ASSERT_TRUE(b->waitClosed());
  for (int i = 0; i < 3; ++i) {
    a->client->send(dm("3EB0BBBB00000000000000" + std::to_string(i), "15552220004@s.whatsapp.net",
                       {devJid(*b)}));
  }
  ASSERT_TRUE(a->waitFor([](const Node& n) { return n.tag == "ack" && attr(n, "id") == "3EB0BBBB000000000000002"; }));

  auto relogin = [&](bool autoAck) {
    auto d = connect(b->keys, b->phone, b->device, autoAck);
    EXPECT_TRUE(d->waitTag("success"));
    d->client->send(Node("iq", {{"id", "p"}, {"type", "set"}, {"xmlns", "passive"}, {"to", "@s.whatsapp.net"}},
                         Node::Children{Node("active")}));
    auto ib = d->waitFor([](const Node& n) { return n.tag == "ib" && n.child("offline"); });
    EXPECT_TRUE(ib);
    return std::make_pair(d, ib ? attr(*ib->child("offline"), "count") : std::string());
  };
  auto [b2, count2] = relogin(false);
  // Two welcome messages from the phone, then the three messages, all before <ib><offline/>.
  EXPECT_EQ(count2, "5");
  std::vector<std::string> ids;
  for (const auto& n : b2->received()) {
    if (n.tag == "message") {
      ids.push_back(attr(n, "id"));
      EXPECT_TRUE(n.attr("offline"));
    }
  }
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[2], "3EB0BBBB000000000000000");
  EXPECT_EQ(ids[4], "3EB0BBBB000000000000002");
  b2->client->close();
  ASSERT_TRUE(b2->waitClosed());

  // Not acknowledged: all five again. This time they are acknowledged (delivery receipts).
  auto [b3, count3] = relogin(true);
  EXPECT_EQ(count3, "5");
  for (int i = 0; i < 100 && sim->devices(b->phone)->front().pending != 0; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(sim->devices(b->phone)->front().pending, 0u);
  b3->client->close();
  ASSERT_TRUE(b3->waitClosed());
  auto [b4, count4] = relogin(true);
  EXPECT_EQ(count4, "0");
}

TEST_F(WasimRelay, RetryReceiptsGoToTheSendingDeviceAndTheResendToTheFailingOne) {
  auto a = loggedIn("15552220005");
  auto b = loggedIn("15552220006");
  a->client->send(dm("3EB0CCCC000000000000001", "15552220006@s.whatsapp.net", {devJid(*b)}));
  ASSERT_TRUE(b->waitFor([](const Node& n) { return n.tag == "message"; }));
  b->client->send(Node("receipt", {{"id", "3EB0CCCC000000000000001"}, {"to", devJid(*a)}, {"type", "retry"}},
                       Node::Children{Node("retry", {{"count", "1"}, {"id", "3EB0CCCC000000000000001"}, {"v", "1"}}),
                                      wasim::bytesNode("registration", wasim::bigEndian(b->keys.registrationId, 4))}));
  auto retry = a->waitFor([](const Node& n) { return n.tag == "receipt" && attr(n, "type") == "retry"; });
  ASSERT_TRUE(retry);
  EXPECT_EQ(attr(*retry, "from"), devJid(*b));
  EXPECT_TRUE(retry->child("retry"));
  EXPECT_TRUE(retry->child("registration"));
  // The resend: one <enc> for the failing device only.
  a->client->send(Node("message", {{"id", "3EB0CCCC000000000000001"}, {"to", devJid(*b)}, {"type", "text"}},
                       Node::Children{Node("enc", {{"v", "2"}, {"type", "pkmsg"}, {"count", "1"}}, wa::toBytes("again"))}));
  auto resent = b->waitFor([](const Node& n) {
    return n.tag == "message" && n.child("enc") && wa::asChars(*n.child("enc")->bytes()) == "again";
  });
  ASSERT_TRUE(resent);
  EXPECT_EQ(attr(*resent->child("enc"), "count"), "1");
}

TEST_F(WasimRelay, GroupsFanOutTheSenderKeyMessageToEveryMemberDevice) {
  auto a = loggedIn("15552220007");
  auto b = loggedIn("15552220008");
  auto c = loggedIn("15552220009");
  auto created = a->query(Node("iq", {{"xmlns", "w:g2"}, {"type", "set"}, {"to", "@g.us"}},
                               Node::Children{Node("create", {{"subject", "Team"}, {"key", "k1"}},
                                                   Node::Children{Node("participant", {{"jid", "15552220008@s.whatsapp.net"}}),
                                                                  Node("participant", {{"jid", "15552220009@s.whatsapp.net"}})})}));
  ASSERT_TRUE(created);
  const Node* group = created->child("group");
  ASSERT_TRUE(group);
  EXPECT_EQ(attr(*group, "addressing_mode"), "lid");
  EXPECT_EQ(wasim::childrenNamed(*group, "participant").size(), 3u);
  std::string gid = attr(*group, "id") + "@g.us";

  auto lidB = sim->account("15552220008")->lid;
  // SKDM for Bob's companion only (Carol already has it, say), the skmsg for all.
  Node msg("message", {{"id", "3EB0DDDD000000000000001"}, {"to", gid}, {"type", "text"}},
           Node::Children{Node("participants", {}, Node::Children{Node("to", {{"jid", lidB + ":" + std::to_string(b->device) + "@lid"}},
                                                                       Node::Children{enc("skdm", "pkmsg")})}),
                          enc("group text", "skmsg")});
  a->client->send(msg);
  auto atB = b->waitFor([](const Node& n) { return n.tag == "message" && attr(n, "id") == "3EB0DDDD000000000000001"; });
  auto atC = c->waitFor([](const Node& n) { return n.tag == "message" && attr(n, "id") == "3EB0DDDD000000000000001"; });
  ASSERT_TRUE(atB && atC);
  EXPECT_EQ(attr(*atB, "from"), gid);
  EXPECT_EQ(attr(*atB, "participant"), sim->account("15552220007")->lid + ":" + std::to_string(a->device) + "@lid");
  EXPECT_EQ(attr(*atB, "participant_pn"), "15552220007@s.whatsapp.net");
  EXPECT_EQ(wasim::childrenNamed(*atB, "enc").size(), 2u);
  EXPECT_EQ(wasim::childrenNamed(*atC, "enc").size(), 1u);
  EXPECT_EQ(attr(*atC->child("enc"), "type"), "skmsg");
  // The phones of all three members (Alice's too) got the skmsg.
  for (const auto* phone : {"15552220007", "15552220008", "15552220009"}) {
    auto inbox = sim->phoneInbox(phone);
    ASSERT_TRUE(inbox.ok());
    EXPECT_TRUE(std::any_of(inbox->begin(), inbox->end(), [](const auto& m) { return m.id == "3EB0DDDD000000000000001"; }))
        << phone;
  }
  // Non-members cannot send or read the metadata.
  auto d = loggedIn("15552220010");
  d->client->send(Node("message", {{"id", "X"}, {"to", gid}, {"type", "text"}}, Node::Children{enc("x", "skmsg")}));
  auto refused = d->waitFor([](const Node& n) { return n.tag == "ack" && attr(n, "id") == "X"; });
  ASSERT_TRUE(refused);
  EXPECT_EQ(attr(*refused, "error"), "403");
  auto meta = d->query(Node("iq", {{"xmlns", "w:g2"}, {"type", "get"}, {"to", gid}}, Node::Children{Node("query")}));
  ASSERT_TRUE(meta);
  EXPECT_EQ(attr(*meta, "type"), "error");
}

}  // namespace
}  // namespace wasim_test
