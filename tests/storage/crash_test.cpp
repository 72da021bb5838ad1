// SIGKILL in the middle of a stream of stores: every message whose store call returned is
// there after a restart, and no message is there in part.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "storage/database.hpp"
#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

constexpr int kBatch = 20;
constexpr int kAckedBeforeKill = 400;

[[noreturn]] void writerChild(const sdk::ConfigValue& config, int fd) {
  auto store = openStore(config);
  if (!store.ok()) {
    ::_exit(3);
  }
  for (int b = 0;; ++b) {
    std::vector<InboundWrite> batch;
    for (int i = 0; i < kBatch; ++i) {
      const int n = b * kBatch + i;
      auto w = makeInbound("default", "acc", "1555000" + std::to_string(1000 + n % 37), "N" + std::to_string(n),
                           "body " + std::to_string(n), n);
      w.signal[0].key = "msg." + std::to_string(n);  // one Signal row per message, to find it by
      batch.push_back(std::move(w));
    }
    auto r = (*store)->storeInbound(batch);
    if (!r.ok()) {
      ::_exit(4);
    }
    std::string acks;
    for (const auto& w : batch) {
      acks += w.message.networkId + "\n";
    }
    // Only now would the connector ack WhatsApp.
    if (::write(fd, acks.data(), acks.size()) != static_cast<ssize_t>(acks.size())) {
      ::_exit(5);
    }
  }
}

long long count(storage::Connection& c, const std::string& sql) {
  long long n = 0;
  c.sql << sql, soci::into(n);
  return n;
}

TEST_P(StorageTest, SigkillMidStreamLosesNothingAcked) {
  ASSERT_TRUE(open());  // schema and key exist before the writer starts
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const auto cfg = config();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    writerChild(cfg, fds[1]);
  }
  ::close(fds[1]);
  std::set<std::string> acked;
  std::string pending;
  char buf[4096];
  bool killed = false;
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) {
      break;  // EOF: the writer is dead (killed by us, or failed)
    }
    pending.append(buf, static_cast<std::size_t>(n));
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      acked.insert(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
    if (!killed && acked.size() >= kAckedBeforeKill) {
      // Land the kill at a varying point inside the next store call.
      std::this_thread::sleep_for(std::chrono::microseconds(::getpid() % 3000));
      ASSERT_EQ(::kill(pid, SIGKILL), 0);
      killed = true;
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(fds[0]);
  ASSERT_TRUE(killed) << "the writer stopped before the kill, exit status " << status;
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_GE(acked.size(), static_cast<std::size_t>(kAckedBeforeKill));

  auto store = open();
  ASSERT_TRUE(store);
  for (const auto& id : acked) {
    auto m = store->findByCiphertext("acc", "hash-" + id);
    ASSERT_TRUE(m.ok()) << m.error().describe();
    ASSERT_TRUE(m->has_value()) << "acked message " << id << " is missing after the crash";
    auto sig = store->readSignal(SignalWrite::Table::Session, "acc", "msg." + id.substr(1));
    ASSERT_TRUE(sig->has_value()) << "the Signal state of acked message " << id << " is missing";
  }
  // Every stored message is whole: its dedupe row, its message row, its Signal row and its
  // outbox row all exist, or none does. At most the batch in flight committed without an ack.
  auto db = storage::Database::open({url_, 1});
  ASSERT_TRUE(db.ok());
  auto counts = (*db)->run<std::vector<long long>>([](storage::Connection& c) -> sdk::Result<std::vector<long long>> {
    return std::vector<long long>{
        count(c, "SELECT COUNT(*) FROM messages"), count(c, "SELECT COUNT(*) FROM inbound_dedupe"),
        count(c, "SELECT COUNT(*) FROM outbox"),
        count(c, "SELECT COUNT(*) FROM signal_sessions WHERE address LIKE 'msg.%'"),
        count(c, "SELECT COUNT(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.ce_id = m.id)")};
  });
  ASSERT_TRUE(counts.ok()) << counts.error().describe();
  const auto& n = *counts;
  EXPECT_EQ(n[0], n[1]);
  EXPECT_EQ(n[0], n[2]);
  EXPECT_EQ(n[0], n[3]);
  EXPECT_EQ(n[4], 0);
  EXPECT_GE(n[0], static_cast<long long>(acked.size()));
  EXPECT_LE(n[0], static_cast<long long>(acked.size()) + kBatch);
  EXPECT_EQ(n[0] % kBatch, 0) << "a batch was stored in part";
}

}  // namespace
}  // namespace switchboard::host::test
