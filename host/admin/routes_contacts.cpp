// Contacts: search, create, read (with notes), update, delete, notes, CSV export and import. Creations,
// changes and notes are announced as contact.* events.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "admin/admin_queries.hpp"
#include "admin/api_routes.hpp"
#include "admin/json_codec.hpp"
#include "admin/json_fields.hpp"

namespace switchboard::admin {
namespace {

// Contact changes are announced as events (the CRM sync mirrors them; Kafka `events` carries them):
// subject = the contact id, attributes phone, name, origin "admin" and what the type needs.
void announce(Call& call, const std::string& type, const sdk::Contact& c, std::map<std::string, std::string> attrs) {
  sdk::Event e;
  e.type = type;
  e.tenant = call.tenant;
  e.subject = c.id;
  e.attributes = std::move(attrs);
  e.attributes["phone"] = c.phone;
  e.attributes["name"] = c.name;
  e.attributes["origin"] = "admin";
  e.timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (auto* sink = call.services().announcer) {
    sink->event(e);
  } else if (auto* bus = call.services().events) {
    bus->publish(e);
  }
}

// The fields an update changed, comma-separated (the `changed` attribute of contact.updated).
std::string changedFields(const sdk::Contact& before, const sdk::Contact& after) {
  std::vector<std::string> out;
  auto note = [&out](bool differs, const char* name) {
    if (differs) {
      out.emplace_back(name);
    }
  };
  note(before.phone != after.phone, "phone");
  note(before.jid != after.jid, "jid");
  note(before.name != after.name, "name");
  note(before.language != after.language, "language");
  note(before.vip != after.vip, "vip");
  note(before.optedIn != after.optedIn, "opted_in");
  note(before.tags != after.tags, "tags");
  note(before.fields != after.fields, "fields");
  std::string joined;
  for (const auto& f : out) {
    joined += (joined.empty() ? "" : ",") + f;
  }
  return joined;
}

http::Response list(Call& call) {
  auto limit = call.queryInt("limit", 50, 1, 500);
  auto offset = call.queryInt("offset", 0, 0, 1000000);
  if (!limit) {
    return errorResponse(limit.error());
  }
  if (!offset) {
    return errorResponse(offset.error());
  }
  auto found = call.storage()->searchContacts(call.request.queryValue("q").value_or(""), *limit, *offset);
  if (!found) {
    return errorResponse(found.error());
  }
  json items = json::array();
  for (const auto& c : found.value()) {
    items.push_back(toJson(c));
  }
  json page = {{"items", items}};
  page["next_offset"] = static_cast<int>(found->size()) == *limit ? json(*offset + *limit) : json(nullptr);
  return http::Response::json(200, page);
}

http::Response create(Call& call) {
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  sdk::Contact c;
  c.tenant = call.tenant;
  if (auto s = readContact(*body, c); !s) {
    return errorResponse(s.error());
  }
  if (c.phone.empty() && c.jid.empty()) {
    return http::Response::error(400, "invalid", "a contact needs \"phone\" or \"jid\"");
  }
  if (!c.phone.empty()) {
    auto existing = call.storage()->findContactByPhone(c.phone);
    if (!existing) {
      return errorResponse(existing.error());
    }
    if (existing.value()) {
      return http::Response::error(409, "contact.exists",
                                   "contact \"" + existing.value()->id + "\" has this phone number; PUT changes it");
    }
  }
  auto stored = call.storage()->upsertContact(c);
  if (!stored) {
    return errorResponse(stored.error());
  }
  call.subject = stored->id;
  announce(call, "contact.created", stored.value(), {});
  return http::Response::json(201, toJson(stored.value()));
}

http::Response get(Call& call) {
  const auto& id = call.request.param("id");
  auto c = call.storage()->getContact(id);
  if (!c) {
    return errorResponse(c.error());
  }
  if (!c.value()) {
    return notFound("contact \"" + id + "\"");
  }
  json j = toJson(*c.value());
  json notes = json::array();
  if (auto n = AdminQueries(call.storage()).contactNotes(id, 100)) {
    for (const auto& note : n.value()) {
      notes.push_back({{"id", note.id}, {"author", note.author}, {"text", note.text}, {"created_at", note.createdAt}});
    }
  }
  j["notes"] = notes;
  return http::Response::json(200, j);
}

http::Response update(Call& call) {
  const auto& id = call.request.param("id");
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  auto existing = call.storage()->getContact(id);
  if (!existing) {
    return errorResponse(existing.error());
  }
  if (!existing.value()) {
    return notFound("contact \"" + id + "\"");
  }
  if (body->is_object() && body->contains("id") && (*body)["id"] != id) {
    return http::Response::error(400, "invalid", "\"id\" in the body differs from the path");
  }
  sdk::Contact c = *existing.value();
  if (auto s = readContact(*body, c); !s) {
    return errorResponse(s.error());
  }
  auto stored = call.storage()->upsertContact(c);
  if (!stored) {
    return errorResponse(stored.error());
  }
  if (auto changed = changedFields(*existing.value(), stored.value()); !changed.empty()) {
    announce(call, "contact.updated", stored.value(), {{"changed", changed}});
    if (existing.value()->tags != stored->tags) {
      std::string tags;
      for (const auto& t : stored->tags) {
        tags += (tags.empty() ? "" : ",") + t;
      }
      announce(call, "contact.tags", stored.value(), {{"tags", tags}});
    }
  }
  return http::Response::json(200, toJson(stored.value()));
}

http::Response remove(Call& call) {
  const auto& id = call.request.param("id");
  auto removed = AdminQueries(call.storage()).deleteContact(id);
  if (!removed) {
    return errorResponse(removed.error());
  }
  if (!removed.value()) {
    return notFound("contact \"" + id + "\"");
  }
  return http::Response::noContent();
}

http::Response addNote(Call& call) {
  const auto& id = call.request.param("id");
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"text"});
  auto text = f.string("text", true, 16 * 1024);
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  auto c = call.storage()->getContact(id);
  if (!c) {
    return errorResponse(c.error());
  }
  if (!c.value()) {
    return notFound("contact \"" + id + "\"");
  }
  if (auto s = call.storage()->addContactNote(id, call.who.name, *text); !s) {
    return errorResponse(s.error());
  }
  announce(call, "contact.note", *c.value(), {{"note", *text}, {"author", call.who.name}});
  return http::Response::json(201, {{"contact", id}, {"author", call.who.name}, {"text", *text}});
}

