# fuzz_campaigns: the campaigns plugin's readers of network input (admin route bodies as campaign
# definitions, command ids from results, inbound texts against stop words, message parameters).
if(TARGET sb_campaigns_core)
  target_compile_options(sb_campaigns_core PRIVATE ${SB_FUZZ_FLAGS})
  sb_add_fuzzer(fuzz_campaigns ${CMAKE_CURRENT_LIST_DIR}/fuzz_campaigns.cpp)
  target_link_libraries(fuzz_campaigns PRIVATE sb_campaigns_core)
endif()
