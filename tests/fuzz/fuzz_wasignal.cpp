// Fuzzes sb_wasignal's entry points for network bytes: prekey nodes (fetch reply, retry keys,
// upload), msg/pkmsg/skmsg ciphertexts and SKDMs against real session state, unpadding, and the
// small parsers. The first byte picks the entry point. Every Signal operation runs in a
// SignalTransaction that is dropped, so the state is the same for every input; an input that does
// decrypt must have changed nothing outside its transaction.
#include <cstdlib>

#include "protocol/binary_node.hpp"
#include "signal/bundle_nodes.hpp"
#include "signal/errors.hpp"
#include "signal/memory_store.hpp"
#include "signal/padding.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"

namespace wa = switchboard::whatsapp;

namespace {

constexpr const char* kGroup = "120363000000000001@g.us";

void check(bool ok) {
  if (!ok) {
    std::abort();  // the fixture itself failed: not a finding about the input
  }
}

// Alice has a session with Bob (answered, so both chains exist) and Bob holds Alice's sender key.
struct Fixture {
  wa::MemorySignalStore alice;
  wa::MemorySignalStore bob;
  wa::SignalAddress aliceAddress{"100000000000001_1", 3};
  wa::SignalAddress bobAddress{"200000000000002_1", 0};
  std::size_t bobRows = 0;

  Fixture() {
    check(wa::saveLocalIdentity(alice, wa::LocalIdentity::generate()).ok());
    check(wa::saveLocalIdentity(bob, wa::LocalIdentity::generate()).ok());
    wa::SignalProtocol a(alice);
    wa::SignalProtocol b(bob);
    check(b.generateSignedPreKey(1).ok());
    check(b.generatePreKeys(1, 4).ok());
    auto bundle = b.ownBundle(1, 1);
    check(bundle.ok());
    check(a.processBundle(bobAddress, *bundle).ok());
    auto pk = a.encrypt(bobAddress, wa::padMessage(wa::asBytes("hello")));
    check(pk.ok() && b.decrypt(aliceAddress, pk->type, pk->data).ok());
    auto reply = b.encrypt(aliceAddress, wa::padMessage(wa::asBytes("hi")));
    check(reply.ok() && a.decrypt(bobAddress, reply->type, reply->data).ok());
    auto skdm = a.senderKeyDistribution({kGroup, aliceAddress});
    check(skdm.ok() && b.processSenderKeyDistribution({kGroup, aliceAddress}, *skdm).ok());
    bobRows = bob.rows().size();
  }
};

Fixture& fixture() {
  static Fixture* f = new Fixture();  // lives for the process; never destroyed mid-run
  return *f;
}

void fuzzBundleNode(wa::ByteView input) {
  auto node = wa::decodeNode(input, wa::TokenDictionary::v3());
  if (!node.ok()) {
    return;
  }
  (void)wa::parsePreKeyUpload(*node);
  auto list = wa::parsePreKeyBundles(*node);
  auto single = wa::parsePreKeyBundle(*node);
  if (!single.ok()) {
    return;
  }
  // A bundle that parses goes through the session builder (key decoding, signature check).
  Fixture& f = fixture();
  wa::SignalTransaction tx(f.bob);
  wa::SignalProtocol sp(tx);
  if (sp.processBundle(f.aliceAddress, *single).ok()) {
    (void)sp.encrypt(f.aliceAddress, wa::asBytes("x"));
  }
}

void fuzzCiphertext(wa::CipherType type, wa::ByteView input) {
  Fixture& f = fixture();
  wa::SignalTransaction tx(f.bob);
  wa::SignalProtocol sp(tx);
  auto plain = type == wa::CipherType::SkMsg ? sp.groupDecrypt({kGroup, f.aliceAddress}, input)
                                             : sp.decrypt(f.aliceAddress, type, input);
  if (plain.ok()) {
    (void)wa::unpadMessage(*plain);
  } else if (!wa::signalErrc(plain.error())) {
    std::abort();  // every failure must carry a SignalErrc
  }
}

void fuzzSkdm(wa::ByteView input) {
  Fixture& f = fixture();
  wa::SignalTransaction tx(f.bob);
  wa::SignalProtocol sp(tx);
  wa::SenderKeyName name{kGroup, {"300000000000003_1", 1}};
  if (sp.processSenderKeyDistribution(name, input).ok()) {
    (void)sp.groupDecrypt(name, input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  wa::ByteView input(data + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      fuzzBundleNode(input);
      break;
    case 1:
      fuzzCiphertext(wa::CipherType::Msg, input);
      break;
    case 2:
      fuzzCiphertext(wa::CipherType::PkMsg, input);
      break;
    case 3:
      fuzzCiphertext(wa::CipherType::SkMsg, input);
      break;
    case 4:
      fuzzSkdm(input);
      break;
    case 5:
      (void)wa::unpadMessage(input);
      break;
    case 6:
      (void)wa::LocalIdentity::parse(input);
      (void)wa::fromSignalKey(input);
      break;
    default:
      (void)wa::SignalAddress::fromJid(wa::asChars(input));
      break;
  }
  // Transactions were dropped: Bob's store must be exactly as the fixture left it.
  if (fixture().bob.rows().size() != fixture().bobRows) {
    std::abort();
  }
  return 0;
}
