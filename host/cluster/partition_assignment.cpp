#include "cluster/partition_assignment.hpp"

#include <cstring>

namespace switchboard::host::cluster {

RebalanceProtocol rebalanceProtocolNamed(const char* name) {
  return name != nullptr && std::strcmp(name, "COOPERATIVE") == 0 ? RebalanceProtocol::Cooperative
                                                                   : RebalanceProtocol::Eager;
}

AssignmentChange applyAssignment(RebalanceProtocol protocol, const std::set<int>& held, const std::set<int>& given) {
  AssignmentChange change;
  // Eager: the assignment replaces what was held (normally nothing: all was revoked first).
  // Cooperative: it adds to what stayed.
  change.held = protocol == RebalanceProtocol::Cooperative ? held : std::set<int>{};
  for (int p : given) {
    if (held.count(p) == 0) {
      change.added.insert(p);
    }
    change.held.insert(p);
  }
  return change;
}

std::set<int> applyRevocation(const std::set<int>& held, const std::set<int>& taken) {
  std::set<int> left;
  for (int p : held) {
    if (taken.count(p) == 0) {
      left.insert(p);
    }
  }
  return left;
}

}  // namespace switchboard::host::cluster
