# fuzz_cluster_control: records on the `control` topic (scale-out commands) come from any Kafka
# client; their parser must refuse whatever it does not understand without crashing.
find_package(nlohmann_json REQUIRED)
sb_add_fuzzer(fuzz_cluster_control ${CMAKE_CURRENT_LIST_DIR}/fuzz_cluster_control.cpp
              ${PROJECT_SOURCE_DIR}/host/cluster/control_command.cpp
              ${PROJECT_SOURCE_DIR}/host/cluster/account_partition.cpp)
target_include_directories(fuzz_cluster_control PRIVATE ${PROJECT_SOURCE_DIR}/host)
target_link_libraries(fuzz_cluster_control PRIVATE switchboard::sdk nlohmann_json::nlohmann_json)
