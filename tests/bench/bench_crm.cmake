# bench_crm: CRM deliveries per second, from bus events through the outbox to a fake CRM over TLS.
if(TARGET sb_crm_core)
  add_executable(bench_crm ${CMAKE_CURRENT_LIST_DIR}/bench_crm.cpp ${CMAKE_CURRENT_LIST_DIR}/../crm/fake_crm.cpp)
  sb_target_defaults(bench_crm)
  target_include_directories(bench_crm PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../crm)
  target_link_libraries(bench_crm PRIVATE sb_crm_core sb_plugin sb_pipeline sb_storage sb_config sb_http yaml-cpp)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/bench_crm.cpp ${CMAKE_CURRENT_LIST_DIR}/../crm/fake_crm.cpp
                              TARGET_DIRECTORY bench_crm PROPERTIES COMPILE_OPTIONS -Wno-null-dereference)
endif()
