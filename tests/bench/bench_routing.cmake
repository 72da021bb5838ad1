# bench_routing: routing decisions per second with 200 agents, and with 1,000 agents holding
# 100,000 open conversations, for several strategy chains (the plugins/routing engine).
add_executable(bench_routing ${CMAKE_CURRENT_LIST_DIR}/bench_routing.cpp)
sb_target_defaults(bench_routing)
target_link_libraries(bench_routing PRIVATE switchboard_routing_core benchmark::benchmark)
