#pragma once

// Shared pieces of the Kafka tests: a real SQLite store in a temporary directory, the pipeline's
// CommandSink as the tests need it, a bridge configuration with short timeouts, a plain librdkafka
// reader of whole topics, and kcat as the outside world.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "pipeline/command_sink.hpp"
#include "storage/store.hpp"
#include "switchboard/sdk/config.hpp"

namespace switchboard::test {

namespace sdk = ::switchboard::sdk;
using host::Store;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A SQLite store (the real one) in `dir`.
std::shared_ptr<Store> openTestStore(const std::string& dir);

/// CommandSink standing in for the pipeline: it knows a fixed set of accounts, records what it
/// dispatched, and (when `complete` is set) reports each command sent and delivered like a
/// connector would: `sent` result on `results`, `receipt.delivered` on `events`.
class TestSink final : public host::CommandSink {
 public:
  TestSink(std::shared_ptr<Store> store, std::set<std::string> accounts, bool complete = false);
  sdk::Status validate(const sdk::OutboundCommand& command) override;
  void dispatch(const sdk::OutboundCommand& command) override;

  std::vector<sdk::OutboundCommand> dispatched() const;
  void setOnDispatch(std::function<void()> f) { onDispatch_ = std::move(f); }

 private:
  std::shared_ptr<Store> store_;
  std::set<std::string> accounts_;
  bool complete_;
  std::function<void()> onDispatch_;
  mutable std::mutex mutex_;
  std::vector<sdk::OutboundCommand> dispatched_;
};

/// A `kafka:` section as the config loader would deliver it, with short consumer timeouts.
sdk::ConfigValue kafkaSection(const std::string& format, std::map<std::string, sdk::ConfigValue> overrides = {});

struct Record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

/// Reads `topic` from the beginning (all partitions, no group) until `count` records arrived or
/// `timeout` passed. With `keep`, only the records it accepts are returned and counted (a topic
/// such as `events` carries kinds a test is not about).
std::vector<Record> readTopic(const std::string& bootstrap, const std::string& topic, std::size_t count,
                              std::chrono::milliseconds timeout,
                              const std::function<bool(const Record&)>& keep = nullptr);

/// Produces one record with a plain librdkafka producer (the outside world in C++ tests).
void produceRaw(const std::string& bootstrap, const std::string& topic, const std::string& key,
                const std::string& value, const std::map<std::string, std::string>& headers = {});

/// Runs a shell command; returns its exit status and stdout.
int run(const std::string& command, std::string* out = nullptr);

/// Consumes `topic` with kcat until `count` records arrived (or `timeoutSec`), parsing its output.
std::vector<Record> kcatConsume(const std::string& bootstrap, const std::string& topic, std::size_t count,
                                int timeoutSec = 20);
/// Produces one record with kcat (value from a file, so binary protobuf goes through unchanged).
int kcatProduce(const std::string& bootstrap, const std::string& topic, const std::string& key,
                const std::string& value, const std::map<std::string, std::string>& headers,
                const std::string& scratchDir);

/// Polls `pred` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

}  // namespace switchboard::test
