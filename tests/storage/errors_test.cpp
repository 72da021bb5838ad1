// Database errors become classified sdk::Errors at the boundary, on both backends.

#include "storage/database.hpp"
#include "storage/fast_statement.hpp"
#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

TEST_P(StorageTest, ConstraintViolationIsPermanentAndRollsBack) {
  ASSERT_TRUE(open());
  auto db = storage::Database::open({url_, 1});
  ASSERT_TRUE(db.ok()) << db.error().describe();
  struct Insert final : storage::PreparedBase {
    std::string id, name = "n";
    long long at = 0;
    storage::FastStatement st;
    explicit Insert(storage::Connection& c)
        : st(c, "INSERT INTO tenants (id, name, created_at) VALUES (:i, :n, :c)", {&id, &name, &at}) {}
  };
  auto twice = (*db)->transact<bool>([](storage::Connection& c) -> sdk::Result<bool> {
    auto& ins = c.get<Insert>();
    ins.id = "dup-tenant";
    ins.st.execute();
    ins.st.execute();  // same primary key
    return true;
  });
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, "storage.constraint") << twice.error().describe();
  EXPECT_EQ(twice.error().cls, sdk::ErrorClass::Permanent);
  // Rolled back, and the connection is usable again.
  auto count = (*db)->run<long long>([](storage::Connection& c) -> sdk::Result<long long> {
    long long n = -1;
    c.sql << "SELECT COUNT(*) FROM tenants WHERE id = 'dup-tenant'", soci::into(n);
    return n;
  });
  ASSERT_TRUE(count.ok()) << count.error().describe();
  EXPECT_EQ(*count, 0);
}

}  // namespace
}  // namespace switchboard::host::test
