// Contact CSV import (one transaction, a per-row error report) and export.

#include "storage/contact_csv.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "storage/phone_number.hpp"
#include "storage/sql_store.hpp"
#include "storage/tenant_storage.hpp"

namespace switchboard::host::storage {

bool parseCsv(const std::string& text, std::vector<CsvRow>& rows, std::string& error) {
  CsvRow row;
  std::string cell;
  bool quoted = false, any = false;
  int line = 1;
  row.line = 1;
  auto endCell = [&] {
    row.cells.push_back(std::move(cell));
    cell.clear();
  };
  auto endRow = [&] {
    endCell();
    // Blank lines are not rows.
    if (!(row.cells.size() == 1 && row.cells[0].empty())) {
      rows.push_back(std::move(row));
    }
    row = CsvRow{};
    row.line = line;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') {
          ++line;
        }
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty()) {
      quoted = true;
    } else if (c == ',') {
      endCell();
    } else if (c == '\r') {
      continue;
    } else if (c == '\n') {
      ++line;
      endRow();
    } else {
      cell += c;
    }
  }
  if (quoted) {
    error = "line " + std::to_string(row.line) + ": a quoted cell is not closed";
    return false;
  }
  if (any && (!cell.empty() || !row.cells.empty())) {
    endRow();
  }
  return true;
}

std::string csvCell(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) {
    return v;
  }
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  return out + "\"";
}

