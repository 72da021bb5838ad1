// Login, its refusals, fault injection, prekeys and usync, and the state snapshot.
#include <filesystem>
#include <fstream>

#include "sim_harness.hpp"

namespace wasim_test {
namespace {

class WasimLogin : public SimHarness {};

Node iq(std::string xmlns, std::string type, Node::Children children, std::string to = "@s.whatsapp.net") {
  return Node("iq", {{"xmlns", std::move(xmlns)}, {"type", std::move(type)}, {"to", std::move(to)}}, std::move(children));
}

TEST_F(WasimLogin, UnknownDevicesAndWrongNoiseKeysAreRefusedWith401) {
  ASSERT_TRUE(sim->createAccount("15551110000").ok());
  auto keys = wasim::CompanionKeys::generate();
  auto unknown = connect(keys, "15551110000", 3);
  auto f1 = unknown->waitTag("failure");
  ASSERT_TRUE(f1);
  EXPECT_EQ(attr(*f1, "reason"), "401");
  EXPECT_TRUE(unknown->waitClosed());

  auto info = sim->linkDevice("15551110000", keys.directLink());
  ASSERT_TRUE(info.ok());
  auto thief = wasim::CompanionKeys::generate();
  thief.identity = keys.identity;  // everything but the noise key
  auto wrong = connect(thief, "15551110000", info->device);
  auto f2 = wrong->waitTag("failure");
  ASSERT_TRUE(f2);
  EXPECT_EQ(attr(*f2, "reason"), "401");
  ASSERT_TRUE(waitEvent([](const auto& e) { return e.kind == wasim::SimEvent::Kind::LoginRefused; }));

  auto right = connect(keys, "15551110000", info->device);
  auto ok = right->waitTag("success");
  ASSERT_TRUE(ok);
  EXPECT_EQ(attr(*ok, "lid"), sim->account("15551110000")->lid + ":" + std::to_string(info->device) + "@lid");
  EXPECT_FALSE(attr(*ok, "t").empty());
}

TEST_F(WasimLogin, InjectedFaultsReachTheClient) {
  auto d = loggedIn("15551110001");
  ASSERT_TRUE(sim->injectFault("15551110001", d->device, {wasim::StreamFault::Kind::StreamError, 503, ""}).ok());
  auto err = d->waitTag("stream:error");
  ASSERT_TRUE(err);
  EXPECT_EQ(attr(*err, "code"), "503");
  EXPECT_TRUE(d->waitClosed());
  EXPECT_FALSE(sim->injectFault("15551110001", d->device, {}).ok());  // offline now

  ASSERT_TRUE(sim->failNextLogin("15551110001", d->device, 403).ok());
  auto again = connect(d->keys, "15551110001", d->device);
  auto f = again->waitTag("failure");
  ASSERT_TRUE(f);
  EXPECT_EQ(attr(*f, "reason"), "403");
  auto third = connect(d->keys, "15551110001", d->device);
  EXPECT_TRUE(third->waitTag("success"));

  // A second login of the same companion replaces the first.
  auto fourth = connect(d->keys, "15551110001", d->device);
  EXPECT_TRUE(fourth->waitTag("success"));
  auto conflict = third->waitTag("stream:error");
  ASSERT_TRUE(conflict);
  ASSERT_TRUE(conflict->child("conflict"));
  EXPECT_EQ(attr(*conflict->child("conflict"), "type"), "replaced");

  ASSERT_TRUE(sim->unlinkDevice("15551110001", d->device).ok());
  auto removed = fourth->waitFor([](const Node& n) { return n.tag == "stream:error" && attr(n, "code") == "401"; });
  ASSERT_TRUE(removed);
  EXPECT_EQ(attr(*removed->child("conflict"), "type"), "device_removed");
}

TEST_F(WasimLogin, SendDelayHoldsFrames) {
  auto d = loggedIn("15551110002");
  ASSERT_TRUE(sim->setSendDelay("15551110002", d->device, 600ms).ok());
  auto t0 = std::chrono::steady_clock::now();
  auto pong = d->query(iq("w:p", "get", {Node("ping")}));
  ASSERT_TRUE(pong);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 550ms);
}

TEST_F(WasimLogin, PrekeysAreCheckedStoredAndHandedOutOnce) {
  auto d = loggedIn("15551110003");
  auto count = d->query(iq("encrypt", "get", {Node("count")}));
  ASSERT_TRUE(count);
  EXPECT_EQ(attr(*count->child("count"), "value"), "0");

  auto upload = [&](const wa::Key32& identity, const wasim::CompanionKeys& keys, bool badSignature) {
    Node::Children list;
    for (std::uint32_t id = 1; id <= 3; ++id) {
      auto kp = wa::KeyPair::generate();
      list.push_back(Node("key", {}, Node::Children{wasim::bytesNode("id", wasim::bigEndian(id, 3)),
                                                    wasim::bytesNode("value", wa::Bytes(kp.pub.begin(), kp.pub.end()))}));
    }
    auto sig = keys.signedPreKeySignature;
    if (badSignature) {
      sig[3] ^= 1;
    }
    return iq("encrypt", "set",
              {wasim::bytesNode("registration", wasim::bigEndian(keys.registrationId, 4)), wasim::bytesNode("type", {5}),
               wasim::bytesNode("identity", wa::Bytes(identity.begin(), identity.end())), Node("list", {}, list),
               Node("skey", {}, Node::Children{wasim::bytesNode("id", wasim::bigEndian(1, 3)),
                                               wasim::bytesNode("value", wa::Bytes(keys.signedPreKey.pub.begin(),
                                                                                   keys.signedPreKey.pub.end())),
                                               wasim::bytesNode("signature", wa::Bytes(sig.begin(), sig.end()))})});
  };
  auto forged = d->query(upload(d->keys.identity.pub, d->keys, true));
  ASSERT_TRUE(forged);
  EXPECT_EQ(attr(*forged, "type"), "error");
  auto stranger = d->query(upload(wa::KeyPair::generate().pub, d->keys, false));
  ASSERT_TRUE(stranger);
  EXPECT_EQ(attr(*stranger, "type"), "error");
  EXPECT_EQ(sim->devices("15551110003")->front().preKeys, 0u);
  auto good = d->query(upload(d->keys.identity.pub, d->keys, false));
  ASSERT_TRUE(good);
  EXPECT_EQ(attr(*good, "type"), "result");
  EXPECT_EQ(sim->devices("15551110003")->front().preKeys, 3u);

  // Another account fetches the bundle twice: one one-time prekey each time, then none.
  auto other = loggedIn("15551110004");
  std::string jid = "15551110003:" + std::to_string(d->device) + "@s.whatsapp.net";
  auto fetch = [&] {
    return other->query(iq("encrypt", "get", {Node("key", {}, Node::Children{Node("user", {{"jid", jid}})})}));
  };
  auto b1 = fetch();
  ASSERT_TRUE(b1);
  const Node* user = b1->child("list")->child("user");
  ASSERT_TRUE(user);
  EXPECT_EQ(attr(*user, "jid"), jid);
  EXPECT_EQ(wasim::childBytes(*user, "identity")->size(), 32u);
  EXPECT_TRUE(user->child("key"));
  EXPECT_TRUE(user->child("device-identity"));
  for (int i = 0; i < 3; ++i) {
    fetch();
  }
  auto b5 = fetch();
  ASSERT_TRUE(b5);
  EXPECT_FALSE(b5->child("list")->child("user")->child("key"));
  EXPECT_EQ(sim->devices("15551110003")->front().preKeys, 0u);

  // A device that does not exist is an error for that user only.
  auto missing = other->query(iq("encrypt", "get", {Node("key", {}, Node::Children{Node("user", {{"jid", "15551110003:9@s.whatsapp.net"}})})}));
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->child("list")->child("user")->child("error"));
}

