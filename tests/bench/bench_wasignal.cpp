// Signal layer throughput (sb_wasignal on libsignal-protocol-c with the OpenSSL provider): messages
// encrypted and decrypted per second in an established session (one direction: a chain step per
// message; ping-pong: a DH ratchet step per message), new sessions per second (bundle -> pkmsg ->
// decrypted), and sender-key group messages. Every operation runs as the connector runs it: in a
// SignalTransaction over the account's store, committed after success.
#include <benchmark/benchmark.h>

#include "signal/memory_store.hpp"
#include "signal/padding.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"

namespace wa = switchboard::whatsapp;

namespace {

// A typical text message: a protobuf of ~120 bytes, padded.
const wa::Bytes kPlaintext = wa::padMessage(wa::Bytes(120, 0x2A));

struct Device {
  wa::MemorySignalStore store;
  wa::SignalAddress address;

  explicit Device(wa::SignalAddress a) : address(std::move(a)) {
    (void)wa::saveLocalIdentity(store, wa::LocalIdentity::generate());
    wa::SignalProtocol sp(store);
    (void)sp.generateSignedPreKey(1);
  }

  wa::PreKeyBundle bundle() {
    wa::SignalProtocol sp(store);
    return *sp.ownBundle(1, std::nullopt);
  }
};

bool send(Device& from, Device& to, benchmark::State& state) {
  wa::Bytes cipher;
  wa::CipherType type{};
  {
    wa::SignalTransaction tx(from.store);
    wa::SignalProtocol sp(tx);
    auto m = sp.encrypt(to.address, kPlaintext);
    if (!m.ok() || !tx.commit().ok()) {
      state.SkipWithError("encrypt failed");
      return false;
    }
    cipher = std::move(m->data);
    type = m->type;
  }
  wa::SignalTransaction tx(to.store);
  wa::SignalProtocol sp(tx);
  auto plain = sp.decrypt(from.address, type, cipher);
  if (!plain.ok() || !tx.commit().ok()) {
    state.SkipWithError("decrypt failed");
    return false;
  }
  benchmark::DoNotOptimize(plain->data());
  return true;
}

// Alice and Bob with a session both sides have used.
void establish(Device& alice, Device& bob, benchmark::State& state) {
  wa::SignalProtocol sp(alice.store);
  if (!sp.processBundle(bob.address, bob.bundle()).ok()) {
    state.SkipWithError("bundle failed");
    return;
  }
  send(alice, bob, state);
  send(bob, alice, state);
}

void BM_EstablishedOneDirection(benchmark::State& state) {
  Device alice({"100000000000001_1", 1});
  Device bob({"200000000000002_1", 1});
  establish(alice, bob, state);
  for (auto _ : state) {
    if (!send(alice, bob, state)) {
      break;
    }
  }
  state.counters["messages/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EstablishedOneDirection);

void BM_EstablishedPingPong(benchmark::State& state) {
  Device alice({"100000000000001_1", 1});
  Device bob({"200000000000002_1", 1});
  establish(alice, bob, state);
  bool turn = false;
  for (auto _ : state) {
    if (!(turn ? send(alice, bob, state) : send(bob, alice, state))) {
      break;
    }
    turn = !turn;
  }
  state.counters["messages/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EstablishedPingPong);

// A new session each time: process the bundle (signature check, X3DH), encrypt the pkmsg, and
// decrypt it on the other side (X3DH again).
void BM_NewSessionPkMsg(benchmark::State& state) {
  Device bob({"200000000000002_1", 1});
  auto bundle = bob.bundle();
  for (auto _ : state) {
    state.PauseTiming();
    Device alice({"100000000000001_1", 1});  // a fresh sender, so Bob's session record stays small
    state.ResumeTiming();
    {
      wa::SignalTransaction tx(alice.store);
      wa::SignalProtocol sp(tx);
      if (!sp.processBundle(bob.address, bundle).ok() || !tx.commit().ok()) {
        state.SkipWithError("bundle failed");
        break;
      }
    }
    if (!send(alice, bob, state)) {
      break;
    }
  }
  state.counters["sessions/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NewSessionPkMsg);

void BM_GroupEncryptDecrypt(benchmark::State& state) {
  Device alice({"100000000000001_1", 1});
  Device bob({"200000000000002_1", 1});
  const wa::SenderKeyName name{"120363000000000001@g.us", alice.address};
  {
    wa::SignalProtocol a(alice.store);
    wa::SignalProtocol b(bob.store);
    auto skdm = a.senderKeyDistribution(name);
    if (!skdm.ok() || !b.processSenderKeyDistribution(name, *skdm).ok()) {
      state.SkipWithError("sender key setup failed");
      return;
    }
  }
  for (auto _ : state) {
    wa::Bytes cipher;
    {
      wa::SignalTransaction tx(alice.store);
      wa::SignalProtocol sp(tx);
      auto m = sp.groupEncrypt(name, kPlaintext);
      if (!m.ok() || !tx.commit().ok()) {
        state.SkipWithError("group encrypt failed");
        break;
      }
      cipher = std::move(*m);
    }
    wa::SignalTransaction tx(bob.store);
    wa::SignalProtocol sp(tx);
    auto plain = sp.groupDecrypt(name, cipher);
    if (!plain.ok() || !tx.commit().ok()) {
      state.SkipWithError("group decrypt failed");
      break;
    }
  }
  state.counters["messages/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GroupEncryptDecrypt);

}  // namespace

BENCHMARK_MAIN();
