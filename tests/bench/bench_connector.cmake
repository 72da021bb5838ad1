# bench_connector: inbound messages/s (simulator -> connector -> SQLite -> Kafka) and memory per idle
# connected account for N accounts run by the WhatsApp connector, beside Baileys on the same simulator
# (tests/node/bench/baileys-load.mjs). Needs switchboard-wasim (run in its own process).
if(TARGET sb_wa_connector AND TARGET switchboard-wasim)
  add_executable(bench_connector ${CMAKE_CURRENT_LIST_DIR}/bench_connector.cpp ${CMAKE_CURRENT_LIST_DIR}/wasim_process.cpp)
  sb_target_defaults(bench_connector)
  target_include_directories(bench_connector PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(bench_connector PRIVATE sb_wa_connector sb_pipeline sb_storage sb_plugin sb_config sb_kafka
                                                nlohmann_json::nlohmann_json)
  target_compile_options(bench_connector PRIVATE -Wno-null-dereference)
  add_dependencies(bench_connector switchboard-wasim)
endif()
