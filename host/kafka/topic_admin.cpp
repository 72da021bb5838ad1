#include "kafka/topic_admin.hpp"

#include "common/logging.hpp"
#include "kafka/envelope.hpp"
#include "kafka/rdkafka_util.hpp"

namespace switchboard::host {

std::vector<std::string> contractTopics(const KafkaSettings& s) {
  std::vector<std::string> out;
  for (const char* t : {topic::kInbound, topic::kOutbound, topic::kResults, topic::kEvents, topic::kDlq,
                        topic::kControl}) {
    out.push_back(s.topicName(t));
    for (const auto& [tenant, prefix] : s.tenantTopicPrefixes) {
      if (std::string_view(t) != topic::kControl) {  // control stays the deployment's
        out.push_back(prefix + t);
      }
    }
  }
  return out;
}

void ensureTopics(const KafkaSettings& settings, const std::string& bootstrap) {
  auto log = componentLogger("kafka");
  auto conf = makeConf(clientProperties(settings, bootstrap, RD_KAFKA_PRODUCER));
  if (!conf.ok()) {
    log->warn("topic creation skipped: {}", conf.error().describe());
    return;
  }
  routeLogs(conf->get());
  auto client = makeClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!client.ok()) {
    log->warn("topic creation skipped: {}", client.error().describe());
    return;
  }
  rd_kafka_t* rk = client->get();
  auto names = contractTopics(settings);
  // Only ask for what is missing: many clusters (and the embedded one) refuse or ignore CreateTopics.
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 1, nullptr, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < md->topic_cnt; ++i) {
      if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::erase(names, std::string(md->topics[i].topic));
      }
    }
    rd_kafka_metadata_destroy(md);
  }
  if (names.empty()) {
    return;
  }
  std::vector<rd_kafka_NewTopic_t*> topics;
  char err[512];
  for (const auto& name : names) {
    auto* t = rd_kafka_NewTopic_new(name.c_str(), settings.partitions, settings.replicationFactor, err, sizeof(err));
    if (t != nullptr) {
      topics.push_back(t);
    }
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, 10000, err, sizeof(err));
  rd_kafka_CreateTopics(rk, topics.data(), topics.size(), options, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 15000);
  if (ev == nullptr) {
    log->warn("topic creation: no answer from the cluster within 15 s; continuing");
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log->warn("topic creation refused: {}; the topics must exist or be auto-created",
              rd_kafka_event_error_string(ev));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      auto e = rd_kafka_topic_result_error(results[i]);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        log->info("created topic {} partitions={}", rd_kafka_topic_result_name(results[i]), settings.partitions);
      } else if (e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        log->warn("cannot create topic {}: {}", rd_kafka_topic_result_name(results[i]),
                  rd_kafka_topic_result_error_string(results[i]));
      }
    }
  }
  if (ev != nullptr) {
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy_array(topics.data(), topics.size());
}

}  // namespace switchboard::host
