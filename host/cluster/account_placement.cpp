#include "cluster/account_placement.hpp"

#include <charconv>

#include "common/clock.hpp"

namespace switchboard::host::cluster {

sdk::Result<Placements> loadPlacements(storage::Database& db) {
  return db.run<Placements>([](storage::Connection& c) -> sdk::Result<Placements> {
    Placements out;
    std::string account;
    int partition = 0;
    soci::statement st = (c.sql.prepare << "SELECT account, partition_id FROM cluster_placements",
                          soci::into(account), soci::into(partition));
    if (st.execute(true)) {
      do {
        out[account] = partition;
      } while (st.fetch());
    }
    return out;
  });
}

sdk::Status setPlacement(storage::Database& db, const std::string& account, int partition,
                         const std::string& target) {
  auto r = db.transact<bool>([&](storage::Connection& c) -> sdk::Result<bool> {
    const long long now = nowMs();
    c.sql << "DELETE FROM cluster_placements WHERE account = :a", soci::use(account);
    c.sql << "INSERT INTO cluster_placements (account, partition_id, target, updated_at) VALUES (:a, :p, :t, :u)",
        soci::use(account), soci::use(partition), soci::use(target), soci::use(now);
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

sdk::Status forgetPlacement(storage::Database& db, const std::string& account) {
  auto r = db.transact<bool>([&](storage::Connection& c) -> sdk::Result<bool> {
    c.sql << "DELETE FROM cluster_placements WHERE account = :a", soci::use(account);
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

sdk::Status recordMember(storage::Database& db, const std::string& instance, const std::set<int>& partitions) {
  std::string list;
  for (int p : partitions) {
    list += (list.empty() ? "" : ",") + std::to_string(p);
  }
  auto r = db.transact<bool>([&](storage::Connection& c) -> sdk::Result<bool> {
    const long long now = nowMs();
    c.sql << "DELETE FROM cluster_members WHERE instance = :i", soci::use(instance);
    c.sql << "INSERT INTO cluster_members (instance, partitions, updated_at) VALUES (:i, :p, :u)", soci::use(instance),
        soci::use(list), soci::use(now);
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

sdk::Result<std::set<int>> memberPartitions(storage::Database& db, const std::string& instance) {
  auto list = db.run<std::string>([&](storage::Connection& c) -> sdk::Result<std::string> {
    std::string s;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT partitions FROM cluster_members WHERE instance = :i", soci::use(instance), soci::into(s, ind);
    return c.sql.got_data() && ind == soci::i_ok ? s : std::string();
  });
  SB_TRY(list);
  std::set<int> out;
  std::string_view rest = list.value();
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    int p = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), p);
    if (ec != std::errc() || end != item.data() + item.size()) {
      return sdk::Error::permanent("cluster.bad_member", "cluster_members row of " + instance +
                                                             " holds an unreadable partition list: " + list.value());
    }
    out.insert(p);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

}  // namespace switchboard::host::cluster
