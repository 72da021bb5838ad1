#include "kafka/embedded_broker.hpp"

namespace switchboard::host {

EmbeddedBroker::~EmbeddedBroker() { stop(); }

sdk::Status EmbeddedBroker::start(int brokers) {
  if (cluster_ != nullptr) {
    return sdk::okStatus();
  }
  // The cluster needs an rd_kafka_t of its own to run on; it is never used as a client.
  auto conf = makeConf({{"log_level", "3"}});
  SB_TRY(conf);
  auto client = makeClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  SB_TRY(client);
  handle_ = std::move(client).value();
  cluster_ = rd_kafka_mock_cluster_new(handle_.get(), brokers);
  if (cluster_ == nullptr) {
    handle_.reset();
    return sdk::Error::fatal("kafka.embedded", "cannot start the embedded Kafka broker (mock cluster)");
  }
  brokers_ = brokers;
  return sdk::okStatus();
}

void EmbeddedBroker::stop() {
  if (cluster_ != nullptr) {
    rd_kafka_mock_cluster_destroy(cluster_);
    cluster_ = nullptr;
  }
  handle_.reset();
}

std::string EmbeddedBroker::bootstrapServers() const {
  return cluster_ == nullptr ? std::string() : std::string(rd_kafka_mock_cluster_bootstraps(cluster_));
}

sdk::Status EmbeddedBroker::createTopic(const std::string& name, int partitions, int replicationFactor) {
  if (cluster_ == nullptr) {
    return sdk::Error::permanent("kafka.embedded", "embedded broker is not running");
  }
  auto err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions,
                                        std::min(replicationFactor, brokers_));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return kafkaError(err, "create topic " + name);
  }
  return sdk::okStatus();
}

void EmbeddedBroker::setBrokerDown(int brokerId) { rd_kafka_mock_broker_set_down(cluster_, brokerId); }

void EmbeddedBroker::setBrokerUp(int brokerId) { rd_kafka_mock_broker_set_up(cluster_, brokerId); }

void EmbeddedBroker::setBrokerRtt(int brokerId, int rttMs) { rd_kafka_mock_broker_set_rtt(cluster_, brokerId, rttMs); }

void EmbeddedBroker::pushRequestErrors(int apiKey, const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_, static_cast<int16_t>(apiKey), errors.size(), errors.data());
}

void EmbeddedBroker::clearRequestErrors(int apiKey) {
  rd_kafka_mock_clear_request_errors(cluster_, static_cast<int16_t>(apiKey));
}

}  // namespace switchboard::host
