# bench_autoresponder: auto-responder decisions per second with 100 and 1,000 rules or FAQ entries.
if(TARGET sb_autoresponder_core)
  add_executable(bench_autoresponder ${CMAKE_CURRENT_LIST_DIR}/bench_autoresponder.cpp)
  sb_target_defaults(bench_autoresponder)
  target_link_libraries(bench_autoresponder PRIVATE sb_autoresponder_core benchmark::benchmark)
endif()
