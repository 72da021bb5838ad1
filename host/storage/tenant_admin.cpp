// A tenant's end: everything the database holds for it exported (one JSON-lines file per table,
// contacts also as CSV), then deleted in one transaction, then its media files removed. Tables
// come from the schema (SqlTenancy::tenantTables), so the export and the purge cover tables added
// by any later migration that keys its rows by tenant or by account.

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "storage/tenancy_sql.hpp"

namespace switchboard::host::storage {

namespace {

using json = nlohmann::json;

bool isBinary(const std::string& type) {
  std::string t;
  for (char ch : type) {
    t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return t == "blob" || t == "bytea";
}

bool isInteger(const std::string& type) {
  std::string t;
  for (char ch : type) {
    t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return t.find("int") != std::string::npos;
}

// Every column read as text: integers come back as numbers in the JSON below, binary columns as
// lower-case hex (the same on both backends), NULL as null.
std::string selectList(const TenantTable& t, Dialect d) {
  std::string out;
  for (const auto& [name, type] : t.columns) {
    if (!out.empty()) {
      out += ", ";
    }
    if (isBinary(type)) {
      out += d == Dialect::Sqlite ? "lower(hex(" + name + "))" : "encode(" + name + ", 'hex')";
    } else {
      out += "CAST(" + name + " AS TEXT)";
    }
  }
  return out;
}

json cell(const std::string& value, soci::indicator ind, const std::string& type) {
  if (ind == soci::i_null) {
    return nullptr;
  }
  if (isInteger(type)) {
    try {
      std::size_t used = 0;
      long long n = std::stoll(value, &used);
      if (used == value.size()) {
        return n;
      }
    } catch (const std::exception&) {
      // not a number after all (SQLite's loose typing): kept as text below
    }
  }
  return value;
}

// The media files a tenant's messages refer to (messages.extra's media.ref).
std::vector<std::string> mediaRefs(Connection& c, const std::string& tenant) {
  std::vector<std::string> out;
  std::string extra;
  soci::statement st = (c.sql.prepare << "SELECT extra FROM messages WHERE tenant = :t AND extra <> ''",
                        soci::use(tenant), soci::into(extra));
  st.execute();
  while (st.fetch()) {
    auto j = json::parse(extra, nullptr, false);
    if (j.is_object() && j.contains("media") && j["media"].is_object()) {
      auto ref = j["media"].value("ref", std::string());
      if (!ref.empty()) {
        out.push_back(ref);
      }
    }
  }
  return out;
}

}  // namespace

sdk::Result<TenantExportReport> SqlTenancy::exportTenant(const std::string& id, const std::string& directory) {
  auto tenant = get(id);
  SB_TRY(tenant);
  if (!tenant.value()) {
    return sdk::Error::permanent("tenant.not_found", "no tenant \"" + id + "\"");
  }
  auto tables = tenantTables();
  SB_TRY(tables);
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(directory, ec)) {
    return sdk::Error::permanent("tenant.export_exists", "export directory " + directory + " exists already");
  }
  fs::create_directories(directory, ec);
  if (ec) {
    return sdk::Error::permanent("tenant.export_failed", "cannot create " + directory + ": " + ec.message());
  }
  TenantExportReport report;
  report.directory = directory;
  // One read transaction, so the files are one consistent picture of the tenant.
  auto done = db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    for (const auto& t : tables.value()) {
      std::vector<std::string> values(t.columns.size());
      std::vector<soci::indicator> inds(t.columns.size(), soci::i_ok);
      soci::statement st(c.sql);
      for (std::size_t i = 0; i < values.size(); ++i) {
        st.exchange(soci::into(values[i], inds[i]));
      }
      st.exchange(soci::use(id));
      st.alloc();
      st.prepare("SELECT " + selectList(t, c.dialect) + " FROM " + t.name + " WHERE " + tenantFilter(t));
      st.define_and_bind();
      st.execute();
      const std::string file = t.name + ".jsonl";
      std::ofstream out;
      long long rows = 0;
      while (st.fetch()) {
        if (!out.is_open()) {
          out.open(fs::path(directory) / file, std::ios::binary);
          if (!out) {
            return sdk::Error::permanent("tenant.export_failed", "cannot write " + directory + "/" + file);
          }
        }
        json row = json::object();
        for (std::size_t i = 0; i < values.size(); ++i) {
          row[t.columns[i].first] = cell(values[i], inds[i], t.columns[i].second);
        }
        out << row.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
        ++rows;
      }
      if (rows > 0) {
        out.close();
        if (!out) {
          return sdk::Error::permanent("tenant.export_failed", "cannot write " + directory + "/" + file);
        }
        report.files.push_back(file);
        report.rows[t.name] = rows;
        report.totalRows += rows;
      }
    }
    return true;
  });
  SB_TRY(done);
  // Contacts also as the CSV the contact import reads, for moving them to another tenant.
  auto csv = sql_.exportContactsCsv(id);
  SB_TRY(csv);
  std::ofstream out(fs::path(directory) / "contacts.csv", std::ios::binary);
  out << csv.value();
  out.close();
  if (!out) {
    return sdk::Error::permanent("tenant.export_failed", "cannot write " + directory + "/contacts.csv");
  }
  report.files.push_back("contacts.csv");
  return report;
}

sdk::Result<TenantPurgeReport> SqlTenancy::purge(const std::string& id) {
  if (id == sdk::kDefaultTenant) {
    return sdk::Error::permanent("tenant.protected", "the default tenant cannot be deleted");
  }
  auto tenant = get(id);
  SB_TRY(tenant);
  if (!tenant.value()) {
    return sdk::Error::permanent("tenant.not_found", "no tenant \"" + id + "\"");
  }
  auto tables = tenantTables();
  SB_TRY(tables);
  auto report = db().transact<TenantPurgeReport>([&](Connection& c) -> sdk::Result<TenantPurgeReport> {
    TenantPurgeReport r;
    {
      std::string account;
      soci::statement st = (c.sql.prepare << "SELECT id FROM accounts WHERE tenant = :t ORDER BY id", soci::use(id),
                            soci::into(account));
      st.execute();
      while (st.fetch()) {
        r.accounts.push_back(account);
      }
    }
    r.mediaFiles = mediaRefs(c, id);
    for (const auto& t : tables.value()) {
      soci::statement st = (c.sql.prepare << "DELETE FROM " + t.name + " WHERE " + tenantFilter(t), soci::use(id));
      st.execute(true);
      const long long n = st.get_affected_rows();
      if (n > 0) {
        r.rows[t.name] = n;
        r.totalRows += n;
      }
    }
    return r;
  });
  SB_TRY(report);
  // After the commit, so a failed transaction has lost no file. Media are stored per account,
  // so no other tenant's message names these files.
  std::vector<std::string> removed;
  std::set<std::string> seen;
  for (const auto& path : report->mediaFiles) {
    std::error_code ec;
    if (seen.insert(path).second && std::filesystem::remove(path, ec)) {
      removed.push_back(path);
    }
  }
  report->mediaFiles = std::move(removed);
  return report;
}

}  // namespace switchboard::host::storage
