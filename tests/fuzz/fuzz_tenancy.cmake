# fuzz_tenant_control: tenant.* records on the `control` topic come from any Kafka client; their
# parser must refuse whatever it does not understand without crashing.
find_package(nlohmann_json REQUIRED)
sb_add_fuzzer(fuzz_tenant_control ${CMAKE_CURRENT_LIST_DIR}/fuzz_tenant_control.cpp
              ${PROJECT_SOURCE_DIR}/host/kafka/tenant_control.cpp)
target_include_directories(fuzz_tenant_control PRIVATE ${PROJECT_SOURCE_DIR}/host)
target_link_libraries(fuzz_tenant_control PRIVATE switchboard::sdk nlohmann_json::nlohmann_json)
