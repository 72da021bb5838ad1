#include "kafka/command_consumer.hpp"

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "kafka/cloudevents_headers.hpp"
#include "kafka/dead_letter.hpp"
#include "kafka/envelope.hpp"

namespace switchboard::host {

using namespace std::chrono_literals;

CommandConsumer::CommandConsumer(KafkaSettings settings, std::string bootstrap, std::shared_ptr<Store> store,
                                 CommandSink& sink, KafkaMetrics& metrics, std::function<void()> onQueued)
    : settings_(std::move(settings)),
      bootstrap_(std::move(bootstrap)),
      store_(std::move(store)),
      sink_(sink),
      metrics_(metrics),
      onQueued_(std::move(onQueued)),
      log_(componentLogger("kafka")),
      gate_(store_, &metrics.registry) {}

CommandConsumer::~CommandConsumer() { stop(); }

sdk::Status CommandConsumer::start() {
  auto conf = makeConf(clientProperties(settings_, bootstrap_, RD_KAFKA_CONSUMER));
  SB_TRY(conf);
  routeLogs(conf->get());
  auto client = makeClient(RD_KAFKA_CONSUMER, std::move(conf).value());
  SB_TRY(client);
  consumer_ = std::move(client).value();
  rd_kafka_poll_set_consumer(consumer_.get());
  std::vector<std::string> topics = {settings_.topicName(topic::kOutbound)};
  for (const auto& [tenant, prefix] : settings_.tenantTopicPrefixes) {
    topics.push_back(prefix + topic::kOutbound);
  }
  if (auto s = subscribeTopics(consumer_.get(), topics); !s.ok()) {
    consumer_.reset();
    return s;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  return sdk::okStatus();
}

void CommandConsumer::stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
  if (consumer_) {
    // Commits the offsets stored so far and leaves the group, so a peer takes over at once.
    rd_kafka_consumer_close(consumer_.get());
    consumer_.reset();
  }
}

void CommandConsumer::run() {
  while (!stopping_) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), 100);
    if (m == nullptr) {
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        log_->warn("consumer: {}", rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    metrics_.consumed.inc();
    // A database outage must not skip a command: keep retrying this record. Polling stops
    // meanwhile; past max.poll.interval.ms the group gives the partition to a healthier member.
    while (handle(m) == Outcome::Retry && !stopping_) {
      std::this_thread::sleep_for(settings_.retryBackoff);
    }
    if (!stopping_) {
      // Only now may the offset be committed.
      if (auto err = storeOffsetAfter(consumer_.get(), m); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log_->warn("cannot store offset {}/{}@{}: {} (the record will be seen again and deduplicated)",
                   rd_kafka_topic_name(m->rkt), m->partition, m->offset, rd_kafka_err2str(err));
      }
    }
    rd_kafka_message_destroy(m);
  }
}

Format CommandConsumer::formatOf(const rd_kafka_message_t* m) const {
  auto headers = readHeaders(m);
  auto ct = headers.find(header::kContentType);
  if (ct != headers.end()) {
    if (ct->second.find("json") != std::string::npos) {
      return Format::Json;
    }
    if (ct->second.find("protobuf") != std::string::npos) {
      return Format::Protobuf;
    }
  }
  // A protobuf Envelope never starts with '{' (field 15, wire type 3 does not exist in it).
  const auto* bytes = static_cast<const char*>(m->payload);
  for (size_t i = 0; i < m->len; ++i) {
    if (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t') {
      continue;
    }
    return bytes[i] == '{' ? Format::Json : settings_.format;
  }
  return settings_.format;
}

