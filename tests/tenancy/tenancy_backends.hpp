#pragma once

// The two storage backends the tenancy suites run on. The PostgreSQL variant shares one throwaway
// server per test process (started on first use, stopped at exit) and gives each case a fresh
// database of its own, so a binary pays for one server start, not one per case.

#include <gtest/gtest.h>

#include <string>

namespace switchboard::tenancytest {

enum class Backend { Sqlite, Postgres };

/// "Sqlite" / "Postgres": the suffix of each parameterised case's name.
std::string backendName(const ::testing::TestParamInfo<Backend>& info);

/// The storage URL of a fresh, empty database on `backend`: a SQLite file in `dir`, or a new
/// database on the shared PostgreSQL server. Fails the test (never skips) when the server cannot
/// start; returns "" then.
std::string freshDatabaseUrl(Backend backend, const std::string& dir);

}  // namespace switchboard::tenancytest

#define SB_TENANCY_BACKENDS(Suite)                                                                              \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                                     \
                           ::testing::Values(::switchboard::tenancytest::Backend::Sqlite,                       \
                                             ::switchboard::tenancytest::Backend::Postgres),                    \
                           ::switchboard::tenancytest::backendName)