TEST_F(WasimLogin, UsyncListsDevicesWithKeyIndexAndTheLid) {
  auto d = loggedIn("15551110005");
  auto second = sim->linkDevice("15551110005", wasim::CompanionKeys::generate().directLink());
  ASSERT_TRUE(second.ok());
  auto lid = sim->account("15551110005")->lid;
  auto reply = d->query(iq("usync", "get",
                           {Node("usync", {{"sid", "s1"}, {"context", "message"}, {"mode", "query"}},
                                 Node::Children{Node("query", {}, Node::Children{Node("devices", {{"version", "2"}}), Node("lid")}),
                                                Node("list", {}, Node::Children{Node("user", {{"jid", "15551110005@s.whatsapp.net"}}),
                                                                                Node("user", {{"jid", lid + "@lid"}}),
                                                                                Node("user", {{"jid", "19990000000@s.whatsapp.net"}})})})}));
  ASSERT_TRUE(reply);
  auto users = wasim::childrenNamed(*reply->child("usync")->child("list"), "user");
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(attr(*users[0], "jid"), "15551110005@s.whatsapp.net");
  auto devices = wasim::childrenNamed(*users[0]->child("devices")->child("device-list"), "device");
  ASSERT_EQ(devices.size(), 3u);
  EXPECT_EQ(attr(*devices[0], "id"), "0");
  EXPECT_EQ(attr(*devices[2], "key-index"), std::to_string(second->keyIndex));
  EXPECT_EQ(attr(*users[0]->child("lid"), "val"), lid + "@lid");
  EXPECT_EQ(attr(*users[1], "jid"), lid + "@lid");
  EXPECT_EQ(wasim::childrenNamed(*users[1]->child("devices")->child("device-list"), "device").size(), 3u);
  EXPECT_TRUE(wasim::childrenNamed(*users[2]->child("devices")->child("device-list"), "device").empty());
}

