# bench_analytics: the analytics queries on a populated store (SQLite and PostgreSQL).
add_executable(bench_analytics ${CMAKE_CURRENT_LIST_DIR}/bench_analytics.cpp)
sb_target_defaults(bench_analytics)
target_link_libraries(bench_analytics PRIVATE sb_storage sb_test_support)