CommandConsumer::Outcome CommandConsumer::handle(const rd_kafka_message_t* m) {
  std::string_view value(static_cast<const char*>(m->payload), m->payload == nullptr ? 0 : m->len);
  auto parsed = parseCommand(value, formatOf(m));
  if (!parsed.ok()) {
    return deadLetter(m, parsed.error(), "parse");
  }
  auto& command = parsed.value();
  // A tenant's own topic speaks for that tenant only: a command there without a tenant is the
  // topic's, one naming another tenant is a dead letter.
  if (!settings_.tenantTopicPrefixes.empty()) {
    const std::string source = rd_kafka_topic_name(m->rkt);
    for (const auto& [tenant, prefix] : settings_.tenantTopicPrefixes) {
      if (source != prefix + topic::kOutbound) {
        continue;
      }
      if (command.tenant.empty() || command.tenant == sdk::kDefaultTenant) {
        command.tenant = tenant;
      } else if (command.tenant != tenant) {
        return deadLetter(m,
                          sdk::Error::permanent("command.tenant_mismatch", "a command on " + source + " (tenant \"" +
                                                                               tenant + "\") names tenant \"" +
                                                                               command.tenant + "\""),
                          "tenant");
      }
    }
  }
  // Another tenant's account: before validation, whose "unknown account" would hide the reason.
  auto owner = gate_.checkOwner(command);
  if (owner.kind == CommandVerdict::Kind::DeadLetter) {
    return deadLetter(m, *owner.error, "tenant");
  }
  if (owner.kind == CommandVerdict::Kind::Refuse) {
    log_->warn("cannot check the owner of command {} now: {}", command.commandId, owner.error->describe());
    return Outcome::Retry;
  }
  auto valid = sink_.validate(command);
  if (!valid.ok()) {
    if (valid.error().isRetriable()) {
      log_->warn("cannot validate command {} now: {}", command.commandId, valid.error().describe());
      return Outcome::Retry;
    }
    return deadLetter(m, valid.error(), "validate");
  }
  auto stored = store_->storeCommand(command, std::string(value));
  if (!stored.ok()) {
    metrics_.storeErrors.inc();
    log_->warn("cannot store command {}: {}", command.commandId, stored.error().describe());
    return stored.error().isRetriable() ? Outcome::Retry : deadLetter(m, stored.error(), "store");
  }
  if (!stored->inserted) {
    // Same command id again (a producer retry, a replayed topic): it has had its one effect.
    metrics_.commandsDuplicate.inc();
    log_->info("duplicate command ignored command_id={} tenant={}", command.commandId, command.tenant);
    return Outcome::Done;
  }
  if (auto refused = gate_.admit(command, nowMs()); refused.kind != CommandVerdict::Kind::Pass) {
    return refuse(command, *refused.error);
  }
  sdk::CommandResult accepted;
  accepted.commandId = command.commandId;
  accepted.tenant = command.tenant;
  accepted.account = command.account;
  accepted.stage = sdk::ResultStage::Accepted;
  accepted.timestamp = nowMs();
  auto recorded = store_->recordResult(accepted, resultRecord(accepted));
  if (!recorded.ok()) {
    // The command is stored and will run; only its `accepted` record is missing. Worth a warning,
    // not a retry (a retry would find the command already stored and skip it anyway).
    metrics_.storeErrors.inc();
    log_->warn("cannot record accepted result of {}: {}", command.commandId, recorded.error().describe());
  }
  metrics_.commandsStored.inc();
  sink_.dispatch(command);
  onQueued_();
  return Outcome::Done;
}

CommandConsumer::Outcome CommandConsumer::refuse(const sdk::OutboundCommand& command, const sdk::Error& error) {
  // Stored, so a redelivery is a duplicate; its one result is this failure.
  sdk::CommandResult failed;
  failed.commandId = command.commandId;
  failed.tenant = command.tenant;
  failed.account = command.account;
  failed.stage = sdk::ResultStage::Failed;
  failed.errorCode = error.code;
  failed.reason = error.message;
  failed.timestamp = nowMs();
  auto recorded = store_->recordResult(failed, resultRecord(failed));
  if (!recorded.ok()) {
    metrics_.storeErrors.inc();
    log_->warn("cannot record the refusal of {}: {}", command.commandId, recorded.error().describe());
  }
  log_->info("command refused command_id={} tenant={} code={}", command.commandId, command.tenant, error.code);
  onQueued_();
  return Outcome::Done;
}

CommandConsumer::Outcome CommandConsumer::deadLetter(const rd_kafka_message_t* m, const sdk::Error& error,
                                                     const char* stage) {
  const DeadLetterSource source = deadLetterSourceOf(m);
  auto status = store_->enqueue({deadLetterRecord(source, error, stage)});
  if (!status.ok()) {
    metrics_.storeErrors.inc();
    log_->warn("cannot queue dead letter for {}/{}@{}: {}", source.topic, source.partition, source.offset,
               status.error().describe());
    return Outcome::Retry;
  }
  metrics_.deadLettered.inc();
  log_->warn("dead-lettered {}/{}@{}: {}", source.topic, source.partition, source.offset, error.describe());
  onQueued_();
  return Outcome::Done;
}

}  // namespace switchboard::host
