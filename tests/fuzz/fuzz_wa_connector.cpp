// Fuzzes the WhatsApp connector's readers of server input: every input is decoded as a node
// (dictionary 3) and given to the pair-device and pair-success readers (with fixed credentials),
// the usync device-list reader and the failure / stream-error classifiers; the raw bytes also go
// through the E2E Message parser and its mapping to an InboundMessage. Errors are fine; crashes,
// leaks and undefined behaviour are not. (The pairing-code reader is left out: each accepted
// input costs a 131,072-round PBKDF2.)
#include <cstddef>
#include <cstdint>

#include "connector/device_list.hpp"
#include "connector/message_content.hpp"
#include "connector/pairing.hpp"
#include "connector/server_verdict.hpp"
#include "connector/stanza.hpp"
#include "protocol/binary_node.hpp"
#include "protocol/token_dictionary.hpp"

namespace wa = switchboard::whatsapp;
namespace wc = switchboard::whatsapp::connector;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const wc::DeviceCredentials creds = [] {
    auto c = wc::DeviceCredentials::generate();
    c.signedPreKeyPub = wa::KeyPair::generate().pub;
    return c;
  }();
  const wa::ByteView input(data, size);
  auto node = wa::decodeNode(input, wa::TokenDictionary::v3());
  if (node.ok()) {
    const wa::Node& n = node.value();
    (void)wc::pairDeviceRefs(n);
    (void)wc::completePairing(n, creds);
    (void)wc::parseUsyncDevices(n);
    (void)wc::classifyFailure(n);
    (void)wc::classifyStreamError(n);
    for (const auto& c : wc::childrenOf(n)) {
      (void)wc::completePairing(c, creds);
      (void)wc::classifyStreamError(c);
    }
  }
  auto message = wc::parseMessageBytes(std::string(wa::asChars(input)));
  if (message.ok()) {
    switchboard::sdk::InboundMessage out;
    (void)wc::parseContent(message.value(), out);
  }
  return 0;
}
