#include "config_schema.hpp"

#include <chrono>

#include "routing_config.hpp"

namespace switchboard::routing {

namespace sb = ::switchboard::sdk;
namespace field = ::switchboard::sdk::field;
using namespace std::chrono_literals;

namespace {

// A key with no default: absent stays null, so parseRoutingConfig can tell "not given" from
// "given with the default value" and refuse an option set on a strategy it does not belong to.
sb::ConfigField unset(field::Builder b) {
  b.f.defaultValue.reset();
  return b;
}

sb::ConfigSchema stepSchema() {
  return {{
      field::string("strategy", "Strategy of this step").required().oneOf(strategyNames()),
      unset(field::string("on_empty", "When this step leaves nobody: skip it, or queue the conversation")
                .oneOf({"skip", "queue"})),
      unset(field::string("match", "skills: an agent needs any or all of the detected skills").oneOf({"any", "all"})),
      unset(field::stringList("sources", "skills: where required skills come from (keywords, language, tags)")),
      unset(field::real("response_time_weight",
                        "least_busy: open conversations added per minute of the agent's average response time", 0)
                .range(0, 1000)),
      unset(field::stringList("vip_agents", "priority: agents who take urgent conversations")),
      unset(field::stringList("priority_keywords", "priority: words that make a conversation urgent")),
      unset(field::integer("min_priority", "priority: conversation priority from which it is urgent", 1)
                .range(-1000000, 1000000)),
      unset(field::boolean("reserve_vip_agents", "priority: keep vip_agents for urgent conversations", false)),
      unset(field::integer("min_minutes_left", "shift: minutes an agent must still have on shift", 0)
                .range(0, 24 * 60)),
      unset(field::integer("top", "learned: candidates kept when narrowing", 3).range(1, 1000)),
      unset(field::real("min_confidence", "learned: least probability to keep a candidate", 0).range(0, 1)),
  }};
}

sb::ConfigSchema policySchema(bool named) {
  sb::ConfigSchema s{{
      field::objectList("chain", "Strategies in order: each narrows the candidates, the last picks", stepSchema()),
      field::stringList("accounts", "Accounts whose conversations this policy takes (empty: all)"),
      field::stringList("tags", "Conversation or contact tags this policy takes (empty: any)"),
      field::string("team", "Only agents of this department (empty: every agent)", std::string()),
      field::boolean("respect_shifts", "Only agents on shift are candidates", true),
      field::boolean("sticky", "A returning contact goes back to their last agent when eligible", false),
      field::string("time_zone", "IANA time zone for agents without one (empty: default_time_zone)", std::string()),
      field::stringList("holidays", "Dates (YYYY-MM-DD) nobody of this policy works, in each agent's zone"),
      field::object("overflow", "When nobody can take the conversation",
                    {{
                        field::string("fallback_policy", "Policy tried next (empty: none)", std::string()),
                        field::string("message", "Sent to the customer when queued; {position} is replaced",
                                      std::string()),
                    }}),
  }};
  if (named) {
    s.fields.insert(s.fields.begin(), field::string("name", "Policy name").required());
  }
  return s;
}

}  // namespace

sb::ConfigSchema routingSchema() {
  return {{
      field::object("default", "Policy for conversations no other policy takes", policySchema(false)),
      field::objectList("policies", "Per-account or per-team policies; the first that matches is used",
                        policySchema(true)),
      field::objectList("skills", "Skills and how a conversation's need for them is detected",
                        {{
                            field::string("name", "Skill, as agents list it").required(),
                            field::stringList("keywords", "Words or phrases in the customer's message"),
                            field::stringList("tags", "Contact or conversation tags"),
                        }}),
      field::stringList("holidays", "Dates (YYYY-MM-DD) nobody works, in each agent's time zone"),
      field::objectList("agent_holidays", "Days off of individual agents",
                        {{
                            field::string("agent", "Agent id").required(),
                            field::stringList("dates", "Dates (YYYY-MM-DD) in the agent's time zone"),
                        }}),
      field::string("default_time_zone", "IANA time zone of agents who have none", std::string("UTC")),
      field::object("learning", "The learned strategy's classifier",
                    {{
                        field::boolean("enabled", "Train on a schedule (needed by the learned strategy)", false),
                        field::duration("retrain_every", "Time between trainings", 1h).range(1000, 7 * 86400000.0),
                        field::integer("history_days", "Conversations of the last N days", 90).range(1, 3650),
                        field::integer("max_conversations", "Newest conversations used", 5000).range(10, 1000000),
                        field::integer("messages_per_conversation", "Customer messages read from each", 3)
                            .range(1, 50),
                        field::real("holdout", "Share kept out of training to measure accuracy", 0.2)
                            .range(0.05, 0.5),
                        field::integer("min_examples", "Fewer conversations than this: no model", 20)
                            .range(2, 1000000),
                        field::string("train_on", "Which conversations teach it", std::string("closed"))
                            .oneOf({"closed", "assigned"}),
                    }}),
      field::object("response_times", "Agents' average response times (least_busy's weight)",
                    {{
                        field::duration("refresh_every", "Time between recomputations", 5min)
                            .range(1000, 86400000.0),
                        field::integer("window_days", "Conversations of the last N days", 14).range(1, 365),
                    }}),
      field::duration("drain_every", "How often queued conversations are offered again", 30s)
          .range(100, 3600000.0),
      field::integer("seed", "Random strategy seed (0: unpredictable)", 0).range(0, 9.0e15),
      field::integer("claim_attempts", "Agents tried when a claim loses a capacity race", 3).range(1, 20),
  }};
}

}  // namespace switchboard::routing
