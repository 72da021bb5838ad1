# fuzz_ai_agent: what the AI agents read from the network (model server answers and the tool calls
# in them, appointment times, Retry-After) and from the admin route (agent definitions), and the
# lexicon classifier on customer text.
if(TARGET sb_ai_agent_core)
  target_compile_options(sb_ai_agent_core PRIVATE ${SB_FUZZ_FLAGS})
  sb_add_fuzzer(fuzz_ai_agent ${CMAKE_CURRENT_LIST_DIR}/fuzz_ai_agent.cpp)
  target_link_libraries(fuzz_ai_agent PRIVATE sb_ai_agent_core)
endif()
