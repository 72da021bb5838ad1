// Contact segments for campaigns (SDK 1.3). SQL narrows the contacts (opt-in, last activity, and a
// substring test on the JSON text of tags and fields); each candidate is then read and checked
// exactly here, because LIKE is case-insensitive on SQLite and a substring of JSON text can match
// more than the tag it was built from. Paging is by contact id, so a page may come back short of
// the limit after that check: callers page on with `next` until it is empty.

#include <nlohmann/json.hpp>

#include <algorithm>

#include "storage/tenant_storage.hpp"

namespace switchboard::host::storage {
namespace {

constexpr int kMaxPage = 1000;

// LIKE pattern that matches `needle` anywhere, with LIKE's own wildcards escaped by '!'.
std::string containsPattern(const std::string& needle) {
  std::string out = "%";
  for (char c : needle) {
    if (c == '%' || c == '_' || c == '!') {
      out += '!';
    }
    out += c;
  }
  return out + "%";
}

std::string quotedJson(const std::string& s) { return nlohmann::json(s).dump(); }

bool hasTag(const sdk::Contact& c, const std::string& tag) {
  return std::find(c.tags.begin(), c.tags.end(), tag) != c.tags.end();
}

bool matches(const sdk::Contact& c, const sdk::ContactSegment& seg) {
  if (seg.optedInOnly && !c.optedIn) {
    return false;
  }
  for (const auto& t : seg.allTags) {
    if (!hasTag(c, t)) {
      return false;
    }
  }
  if (!seg.anyTags.empty() &&
      std::none_of(seg.anyTags.begin(), seg.anyTags.end(), [&](const std::string& t) { return hasTag(c, t); })) {
    return false;
  }
  for (const auto& t : seg.noneTags) {
    if (hasTag(c, t)) {
      return false;
    }
  }
  for (const auto& [k, v] : seg.fields) {
    auto it = c.fields.find(k);
    if (it == c.fields.end() || it->second != v) {
      return false;
    }
  }
  return true;
}

}  // namespace

sdk::Result<sdk::ContactSegmentPage> SqlTenantStorage::listContactsBySegment(const sdk::ContactSegment& segment,
                                                                             const sdk::ContactId& after, int limit) {
  if (limit <= 0 || limit > kMaxPage) {
    return sdk::Error::permanent("contacts.bad_limit",
                                 "listContactsBySegment: limit must be 1.." + std::to_string(kMaxPage));
  }
  using Out = sdk::ContactSegmentPage;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    std::string sql = "SELECT c.id FROM contacts c WHERE c.tenant = :tenant AND c.id > :after";
    std::vector<std::string> args{after};
    if (segment.optedInOnly) {
      sql += " AND c.opted_in = 1";
    }
    for (const auto& t : segment.allTags) {
      sql += " AND c.tags LIKE :t" + std::to_string(args.size()) + " ESCAPE '!'";
      args.push_back(containsPattern(quotedJson(t)));
    }
    for (const auto& [k, v] : segment.fields) {
      sql += " AND c.fields LIKE :f" + std::to_string(args.size()) + " ESCAPE '!'";
      args.push_back(containsPattern(quotedJson(k) + ":" + quotedJson(v)));
    }
    // Last activity: the newest message of any conversation with the contact. Bounds are integers
    // we format ourselves, so they are written into the text rather than bound.
    const std::string lastActivity =
        "(SELECT MAX(v.last_message_at) FROM conversations v WHERE v.tenant = c.tenant AND v.contact_id = c.id)";
    if (segment.activeSince) {
      sql += " AND " + lastActivity + " >= " + std::to_string(*segment.activeSince);
    }
    if (segment.inactiveSince) {
      sql += " AND COALESCE(" + lastActivity + ", 0) < " + std::to_string(*segment.inactiveSince);
    }
    sql += " ORDER BY c.id LIMIT " + std::to_string(limit);

    std::vector<std::string> ids;
    std::string id;
    soci::statement st = s.prepareDynamic(sql, args, [&](soci::statement& q) { q.exchange(soci::into(id)); });
    if (st.execute(true)) {
      do {
        ids.push_back(id);
      } while (st.fetch());
    }
    Out page;
    for (const auto& candidate : ids) {
      auto contact = readContact(s, candidate);
      if (contact && matches(*contact, segment)) {
        page.contacts.push_back(std::move(*contact));
      }
    }
    // A full page of candidates means more may follow; a short one means the segment is done.
    if (static_cast<int>(ids.size()) == limit) {
      page.next = ids.back();
    }
    return page;
  });
}

}  // namespace switchboard::host::storage
