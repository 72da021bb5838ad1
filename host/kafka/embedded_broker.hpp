#pragma once

// librdkafka's mock cluster as an in-process Kafka-protocol broker on loopback: the demo and the
// tests need no external service, while any Kafka client (kcat, kafkajs) can still connect.
// It keeps only ~100k message sets or 5 MiB per partition and has no CreateTopics, so topics are
// created here. Also hosted by the standalone switchboard-kafka-mock executable.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

#include "kafka/rdkafka_util.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

class EmbeddedBroker {
 public:
  EmbeddedBroker() = default;
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  /// Starts a cluster of `brokers` brokers on 127.0.0.1 (ports chosen by the kernel).
  sdk::Status start(int brokers = 1);
  void stop();
  bool running() const { return cluster_ != nullptr; }

  /// "127.0.0.1:PORT[,...]".
  std::string bootstrapServers() const;

  sdk::Status createTopic(const std::string& name, int partitions, int replicationFactor = 1);

  // Fault injection for tests (see rdkafka_mock.h).
  void setBrokerDown(int brokerId);
  void setBrokerUp(int brokerId);
  void setBrokerRtt(int brokerId, int rttMs);
  /// The next `errors.size()` requests of `apiKey` (e.g. RD_KAFKAP_Produce = 0) fail with them.
  void pushRequestErrors(int apiKey, const std::vector<rd_kafka_resp_err_t>& errors);
  void clearRequestErrors(int apiKey);
  int brokerCount() const { return brokers_; }

  rd_kafka_mock_cluster_t* cluster() { return cluster_; }

 private:
  RdKafkaPtr handle_;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  int brokers_ = 0;
};

}  // namespace switchboard::host