http::Response exportCsv(Call& call) {
  auto csv = call.services().store->exportContactsCsv(call.tenant);
  if (!csv) {
    return errorResponse(csv.error());
  }
  auto r = http::Response::text(200, std::move(csv).value(), "text/csv; charset=utf-8");
  r.headers["Content-Disposition"] = "attachment; filename=\"contacts-" + call.tenant + ".csv\"";
  return r;
}

http::Response importCsv(Call& call) {
  auto type = call.request.header("Content-Type");
  if (type.rfind("text/csv", 0) != 0) {
    return http::Response::error(415, "unsupported_media_type", "send the file as Content-Type: text/csv");
  }
  auto report = call.services().store->importContactsCsv(call.tenant, call.request.body);
  if (!report) {
    return errorResponse(report.error());
  }
  json errors = json::array();
  for (const auto& e : report->errors) {
    errors.push_back({{"line", e.line}, {"message", e.message}});
  }
  call.detail = "created=" + std::to_string(report->created) + " updated=" + std::to_string(report->updated) +
                " errors=" + std::to_string(report->errors.size());
  return http::Response::json(200, {{"created", report->created}, {"updated", report->updated}, {"errors", errors}});
}

}  // namespace

void addContactRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/contacts", Access::Read, "", list);
  routes.add("POST", "/v1/contacts", Access::Operate, "contact.create", create);
  routes.add("GET", "/v1/contacts/export", Access::Read, "", exportCsv);
  routes.add("POST", "/v1/contacts/import", Access::Operate, "contact.import", importCsv);
  routes.add("GET", "/v1/contacts/{id}", Access::Read, "", get);
  routes.add("PUT", "/v1/contacts/{id}", Access::Operate, "contact.update", update);
  routes.add("DELETE", "/v1/contacts/{id}", Access::Operate, "contact.delete", remove);
  routes.add("POST", "/v1/contacts/{id}/notes", Access::Operate, "contact.note", addNote);
}

}  // namespace switchboard::admin
