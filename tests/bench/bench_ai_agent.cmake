# bench_ai_agent: the AI agent plugin's own work per customer message, the model's time aside:
# classifying the text, building the request (prompt, memory, tools), reading an answer with a
# tool call and checking its arguments against the tool's schema.
if(TARGET sb_ai_agent_core)
  add_executable(bench_ai_agent ${CMAKE_CURRENT_LIST_DIR}/bench_ai_agent.cpp)
  sb_target_defaults(bench_ai_agent)
  target_link_libraries(bench_ai_agent PRIVATE sb_ai_agent_core benchmark::benchmark)
endif()
