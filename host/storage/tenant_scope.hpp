#pragma once

// The only way tenant-scoped code reaches SQL. Every statement must filter on its table's tenant
// column with the one placeholder ":tenant" (or, for an INSERT, name tenant as its first column),
// and the scope itself binds its tenant there: code holding a TenantScope cannot run a query
// that forgets the tenant filter or names another tenant, because such SQL is refused before it
// reaches the database, and the value bound to :tenant is never the caller's.

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/database.hpp"

namespace switchboard::host::storage {

/// Thrown (and turned into a Permanent error at the boundary) for SQL that is not tenant-scoped.
class UnscopedQuery : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
template <typename T>
struct IsUse : std::false_type {};
template <typename T, typename I>
struct IsUse<soci::details::use_container<T, I>> : std::true_type {};
}  // namespace detail

class TenantScope {
 public:
  TenantScope(Connection& conn, const std::string& tenant) : conn_(conn), tenant_(tenant) {}

  /// A prepared statement with this scope's tenant bound at :tenant and `binds` (soci::use and
  /// soci::into, uses in placeholder order, leaving :tenant out) around it.
  template <typename... Binds>
  soci::statement prepare(const std::string& text, Binds&&... binds) {
    const std::size_t tenantAt = check(text);
    soci::statement st(conn_.sql);
    std::size_t uses = 0;
    bool bound = false;
    auto add = [&](auto&& b) {
      if constexpr (detail::IsUse<std::decay_t<decltype(b)>>::value) {
        if (uses == tenantAt && !bound) {
          st.exchange(soci::use(tenant_));
          bound = true;
          ++uses;
        }
        ++uses;
      }
      st.exchange(b);
    };
    (add(std::forward<Binds>(binds)), ...);
    if (!bound) {
      st.exchange(soci::use(tenant_));
    }
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
    return st;
  }

  /// Runs a statement once; returns the rows it changed.
  template <typename... Binds>
  long long exec(const std::string& text, Binds&&... binds) {
    soci::statement st = prepare(text, std::forward<Binds>(binds)...);
    st.execute(true);
    return st.get_affected_rows();
  }

  /// Runs a query for at most one row; true when it found one.
  template <typename... Binds>
  bool queryOne(const std::string& text, Binds&&... binds) {
    soci::statement st = prepare(text, std::forward<Binds>(binds)...);
    return st.execute(true);
  }

  /// A statement built at run time (optional filters): string `args` bound in placeholder order
  /// around :tenant; `intos` adds the output columns.
  template <typename Intos>
  soci::statement prepareDynamic(const std::string& text, const std::vector<std::string>& args, Intos&& intos) {
    const std::size_t tenantAt = check(text);
    soci::statement st(conn_.sql);
    intos(st);
    for (std::size_t i = 0; i <= args.size(); ++i) {
      if (i == tenantAt) {
        st.exchange(soci::use(tenant_));
      }
      if (i < args.size()) {
        st.exchange(soci::use(args[i]));
      }
    }
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
    return st;
  }

  const std::string& tenant() const { return tenant_; }
  Dialect dialect() const { return conn_.dialect; }

  /// Checks that the SQL is tenant-scoped; returns the position of :tenant among its placeholders.
  static std::size_t check(const std::string& text);

 private:
  Connection& conn_;
  const std::string tenant_;
};

}  // namespace switchboard::host::storage