class WasimSnapshot : public SimHarness {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("wasim-snapshot-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    SimHarness::SetUp();
  }
  void TearDown() override {
    SimHarness::TearDown();
    std::filesystem::remove_all(dir_);
  }
  wasim::SimulatorOptions options() override {
    auto o = SimHarness::options();
    o.stateDir = dir_.string();
    return o;
  }
  std::filesystem::path dir_;
};

TEST_F(WasimSnapshot, ARestartedSimulatorKeepsItsRootAccountsAndLinkedDevices) {
  auto d = loggedIn("15551110006", /*autoAck=*/false);
  auto root = sim->rootPublicKey();
  auto lid = sim->account("15551110006")->lid;
  auto keys = d->keys;
  auto device = d->device;
  auto pendingBefore = sim->devices("15551110006")->front().pending;
  EXPECT_EQ(pendingBefore, 2u);  // the phone's welcome, unacknowledged
  shutdown();
  ASSERT_TRUE(std::filesystem::exists(dir_ / "state.json"));
  start(options());
  EXPECT_EQ(sim->rootPublicKey(), root);
  EXPECT_EQ(sim->account("15551110006")->lid, lid);
  ASSERT_EQ(sim->devices("15551110006")->size(), 1u);
  EXPECT_EQ(sim->devices("15551110006")->front().pending, pendingBefore);
  auto again = connect(keys, "15551110006", device);
  EXPECT_TRUE(again->waitTag("success"));

  // A damaged file is an error at start, not a crash or a silent reset.
  shutdown();
  {
    std::ofstream(dir_ / "state.json") << "{\"version\":1,\"root\":";
  }
  auto broken = wasim::Simulator::start(io_.get_executor(), options());
  EXPECT_FALSE(broken.ok());
  std::filesystem::remove(dir_ / "state.json");
  start(options());
}

}  // namespace
}  // namespace wasim_test
