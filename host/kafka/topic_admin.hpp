#pragma once

#include <string>
#include <vector>

#include "kafka/kafka_config.hpp"

namespace switchboard::host {

/// The physical names of every topic of the contract.
std::vector<std::string> contractTopics(const KafkaSettings& settings);

/// Creates missing topics on a real cluster with the configured partitions and replication.
/// A cluster that refuses (no permission, creation disabled) is not an error: the topics may be
/// managed by the operator; each refusal is logged.
void ensureTopics(const KafkaSettings& settings, const std::string& bootstrap);

}  // namespace switchboard::host
