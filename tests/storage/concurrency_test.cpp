// Several threads storing at once through the pool: every call succeeds (writers wait for each
// other within the busy timeout; none trips over a snapshot left open by an earlier read).

#include <atomic>
#include <thread>

#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

TEST_P(StorageTest, ConcurrentWritersThroughThePool) {
  auto store = open({{"pool_size", sdk::ConfigValue::ofInt(4)}});
  ASSERT_TRUE(store);
  constexpr int kThreads = 4, kBatches = 25, kBatch = 10;
  std::atomic<int> failures{0};
  std::string firstError;
  std::mutex errorMutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<InboundWrite> batch;
        for (int i = 0; i < kBatch; ++i) {
          const int n = (t * kBatches + b) * kBatch + i;
          // Shared peers (existing conversations and contacts are found, rows returned) and a
          // redelivery of the previous batch's first message (a duplicate lookup).
          batch.push_back(makeInbound("default", "acc", "1555000" + std::to_string(1000 + n % 7),
                                      "N" + std::to_string(n), "x", n));
        }
        if (b > 0) {
          const int prev = (t * kBatches + b - 1) * kBatch;
          batch.push_back(makeInbound("default", "acc", "15550001000", "N" + std::to_string(prev), "x", prev));
        }
        auto r = store->storeInbound(batch);
        auto reads = store->tenant("default")->listConversations({});
        auto pending = store->pendingOutbox(0, 5);
        if (!r.ok() || !reads.ok() || !pending.ok()) {
          std::lock_guard lock(errorMutex);
          if (firstError.empty()) {
            firstError = !r.ok() ? r.error().describe() : !reads.ok() ? reads.error().describe()
                                                                       : pending.error().describe();
          }
          ++failures;
        } else if (b > 0 && !r->back().duplicate) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0) << firstError;
  EXPECT_EQ(*store->outboxDepth(), kThreads * kBatches * kBatch);
}

}  // namespace
}  // namespace switchboard::host::test
