#include "kafka_test_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/clock.hpp"
#include "kafka/cloudevents_headers.hpp"
#include "kafka/envelope.hpp"
#include "storage/storage_config.hpp"

namespace switchboard::test {

using namespace std::chrono_literals;

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sb-kafka-XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  path_ = p == nullptr ? std::string() : std::string(p);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::shared_ptr<Store> openTestStore(const std::string& dir) {
  auto section = sdk::ConfigValue::ofMap({
      {"url", sdk::ConfigValue::ofString("sqlite://" + dir + "/switchboard.db")},
      {"sqlite_synchronous", sdk::ConfigValue::ofString("normal")},
  });
  auto store = host::openStore(section);
  if (!store.ok()) {
    std::fprintf(stderr, "openStore: %s\n", store.error().describe().c_str());
    std::abort();
  }
  return store.value();
}

TestSink::TestSink(std::shared_ptr<Store> store, std::set<std::string> accounts, bool complete)
    : store_(std::move(store)), accounts_(std::move(accounts)), complete_(complete) {}

sdk::Status TestSink::validate(const sdk::OutboundCommand& command) {
  if (command.kind != sdk::CommandKind::SetAgentStatus && accounts_.count(command.account) == 0) {
    return sdk::Error::permanent("command.unknown_account",
                                 "account " + command.account + " is not run by this deployment");
  }
  return sdk::okStatus();
}

void TestSink::dispatch(const sdk::OutboundCommand& command) {
  {
    std::lock_guard lock(mutex_);
    dispatched_.push_back(command);
  }
  if (complete_) {
    sdk::CommandResult sent;
    sent.commandId = command.commandId;
    sent.tenant = command.tenant;
    sent.account = command.account;
    sent.stage = sdk::ResultStage::Sent;
    sent.networkId = "3EB0" + command.commandId;
    sent.timestamp = host::nowMs();
    (void)store_->recordResult(sent, host::resultRecord(sent));
    sdk::Event receipt;
    receipt.type = "receipt.delivered";
    receipt.tenant = command.tenant;
    receipt.account = command.account;
    receipt.conversation = command.conversation.empty() ? "conv-" + command.to : command.conversation;
    receipt.subject = "msg-" + command.commandId;
    receipt.attributes = {{"network_id", sent.networkId}, {"command_id", command.commandId}};
    receipt.timestamp = host::nowMs();
    (void)store_->enqueue({host::eventRecord(receipt)});
  }
  if (onDispatch_) {
    onDispatch_();
  }
}

std::vector<sdk::OutboundCommand> TestSink::dispatched() const {
  std::lock_guard lock(mutex_);
  return dispatched_;
}

sdk::ConfigValue kafkaSection(const std::string& format, std::map<std::string, sdk::ConfigValue> overrides) {
  sdk::ConfigValue::Map m = {
      {"embedded", sdk::ConfigValue::ofBool(true)},
      {"format", sdk::ConfigValue::ofString(format)},
      {"partitions", sdk::ConfigValue::ofInt(3)},
      {"group_id", sdk::ConfigValue::ofString("sb-test")},
      {"poll_interval", sdk::ConfigValue::ofInt(50)},
      {"session_timeout", sdk::ConfigValue::ofInt(6000)},
      {"max_poll_interval", sdk::ConfigValue::ofInt(10000)},
      {"heartbeat_interval", sdk::ConfigValue::ofInt(1000)},
      {"retry_backoff", sdk::ConfigValue::ofInt(200)},
  };
  for (auto& [k, v] : overrides) {
    m[k] = std::move(v);
  }
  return sdk::ConfigValue::ofMap(std::move(m));
}

std::vector<Record> readTopic(const std::string& bootstrap, const std::string& topic, std::size_t count,
                              std::chrono::milliseconds timeout, const std::function<bool(const Record&)>& keep) {
  std::vector<Record> out;
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "group.id", "sb-test-reader", err, sizeof(err));
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err));
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == nullptr) {
    return out;
  }
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  int partitions = 0;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
    partitions = md->topics[0].partition_cnt;
  }
  if (md != nullptr) {
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(rkt);
  auto* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  auto until = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < until) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) {
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Record r;
      r.topic = topic;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key != nullptr) {
        r.key.assign(static_cast<const char*>(m->key), m->key_len);
      }
      if (m->payload != nullptr) {
        r.value.assign(static_cast<const char*>(m->payload), m->len);
      }
      r.headers = host::readHeaders(m);
      if (!keep || keep(r)) {
        out.push_back(std::move(r));
      }
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

