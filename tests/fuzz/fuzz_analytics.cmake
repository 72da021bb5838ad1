# fuzz_analytics: the analytics parsers of network input: a customer's survey answer (message
# text) and the admin API's range parameters (dates, milliseconds, time zone names).
find_package(date REQUIRED)
sb_add_fuzzer(fuzz_analytics ${CMAKE_CURRENT_LIST_DIR}/fuzz_analytics.cpp
              ${PROJECT_SOURCE_DIR}/plugins/analytics/survey_answer.cpp
              ${PROJECT_SOURCE_DIR}/host/storage/analytics_zone.cpp)
target_include_directories(fuzz_analytics PRIVATE ${PROJECT_SOURCE_DIR}/plugins/analytics ${PROJECT_SOURCE_DIR}/host)
target_link_libraries(fuzz_analytics PRIVATE switchboard::sdk date::date-tz)
