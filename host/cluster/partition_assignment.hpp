#pragma once

// What a rebalance callback changes in the set of `control` partitions a daemon holds, under
// either rebalance protocol. Eager (roundrobin, range): each assignment is the whole new set, and
// every partition was revoked before it. Cooperative (cooperative-sticky): assignments and
// revocations are increments, so partitions that stay with the daemon appear in neither and
// their accounts keep running untouched.

#include <set>

namespace switchboard::host::cluster {

enum class RebalanceProtocol { Eager, Cooperative };

/// librdkafka's name for the protocol a group uses now (`rd_kafka_rebalance_protocol`): "COOPERATIVE",
/// "EAGER", or "NONE" before the first join (treated as eager: assignments are whole sets then).
RebalanceProtocol rebalanceProtocolNamed(const char* name);

struct AssignmentChange {
  std::set<int> held;   // what the daemon holds after the assignment
  std::set<int> added;  // partitions new here: their accounts are taken over
};

/// The group gave `given`: the whole assignment (eager) or an increment (cooperative).
AssignmentChange applyAssignment(RebalanceProtocol protocol, const std::set<int>& held, const std::set<int>& given);

/// The group took `taken` away (revoked or lost): what is left, under either protocol.
std::set<int> applyRevocation(const std::set<int>& held, const std::set<int>& taken);

}  // namespace switchboard::host::cluster
