// Fuzzes what a peer controls before any authentication: the frame stream (connection header,
// edge-routing prefix, length prefixes, arbitrary chunking), the handshake messages on both sides,
// and the certificate chain parser.
#include <optional>

#include "protocol/cert_chain.hpp"
#include "protocol/frame_codec.hpp"
#include "protocol/noise_handshake.hpp"

namespace wa = switchboard::whatsapp;

namespace {

struct Keys {
  wa::KeyPair root = wa::KeyPair::fromPrivate(wa::Key32{1});
  wa::KeyPair intermediate = wa::KeyPair::fromPrivate(wa::Key32{2});
  wa::KeyPair server = wa::KeyPair::fromPrivate(wa::Key32{3});
  wa::KeyPair client = wa::KeyPair::fromPrivate(wa::Key32{4});
  wa::Bytes chain = wa::issueCertChain(root, intermediate, server.pub, 1'800'000'000);
};

const Keys& keys() {
  static const Keys k;
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const auto& k = keys();
  std::uint8_t mode = data[0];
  std::size_t chunk = 1 + data[1];  // how the stream is cut into WebSocket messages
  wa::ByteView input(data + 2, size - 2);

  if (mode % 3 == 0) {
    // Server side: the stream a client sends, through the handshake.
    wa::FrameReader reader(wa::FrameReader::Side::Server, 1 << 16);
    std::optional<wa::NoiseServerHandshake> hs;
    int step = 0;
    for (std::size_t at = 0; at < input.size(); at += chunk) {
      if (!reader.feed(input.subspan(at, std::min(chunk, input.size() - at))).ok()) {
        return 0;
      }
      while (auto frame = reader.next()) {
        if (!hs) {
          hs.emplace(k.server, k.chain, *reader.header(), k.server);
        }
        if (step == 0) {
          if (!hs->readClientHello(*frame).ok()) {
            return 0;
          }
        } else if (step == 1) {
          (void)hs->readClientFinish(*frame);
          return 0;
        }
        ++step;
      }
    }
  } else if (mode % 3 == 1) {
    // Client side: a ServerHello from a hostile server.
    wa::NoiseClientHandshake hs(k.client, wa::TrustedRoot{k.root.pub, 0}, wa::kConnectionHeaderV3,
                                [] { return std::uint64_t{1'800'000'000}; }, k.client);
    (void)hs.readServerHello(input, wa::toBytes("payload"));
  } else {
    (void)wa::verifyCertChain(input, wa::TrustedRoot{k.root.pub, 0}, k.server.pub, 1'800'000'000);
  }
  return 0;
}