void produceRaw(const std::string& bootstrap, const std::string& topic, const std::string& key,
                const std::string& value, const std::map<std::string, std::string>& headers) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  rd_kafka_headers_t* h = rd_kafka_headers_new(headers.size() + 1);
  for (const auto& [k, v] : headers) {
    rd_kafka_header_add(h, k.c_str(), -1, v.data(), static_cast<ssize_t>(v.size()));
  }
  rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                    RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
  rd_kafka_flush(rk, 10000);
  rd_kafka_destroy(rk);
}

int run(const std::string& command, std::string* out) {
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) {
    return -1;
  }
  std::string buf;
  char chunk[65536];
  size_t n = 0;
  while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
    buf.append(chunk, n);
  }
  int status = pclose(p);
  if (out != nullptr) {
    *out = std::move(buf);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

// Parses kcat's -f '%p %o %K:%k%S:%s%h\n' output: lengths make binary values safe.
std::vector<Record> parseKcat(const std::string& text, const std::string& topic) {
  std::vector<Record> out;
  size_t pos = 0;
  auto readInt = [&](char stop) -> long long {
    size_t end = text.find(stop, pos);
    long long v = std::stoll(text.substr(pos, end - pos));
    pos = end + 1;
    return v;
  };
  while (pos < text.size()) {
    Record r;
    r.topic = topic;
    r.partition = static_cast<std::int32_t>(readInt(' '));
    r.offset = readInt(' ');
    long long klen = readInt(':');
    if (klen > 0) {
      r.key = text.substr(pos, static_cast<size_t>(klen));
      pos += static_cast<size_t>(klen);
    }
    long long vlen = readInt(':');
    if (vlen > 0) {
      r.value = text.substr(pos, static_cast<size_t>(vlen));
      pos += static_cast<size_t>(vlen);
    }
    size_t eol = text.find('\n', pos);
    std::string headers = text.substr(pos, eol - pos);
    pos = eol + 1;
    // Header values may hold commas: a separator is a comma followed by "name=".
    auto nextSeparator = [&headers](size_t from) {
      for (size_t c = headers.find(',', from); c != std::string::npos; c = headers.find(',', c + 1)) {
        size_t eq = headers.find('=', c + 1);
        if (eq != std::string::npos &&
            headers.find_first_not_of("abcdefghijklmnopqrstuvwxyz_-.", c + 1) == eq) {
          return c;
        }
      }
      return std::string::npos;
    };
    size_t h = 0;
    while (h < headers.size()) {
      size_t comma = nextSeparator(h);
      std::string kv = headers.substr(h, comma == std::string::npos ? std::string::npos : comma - h);
      auto eq = kv.find('=');
      if (eq != std::string::npos) {
        r.headers[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      if (comma == std::string::npos) {
        break;
      }
      h = comma + 1;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<Record> kcatConsume(const std::string& bootstrap, const std::string& topic, std::size_t count,
                                int timeoutSec) {
  std::string out;
  std::string cmd = "timeout " + std::to_string(timeoutSec) + " kcat -q -C -b " + bootstrap + " -t " + topic +
                    " -o beginning -c " + std::to_string(count) + " -f '%p %o %K:%k%S:%s%h\\n'";
  run(cmd, &out);
  return parseKcat(out, topic);
}

int kcatProduce(const std::string& bootstrap, const std::string& topic, const std::string& key,
                const std::string& value, const std::map<std::string, std::string>& headers,
                const std::string& scratchDir) {
  static int n = 0;
  std::string file = scratchDir + "/kcat-value-" + std::to_string(++n);
  std::ofstream(file, std::ios::binary) << value;
  std::string cmd = "kcat -q -P -b " + bootstrap + " -t " + topic + " -k '" + key + "'";
  for (const auto& [k, v] : headers) {
    cmd += " -H '" + k + "=" + v + "'";
  }
  cmd += " " + file;
  return run(cmd);
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

}  // namespace switchboard::test
