#include "dialect.hpp"

#include "hubspot_dialect.hpp"
#include "rest_dialect.hpp"
#include "signature.hpp"

namespace switchboard::crm {

ItemKind kindOf(const std::string& t) {
  if (t == "contact.note" || t == "conversation.note") {
    return ItemKind::Note;
  }
  if (t.rfind("conversation.", 0) == 0) {
    return ItemKind::Activity;
  }
  return ItemKind::ContactUpsert;
}

std::string encodeSegment(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Dialect::Dialect(const Settings& settings, std::string idempotencyPrefix)
    : settings_(settings), idempotencyPrefix_(std::move(idempotencyPrefix)) {
  if (settings.auth == AuthKind::Bearer) {
    authorization_ = "Bearer " + settings.token;
  } else if (settings.auth == AuthKind::Basic) {
    authorization_ = "Basic " + toBase64(settings.username + ":" + settings.password);
  }
}

std::string Dialect::keyOf(const sdk::Contact& contact) const {
  return settings_.upsertBy == UpsertKey::Phone ? contact.phone : contact.id;
}

sdk::HttpCall Dialect::baseCall(const std::string& method, const std::string& path, const OutboxItem& item) const {
  sdk::HttpCall call;
  call.method = method;
  call.url = settings_.baseUrl + path;
  call.headers["Content-Type"] = "application/json";
  call.headers["Accept"] = "application/json";
  // The same item resent after a lost answer or a restart carries the same key, so a CRM that
  // honours it does not create a second note. One item may take several requests (upsert, then
  // the note): each step has its own key, or the CRM would take the second for a repeat.
  call.headers["Idempotency-Key"] = idempotencyPrefix_ + "-" + std::to_string(item.seq) + ":" + method + ":" + path;
  if (!authorization_.empty()) {
    call.headers["Authorization"] = authorization_;
  }
  return call;
}

std::unique_ptr<Dialect> makeDialect(const Settings& settings, const std::string& instance) {
  if (settings.target == TargetKind::HubSpot) {
    return std::make_unique<HubSpotDialect>(settings, instance);
  }
  return std::make_unique<RestDialect>(settings, instance);
}

}  // namespace switchboard::crm
