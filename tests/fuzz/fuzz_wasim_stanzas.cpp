// Fuzzes the simulator's stanza handling: every input is decoded as a node (dictionary 2 or 3)
// and dispatched on a connection that is logged in or still registering, as if a client had sent
// it; the same bytes also go through the ClientPayload, QR code and device-identity parsers. The
// simulator must answer or ignore, never crash; its state stays bounded (queues and inboxes have
// limits), so one process can run for as long as libFuzzer likes.
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <memory>

#include "protocol/binary_node.hpp"
#include "simulator/adv.hpp"
#include "simulator/client_payload.hpp"
#include "simulator/device_client.hpp"
#include "simulator/qr_code.hpp"
#include "simulator/server.hpp"
#include "simulator/simulator.hpp"

namespace wa = switchboard::whatsapp;
namespace wasim = switchboard::wasim;
namespace asio = boost::asio;

namespace {

struct World {
  asio::io_context io;
  std::unique_ptr<wasim::Simulator> sim;
  std::shared_ptr<wasim::Connection> alice;
  std::shared_ptr<wasim::Connection> bob;
  std::shared_ptr<wasim::Connection> registering;
  wasim::AdvGrant grant;
  wa::KeyPair account = wa::KeyPair::generate();
  wa::KeyPair companion = wa::KeyPair::generate();

  World() {
    wasim::SimulatorOptions o;
    o.phonePreKeys = 3;
    o.maxPendingPerDevice = 64;
    sim = std::move(wasim::Simulator::start(io.get_executor(), o)).value();
    for (const auto* phone : {"15550000001", "15550000002"}) {
      (void)sim->createAccount(phone);
      (void)sim->linkDevice(phone, wasim::CompanionKeys::generate().directLink());
    }
    auto& server = sim->server();
    alice = server.attachDetached(asio::make_strand(io), "15550000001", 1);
    bob = server.attachDetached(asio::make_strand(io), "15550000002", 1);
    registering = server.attachDetached(asio::make_strand(io), "", 0);
    for (const auto& c : {alice, bob, registering}) {
      c->attachSink([](const wa::Bytes&) {});
    }
    wa::Bytes secret(32, 3);
    grant = wasim::grantDevice(account, 1, 1, 1, companion.pub, secret);
    io.poll();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  if (size == 0) {
    return 0;
  }
  wa::ByteView rest(data + 1, size - 1);
  (void)wasim::parseClientPayload(rest);
  (void)wasim::parseQrCode(wa::asChars(rest));
  (void)wasim::verifyDeviceSignature(rest, world.grant, world.account.pub, world.companion.pub);

  const auto& dict = (data[0] & 1) ? wa::TokenDictionary::v3() : wa::TokenDictionary::v2();
  wa::DecodeLimits limits;
  limits.maxInflatedSize = 1 << 20;
  auto node = wa::decodeNode(rest, dict, limits);
  if (!node) {
    return 0;
  }
  switch ((data[0] >> 1) % 3) {
    case 0:
      world.sim->server().handleNode(world.alice, *node);
      break;
    case 1:
      world.sim->server().handleNode(world.bob, *node);
      break;
    default:
      world.sim->server().handleNode(world.registering, *node);
  }
  world.io.poll();  // the answers, into the sinks
  world.io.restart();
  return 0;
}
