# bench_wasim: companion devices held and messages relayed per second by the WhatsApp simulator.
add_executable(bench_wasim bench_wasim.cpp)
sb_target_defaults(bench_wasim)
target_link_libraries(bench_wasim PRIVATE switchboard::wasim)
# Boost.Asio trips -Wnull-dereference in its own headers when optimised (see the protocol library).
target_compile_options(bench_wasim PRIVATE -Wno-null-dereference)
