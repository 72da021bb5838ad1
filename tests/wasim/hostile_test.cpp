// Hostile and malformed input from clients: every stanza gets an error answer or is ignored, a
// frame that does not decode ends the connection, and the server keeps serving everyone else.
#include <random>

#include "sim_harness.hpp"

namespace wasim_test {
namespace {

class WasimHostile : public SimHarness {};

bool answersPing(TestDevice& d) {
  auto pong = d.query(Node("iq", {{"xmlns", "w:p"}, {"type", "get"}, {"to", "@s.whatsapp.net"}}), 5s);
  return pong && attr(*pong, "type") == "result";
}

TEST_F(WasimHostile, MalformedStanzasGetErrorsAndTheConnectionStaysUsable) {
  auto d = loggedIn("15553330001");
  auto errorFor = [&](Node iq) {
    auto r = d->query(std::move(iq));
    return r && attr(*r, "type") == "error";
  };
  EXPECT_TRUE(errorFor(Node("iq", {{"xmlns", "encrypt"}, {"type", "set"}})));  // upload with nothing
  EXPECT_TRUE(errorFor(Node("iq", {{"xmlns", "encrypt"}, {"type", "set"}},
                            Node::Children{wasim::bytesNode("registration", {1, 2}), wasim::bytesNode("type", {5}),
                                           wasim::bytesNode("identity", wa::Bytes(31, 1))})));
  EXPECT_TRUE(errorFor(Node("iq", {{"xmlns", "encrypt"}, {"type", "get"}})));
  EXPECT_TRUE(errorFor(Node("iq", {{"xmlns", "usync"}, {"type", "get"}}, Node::Children{Node("usync")})));
  EXPECT_TRUE(errorFor(Node("iq", {{"xmlns", "w:g2"}, {"type", "get"}, {"to", "nobody@g.us"}}, Node::Children{Node("query")})));
  EXPECT_TRUE(errorFor(Node("iq", {{"xmlns", "w:g2"}, {"type", "set"}, {"to", "@g.us"}},
                            Node::Children{Node("create", {{"subject", std::string(500, 'x')}})})));
  EXPECT_TRUE(errorFor(Node("iq", {{"xmlns", "w:p"}, {"type", "bogus"}})));
  // Usync contact text as bytes, odd jids: answered, not crashed.
  auto odd = d->query(Node("iq", {{"xmlns", "usync"}, {"type", "get"}},
                           Node::Children{Node("usync", {}, Node::Children{Node("query", {}, Node::Children{Node("contact"), Node("devices")}),
                                                                           Node("list", {}, Node::Children{Node("user", {}, Node::Children{Node("contact", {}, wa::toBytes("+1 555 333 0001"))}),
                                                                                                           Node("user", {{"jid", "@@@"}}),
                                                                                                           Node("user", {{"jid", "1:2:3@lid"}})})})}));
  ASSERT_TRUE(odd);
  EXPECT_EQ(attr(*odd, "type"), "result");

  // Messages: no id (ignored), a to that is not a JID, an unknown user, an enc that is a string.
  d->client->send(Node("message", {{"to", "15553330001@s.whatsapp.net"}}));
  d->client->send(Node("message", {{"id", "M1"}, {"to", "not a jid"}}));
  d->client->send(Node("message", {{"id", "M2"}, {"to", "19999999999@s.whatsapp.net"}},
                       Node::Children{Node("enc", {{"type", "msg"}}, wa::toBytes("x"))}));
  d->client->send(Node("message", {{"id", "M3"}, {"to", "15553330001@s.whatsapp.net"}},
                       Node::Children{Node("participants", {}, Node::Children{Node("to", {{"jid", "15553330001@s.whatsapp.net"}},
                                                                                     Node::Children{Node("enc", {}, std::string("text"))})})}));
  d->client->send(Node("message", {{"id", std::string(300, 'i')}, {"to", "15553330001@s.whatsapp.net"}}));
  for (const auto* id : {"M1", "M2"}) {
    auto ack = d->waitFor([&](const Node& n) { return n.tag == "ack" && attr(n, "id") == id; });
    ASSERT_TRUE(ack) << id;
    EXPECT_FALSE(attr(*ack, "error").empty()) << id;
  }
  // Receipts and acks naming nothing, presence and chat states to nobody.
  d->client->send(Node("receipt", {{"id", "nothing"}, {"to", "x@y@z"}}));
  d->client->send(Node("receipt", {{"id", "nothing"}, {"to", "@g.us"}, {"participant", "nobody"}}));
  d->client->send(Node("ack", {{"class", "whatever"}, {"id", "1"}}));
  d->client->send(Node("presence", {{"type", "subscribe"}, {"to", "garbage"}}));
  d->client->send(Node("chatstate", {{"to", "19999999999@s.whatsapp.net"}}, Node::Children{Node("composing")}));
  d->client->send(Node("unknown-tag"));
  EXPECT_TRUE(answersPing(*d));
}

TEST_F(WasimHostile, RandomStanzaTreesNeverTakeTheServerDown) {
  auto d = loggedIn("15553330002");
  auto other = loggedIn("15553330003");
  std::mt19937 rng(20261123);
  const std::vector<std::string> tags = {"iq", "message", "receipt", "ack", "presence", "chatstate", "ib",
                                         "participants", "to", "enc", "user", "list", "key", "skey", "usync",
                                         "query", "devices", "lid", "create", "participant", "group", "retry",
                                         "registration", "identity", "type", "id", "value", "signature", "count"};
  const std::vector<std::string> keys = {"id", "to", "type", "xmlns", "jid", "participant", "class", "category",
                                         "recipient", "subject", "stage", "count", "v"};
  const std::vector<std::string> values = {"get", "set", "result", "encrypt", "usync", "w:g2", "w:p", "passive",
                                           "15553330003@s.whatsapp.net", "15553330003:1@s.whatsapp.net", "@g.us",
                                           "1@g.us", "retry", "read", "inactive", "message", "receipt", "peer",
                                           "", "0", "-1", "99999999999999999999", "x@lid", "123:4@lid", "md"};
  std::function<Node(int)> random = [&](int depth) {
    Node n(tags[rng() % tags.size()]);
    for (int i = 0, k = static_cast<int>(rng() % 5); i < k; ++i) {
      n.setAttr(keys[rng() % keys.size()], values[rng() % values.size()]);
    }
    switch (depth > 3 ? 0 : rng() % 3) {
      case 0: {
        wa::Bytes b(rng() % 70);
        for (auto& x : b) {
          x = static_cast<std::uint8_t>(rng());
        }
        n.content = std::move(b);
        break;
      }
      case 1:
        n.content = values[rng() % values.size()];
        break;
      default: {
        Node::Children kids;
        for (int i = 0, k = static_cast<int>(rng() % 4); i < k; ++i) {
          kids.push_back(random(depth + 1));
        }
        n.content = std::move(kids);
      }
    }
    return n;
  };
  for (int i = 0; i < 3000; ++i) {
    d->client->send(random(0));
  }
  EXPECT_TRUE(answersPing(*d) || d->closed());
  EXPECT_TRUE(answersPing(*other));
}

TEST_F(WasimHostile, UndecodableFramesCloseOnlyThatConnection) {
  auto d = loggedIn("15553330004");
  auto other = loggedIn("15553330005");
  d->client->sendRaw(wa::Bytes{0x00, 0xF8, 0x05, 0xFF});  // a list that ends early
  EXPECT_TRUE(d->waitClosed());
  EXPECT_TRUE(answersPing(*other));
  // A registration with a forged signed prekey never gets refs.
  auto keys = wasim::CompanionKeys::generate();
  keys.signedPreKeySignature[0] ^= 1;
  auto reg = connect(keys, "", 0);
  auto failure = reg->waitTag("failure");
  ASSERT_TRUE(failure);
  EXPECT_EQ(attr(*failure, "reason"), "400");
  // A registering connection may not use the account iqs.
  auto fresh = connect(wasim::CompanionKeys::generate(), "", 0);
  ASSERT_TRUE(fresh->waitFor([](const Node& n) { return n.tag == "iq" && n.child("pair-device"); }));
  auto denied = fresh->query(Node("iq", {{"xmlns", "encrypt"}, {"type", "get"}}, Node::Children{Node("count")}));
  ASSERT_TRUE(denied);
  EXPECT_EQ(attr(*denied, "type"), "error");
  EXPECT_TRUE(answersPing(*fresh));
}

}  // namespace
}  // namespace wasim_test
