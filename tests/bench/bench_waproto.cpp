// WhatsApp protocol throughput: nodes encoded and decoded per second (a typical message stanza,
// a receipt, a large media-carrying node) and complete Noise XX handshakes per second (both sides,
// certificate chain verified), plus transport frame sealing.
#include <benchmark/benchmark.h>

#include <ctime>

#include "protocol/binary_node.hpp"
#include "protocol/cert_chain.hpp"
#include "protocol/noise_handshake.hpp"

namespace wa = switchboard::whatsapp;

namespace {

const wa::TokenDictionary& dict = wa::TokenDictionary::v3();

wa::Node messageStanza() {
  wa::Node::Children tos;
  for (int d = 0; d < 4; ++d) {
    tos.emplace_back("to", std::vector<wa::Node::Attribute>{{"jid", "15551234567:" + std::to_string(d + 1) + "@s.whatsapp.net"}},
                     wa::Node::Children{wa::Node("enc", {{"v", "2"}, {"type", "msg"}}, wa::Bytes(180, 0x42))});
  }
  return wa::Node("message", {{"id", "3EB0C4A1F2D3E4F5A6B7"}, {"to", "15557654321@s.whatsapp.net"}, {"type", "text"},
                              {"t", "1711713012"}},
                  wa::Node::Children{wa::Node("participants", {}, std::move(tos)),
                                     wa::Node("device-identity", {}, wa::Bytes(140, 7))});
}

wa::Node receipt() {
  return wa::Node("receipt", {{"id", "3EB0C4A1F2D3E4F5A6B7"}, {"from", "987654321:12@lid"}, {"type", "read"},
                              {"t", "1711713012"}, {"participant", "120363021234567890@g.us"}});
}

wa::Node mediaNode() {
  return wa::Node("iq", {{"id", "abc"}, {"type", "result"}}, wa::Node::Children{wa::Node("blob", {}, wa::Bytes(64 * 1024, 1))});
}

void encodeBench(benchmark::State& state, const wa::Node& node) {
  wa::Bytes out;
  for (auto _ : state) {
    out.clear();
    if (!wa::encodeNode(node, dict, out).ok()) {
      state.SkipWithError("encode failed");
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
  state.counters["nodes/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void decodeBench(benchmark::State& state, const wa::Node& node) {
  auto bytes = *wa::encodeNode(node, dict);
  for (auto _ : state) {
    auto n = wa::decodeNode(bytes, dict);
    if (!n.ok()) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
  state.counters["nodes/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_EncodeMessage(benchmark::State& s) { encodeBench(s, messageStanza()); }
void BM_DecodeMessage(benchmark::State& s) { decodeBench(s, messageStanza()); }
void BM_EncodeReceipt(benchmark::State& s) { encodeBench(s, receipt()); }
void BM_DecodeReceipt(benchmark::State& s) { decodeBench(s, receipt()); }
void BM_EncodeMedia64K(benchmark::State& s) { encodeBench(s, mediaNode()); }
void BM_DecodeMedia64K(benchmark::State& s) { decodeBench(s, mediaNode()); }

void BM_NoiseHandshake(benchmark::State& state) {
  auto root = wa::KeyPair::generate();
  auto intermediate = wa::KeyPair::generate();
  auto server = wa::KeyPair::generate();
  auto now = static_cast<std::uint64_t>(std::time(nullptr));
  auto chain = wa::issueCertChain(root, intermediate, server.pub, now);
  auto clientStatic = wa::KeyPair::generate();
  wa::Bytes payload(120, 3);
  for (auto _ : state) {
    wa::NoiseClientHandshake client(clientStatic, {root.pub, 0}, wa::kConnectionHeaderV3, [now] { return now; });
    wa::NoiseServerHandshake srv(server, chain, wa::kConnectionHeaderV3);
    auto hello = srv.readClientHello(client.clientHello());
    auto cf = client.readServerHello(*hello, payload);
    if (!cf.ok()) {
      state.SkipWithError("handshake failed");
      break;
    }
    auto sf = srv.readClientFinish(cf->clientFinish);
    benchmark::DoNotOptimize(sf);
  }
  state.counters["handshakes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_XEdDSAVerify(benchmark::State& state) {
  auto kp = wa::KeyPair::generate();
  wa::Bytes msg(100, 1);
  auto sig = wa::xeddsaSign(kp.priv, msg);
  for (auto _ : state) {
    benchmark::DoNotOptimize(wa::xeddsaVerify(kp.pub, msg, sig));
  }
}

void BM_TransportSeal(benchmark::State& state) {
  wa::Key32 key{};
  wa::TransportCipher cipher(key);
  wa::Bytes frame(static_cast<std::size_t>(state.range(0)), 9);
  for (auto _ : state) {
    auto sealed = cipher.seal(frame);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

}  // namespace

BENCHMARK(BM_EncodeMessage);
BENCHMARK(BM_DecodeMessage);
BENCHMARK(BM_EncodeReceipt);
BENCHMARK(BM_DecodeReceipt);
BENCHMARK(BM_EncodeMedia64K);
BENCHMARK(BM_DecodeMedia64K);
BENCHMARK(BM_NoiseHandshake)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_XEdDSAVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TransportSeal)->Arg(256)->Arg(16 * 1024);

BENCHMARK_MAIN();
