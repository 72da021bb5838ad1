#include "routing_engine.hpp"

#include <algorithm>

namespace switchboard::routing {

namespace {

bool intersects(const std::vector<std::string>& wanted, const std::set<std::string>& have) {
  return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& t) { return have.count(t) != 0; });
}

std::set<std::string> tagsOf(const sb::RoutingRequest& r) {
  std::set<std::string> out(r.conversation.tags.begin(), r.conversation.tags.end());
  if (r.contact) {
    out.insert(r.contact->tags.begin(), r.contact->tags.end());
  }
  return out;
}

// Counts of why agents were not eligible, for the reason of a queued conversation.
struct Exclusions {
  int notAvailable = 0, full = 0, otherTeam = 0, offShift = 0, excluded = 0;
  std::string describe(std::size_t total) const {
    std::string out = std::to_string(total) + " agents";
    auto add = [&](int n, const char* what) {
      if (n > 0) {
        out += ", " + std::to_string(n) + " " + what;
      }
    };
    add(notAvailable, "not available");
    add(full, "at capacity");
    add(otherTeam, "in other teams");
    add(offShift, "off shift");
    add(excluded, "just taken by a concurrent claim");
    return out;
  }
};

}  // namespace

RoutingEngine::RoutingEngine(RoutingConfig config, const RoutingKnowledge& knowledge)
    : config_(std::move(config)),
      calendar_(config_.defaultTimeZone, config_.holidays, config_.agentHolidays),
      deps_{calendar_, config_.skills, knowledge, config_.seed} {
  policies_.reserve(config_.policies.size() + 1);
  auto compile = [&](const PolicyConfig& p) {
    Policy out;
    out.config = &p;
    for (const auto& step : p.chain) {
      out.chain.push_back(makeStrategy(step, deps_));
    }
    policies_.push_back(std::move(out));
  };
  compile(config_.defaultPolicy);
  for (const auto& p : config_.policies) {
    compile(p);
  }
}

const PolicyConfig& RoutingEngine::policyFor(const sb::RoutingRequest& request) const {
  const auto tags = tagsOf(request);
  for (const auto& p : config_.policies) {
    const bool account = p.accounts.empty() || std::find(p.accounts.begin(), p.accounts.end(),
                                                         request.conversation.account) != p.accounts.end();
    const bool tagged = p.tags.empty() || intersects(p.tags, tags);
    if (account && tagged) {
      return p;
    }
  }
  return config_.defaultPolicy;
}

RoutingEngine::Policy& RoutingEngine::compiled(const PolicyConfig& config) {
  for (auto& p : policies_) {
    if (p.config == &config) {
      return p;
    }
  }
  return policies_.front();  // unreachable: every PolicyConfig of config_ was compiled
}

RoutingOutcome RoutingEngine::route(const sb::RoutingRequest& request, sb::TimestampMs now,
                                    const std::optional<sb::AgentId>& sticky, const std::set<sb::AgentId>& exclude) {
  std::set<std::string> visited;
  return runPolicy(compiled(policyFor(request)), request, now, sticky, exclude, visited);
}

RoutingOutcome RoutingEngine::runPolicy(Policy& policy, const sb::RoutingRequest& request, sb::TimestampMs now,
                                        const std::optional<sb::AgentId>& sticky,
                                        const std::set<sb::AgentId>& exclude, std::set<std::string>& visited) {
  const PolicyConfig& pc = *policy.config;
  visited.insert(pc.name);
  RoutingOutcome out;
  out.policy = pc.name;
  out.waitMessage = pc.waitMessage;

  RoutingInput in{request, now, pc, wordsOf(request.message.text), tagsOf(request)};
  Candidates candidates;
  Exclusions why;
  for (const auto& a : request.agents) {
    if (a.status != sb::AgentStatus::Available) {
      ++why.notAvailable;
    } else if (a.openConversations >= a.capacity) {
      ++why.full;
    } else if (!pc.team.empty() && a.department != pc.team) {
      ++why.otherTeam;
    } else if (exclude.count(a.id) != 0) {
      ++why.excluded;
    } else if (pc.respectShifts) {
      const auto s = calendar_.status(a, now, pc.timeZone, pc.holidays);
      if (s.unknownZone) {
        out.unknownZones.push_back(a.id + ": " + a.timeZone);
      }
      if (s.onShift) {
        candidates.push_back(&a);
      } else {
        ++why.offShift;
      }
    } else {
      candidates.push_back(&a);
    }
  }

  auto overflow = [&](std::string reason) {
    if (!pc.fallbackPolicy.empty() && visited.count(pc.fallbackPolicy) == 0) {
      if (const auto* next = config_.policy(pc.fallbackPolicy)) {
        auto fallback = runPolicy(compiled(*next), request, now, sticky, exclude, visited);
        fallback.reason = "policy " + pc.name + ": " + reason + "; fallback " + fallback.reason;
        if (fallback.waitMessage.empty()) {
          fallback.waitMessage = pc.waitMessage;
        }
        fallback.unknownZones.insert(fallback.unknownZones.end(), out.unknownZones.begin(), out.unknownZones.end());
        return fallback;
      }
    }
    out.strategy = "overflow";
    out.reason = "policy " + pc.name + ": " + std::move(reason);
    return out;
  };

  if (candidates.empty()) {
    return overflow("nobody eligible (" + why.describe(request.agents.size()) + ")");
  }
  if (pc.sticky && sticky) {
    for (const auto* a : candidates) {
      if (a->id == *sticky) {
        out.agent = a->id;
        out.strategy = "sticky";
        out.reason = "policy " + pc.name + ": the contact's previous agent";
        return out;
      }
    }
  }

  std::string trail;
  for (std::size_t i = 0; i + 1 < policy.chain.size(); ++i) {
    const auto& step = pc.chain[i];
    auto narrowed = policy.chain[i]->narrow(in, candidates);
    trail += step.name + ": " + narrowed.note + "; ";
    if (narrowed.kept.empty()) {
      if (step.onEmpty == OnEmpty::Queue) {
        return overflow(trail + "nobody left");
      }
      trail += "(skipped); ";
      continue;
    }
    candidates = std::move(narrowed.kept);
  }
  const auto& last = pc.chain.back();
  if (last.kind == StrategyKind::Manual) {
    out.manual = true;
    out.strategy = last.name;
    out.reason = "policy " + pc.name + ": " + trail + "waiting for an operator";
    for (const auto* a : candidates) {
      out.suggestions.push_back(a->id);
    }
    return out;
  }
  auto picked = policy.chain.back()->pick(in, candidates);
  if (picked.agent == nullptr) {
    return overflow(trail + last.name + ": " + picked.reason);
  }
  out.agent = picked.agent->id;
  out.strategy = last.name;
  out.reason = "policy " + pc.name + ": " + trail + last.name + ": " + picked.reason;
  return out;
}

}  // namespace switchboard::routing
