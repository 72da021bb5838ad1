// Duplicate detection on normalised phone numbers, and the merge of two contacts.

#include <algorithm>

#include "common/clock.hpp"
#include "storage/codec.hpp"
#include "storage/sql_store.hpp"
#include "storage/tenant_storage.hpp"

namespace switchboard::host::storage {

sdk::Result<std::vector<std::vector<sdk::ContactId>>> SqlStore::findDuplicateContacts(const sdk::TenantId& tenant) {
  using Out = std::vector<std::vector<sdk::ContactId>>;
  return db().run<Out>([&](Connection& c) -> sdk::Result<Out> {
    TenantScope s(c, tenant);
    Out out;
    std::string phone, id;
    // Phones are stored normalised (upsertContact, CSV import, inbound), so equal strings are
    // equal numbers.
    soci::statement st = s.prepare("SELECT phone, id FROM contacts WHERE tenant = :tenant AND phone <> '' AND phone IN"
                                   " (SELECT phone FROM contacts WHERE tenant = :t2 AND phone <> '' GROUP BY phone"
                                   " HAVING COUNT(*) > 1) ORDER BY phone, created_at, id",
                                   soci::use(tenant), soci::into(phone), soci::into(id));
    std::string last;
    if (st.execute(true)) {
      do {
        if (out.empty() || phone != last) {
          out.emplace_back();
          last = phone;
        }
        out.back().push_back(id);
      } while (st.fetch());
    }
    return out;
  });
}

sdk::Result<sdk::Contact> SqlStore::mergeContacts(const sdk::TenantId& tenant, const sdk::ContactId& keep,
                                                  const sdk::ContactId& drop) {
  if (keep == drop) {
    return sdk::Error::permanent("contacts.merge_self", "cannot merge contact \"" + keep + "\" into itself");
  }
  return db().transact<sdk::Contact>([&](Connection& c) -> sdk::Result<sdk::Contact> {
    TenantScope s(c, tenant);
    auto a = readContact(s, keep);
    auto b = readContact(s, drop);
    if (!a || !b) {
      return sdk::Error::permanent("storage.not_found",
                                   "no contact \"" + (!a ? keep : drop) + "\" in tenant \"" + tenant + "\"");
    }
    sdk::Contact merged = *a;
    auto fill = [](std::string& into, const std::string& from) {
      if (into.empty()) {
        into = from;
      }
    };
    fill(merged.phone, b->phone);
    fill(merged.jid, b->jid);
    fill(merged.lid, b->lid);
    fill(merged.name, b->name);
    fill(merged.language, b->language);
    merged.vip = a->vip || b->vip;
    merged.optedIn = a->optedIn || b->optedIn;
    for (const auto& t : b->tags) {
      if (std::find(merged.tags.begin(), merged.tags.end(), t) == merged.tags.end()) {
        merged.tags.push_back(t);
      }
    }
    for (const auto& [k, v] : b->fields) {
      merged.fields.emplace(k, v);  // keep's value wins
    }
    merged.createdAt = std::min(a->createdAt, b->createdAt);
    s.exec("UPDATE conversations SET contact_id = :k WHERE tenant = :tenant AND contact_id = :d", soci::use(keep),
           soci::use(drop));
    s.exec("UPDATE contact_notes SET contact_id = :k WHERE tenant = :tenant AND contact_id = :d", soci::use(keep),
           soci::use(drop));
    s.exec("DELETE FROM contacts WHERE tenant = :tenant AND id = :d", soci::use(drop));
    SB_TRY(writeContact(s, merged, nullptr));
    auto stored = readContact(s, keep);
    if (!stored) {
      return sdk::Error::permanent("storage.not_found", "contact \"" + keep + "\" vanished during the merge");
    }
    return *stored;
  });
}

}  // namespace switchboard::host::storage