namespace {

const std::vector<std::string> kColumns = {"id", "phone", "name", "jid", "lid", "language", "vip", "opted_in", "tags"};
constexpr std::string_view kFieldPrefix = "field:";

bool parseBool(const std::string& v, bool& out) {
  std::string s;
  for (char c : v) {
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (s.empty() || s == "0" || s == "false" || s == "no") {
    out = false;
    return true;
  }
  if (s == "1" || s == "true" || s == "yes") {
    out = true;
    return true;
  }
  return false;
}

std::vector<std::string> splitTags(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : v + ";") {
    if (c == ';') {
      auto b = cur.find_first_not_of(' ');
      auto e = cur.find_last_not_of(' ');
      if (b != std::string::npos) {
        out.push_back(cur.substr(b, e - b + 1));
      }
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

}  // namespace

sdk::Result<CsvImportReport> SqlStore::importContactsCsv(const sdk::TenantId& tenant, const std::string& csv) {
  std::vector<CsvRow> rows;
  std::string parseError;
  if (!parseCsv(csv, rows, parseError)) {
    return sdk::Error::permanent("contacts.csv", parseError);
  }
  if (rows.empty()) {
    return sdk::Error::permanent("contacts.csv", "the CSV file is empty (it needs a header line)");
  }
  const auto& header = rows.front().cells;
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    if (std::find(kColumns.begin(), kColumns.end(), h) == kColumns.end() && h.rfind(kFieldPrefix, 0) != 0) {
      return sdk::Error::permanent("contacts.csv", "line 1: unknown column \"" + h + "\" (known: id, phone, name, jid,"
                                                   " lid, language, vip, opted_in, tags, field:<name>)");
    }
    if (!col.emplace(h, i).second) {
      return sdk::Error::permanent("contacts.csv", "line 1: column \"" + h + "\" appears twice");
    }
  }
  if (!col.count("phone") && !col.count("id") && !col.count("jid")) {
    return sdk::Error::permanent("contacts.csv", "line 1: the header needs a phone, id or jid column");
  }
  return db().transact<CsvImportReport>([&](Connection& c) -> sdk::Result<CsvImportReport> {
    TenantScope s(c, tenant);
    CsvImportReport report;
    std::map<std::string, int> seenPhones;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const auto& row = rows[r];
      auto fail = [&](std::string message) { report.errors.push_back({row.line, std::move(message)}); };
      if (row.cells.size() != header.size()) {
        fail("has " + std::to_string(row.cells.size()) + " cells, the header has " + std::to_string(header.size()));
        continue;
      }
      auto get = [&](const std::string& name) -> std::string {
        auto it = col.find(name);
        return it == col.end() ? std::string() : row.cells[it->second];
      };
      sdk::Contact contact;
      contact.tenant = tenant;
      contact.id = get("id");
      contact.name = get("name");
      contact.jid = get("jid");
      contact.lid = get("lid");
      contact.language = get("language");
      contact.tags = splitTags(get("tags"));
      const std::string phone = get("phone");
      if (!phone.empty()) {
        auto normal = normalizePhone(phone);
        if (!normal) {
          fail("phone \"" + phone + "\" is not a phone number in international (E.164) form");
          continue;
        }
        contact.phone = *normal;
        auto [it, fresh] = seenPhones.emplace(contact.phone, row.line);
        if (!fresh) {
          fail("phone \"" + phone + "\" repeats line " + std::to_string(it->second));
          continue;
        }
      }
      if (contact.id.empty() && contact.phone.empty() && contact.jid.empty()) {
        fail("needs a phone, id or jid");
        continue;
      }
      if (!parseBool(get("vip"), contact.vip)) {
        fail("vip \"" + get("vip") + "\" is not true/false");
        continue;
      }
      if (!parseBool(get("opted_in"), contact.optedIn)) {
        fail("opted_in \"" + get("opted_in") + "\" is not true/false");
        continue;
      }
      bool fieldsOk = true;
      for (const auto& [name, index] : col) {
        if (name.rfind(kFieldPrefix, 0) == 0) {
          std::string key = name.substr(kFieldPrefix.size());
          if (key.empty()) {
            fail("a field column needs a name after \"field:\"");
            fieldsOk = false;
            break;
          }
          if (!row.cells[index].empty()) {
            contact.fields[key] = row.cells[index];
          }
        }
      }
      if (!fieldsOk) {
        continue;
      }
      // Existing contacts keep the custom fields the file does not mention.
      if (auto existing = contact.id.empty() ? std::optional<sdk::Contact>() : readContact(s, contact.id)) {
        for (const auto& [k, v] : existing->fields) {
          contact.fields.emplace(k, v);
        }
        contact.createdAt = existing->createdAt;
      }
      bool created = false;
      auto id = writeContact(s, contact, &created);
      if (!id.ok()) {
        fail(id.error().message);
        continue;
      }
      (created ? report.created : report.updated)++;
    }
    return report;
  });
}

sdk::Result<std::string> SqlStore::exportContactsCsv(const sdk::TenantId& tenant) {
  return db().run<std::string>([&](Connection& c) -> sdk::Result<std::string> {
    TenantScope s(c, tenant);
    std::vector<sdk::Contact> all;
    for (int offset = 0;; offset += 1000) {
      auto page = readContacts(s, "", "created_at, id", "", 1000, offset);
      all.insert(all.end(), page.begin(), page.end());
      if (page.size() < 1000) {
        break;
      }
    }
    std::set<std::string> fieldNames;
    for (const auto& ct : all) {
      for (const auto& [k, v] : ct.fields) {
        fieldNames.insert(k);
      }
    }
    std::string out;
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      if (i != 0) {
        out += ',';
      }
      out += kColumns[i];
    }
    // Appends, not operator+ chains: GCC 12 at -O2 warns (-Wrestrict) on "," + std::string&&.
    auto cell = [&out](const std::string& v) {
      out += ',';
      out += csvCell(v);
    };
    for (const auto& f : fieldNames) {
      cell(std::string(kFieldPrefix) + f);
    }
    out += '\n';
    for (const auto& ct : all) {
      std::string tags;
      for (const auto& t : ct.tags) {
        if (!tags.empty()) {
          tags += ';';
        }
        tags += t;
      }
      out += csvCell(ct.id);
      for (const auto* v : {&ct.phone, &ct.name, &ct.jid, &ct.lid, &ct.language}) {
        cell(*v);
      }
      cell(ct.vip ? "true" : "false");
      cell(ct.optedIn ? "true" : "false");
      cell(tags);
      for (const auto& f : fieldNames) {
        auto it = ct.fields.find(f);
        cell(it == ct.fields.end() ? std::string() : it->second);
      }
      out += '\n';
    }
    return out;
  });
}

}  // namespace switchboard::host::storage
