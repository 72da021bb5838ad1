# fuzz_crm_webhook: the CRM sync's parsers of network input (webhook bodies and signatures, upsert
# answers, Retry-After).
if(TARGET sb_crm_core)
  target_compile_options(sb_crm_core PRIVATE ${SB_FUZZ_FLAGS})
  sb_add_fuzzer(fuzz_crm_webhook ${CMAKE_CURRENT_LIST_DIR}/fuzz_crm_webhook.cpp)
  target_link_libraries(fuzz_crm_webhook PRIVATE sb_crm_core)
endif()
