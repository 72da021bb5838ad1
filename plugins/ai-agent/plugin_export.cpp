// The one exported entry point of switchboard-ai-agent.so.

#include "ai_agent_plugin.hpp"
#include "switchboard/sdk/abi.hpp"

SWITCHBOARD_PLUGIN(switchboard::aiagent::AiAgentPlugin, "ai-agent", "1.0.0")
