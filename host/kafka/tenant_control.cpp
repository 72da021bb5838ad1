#include "kafka/tenant_control.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::host {

namespace {

using json = nlohmann::json;

sdk::Error bad(const std::string& why) { return sdk::Error::permanent("control.malformed", "tenant control: " + why); }

std::optional<std::string> text(const json& doc, const char* key, std::size_t maxLength, std::string& problem) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > maxLength) {
    problem = std::string("\"") + key + "\" must be a string of at most " + std::to_string(maxLength) + " characters";
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace

const char* toString(TenantControlAction action) {
  switch (action) {
    case TenantControlAction::Create:
      return "tenant.create";
    case TenantControlAction::Suspend:
      return "tenant.suspend";
    case TenantControlAction::Resume:
      return "tenant.resume";
    case TenantControlAction::Quotas:
      return "tenant.quotas";
    case TenantControlAction::Delete:
      return "tenant.delete";
  }
  return "tenant.create";
}

sdk::Result<std::optional<TenantControl>> parseTenantControl(std::string_view input) {
  using Out = std::optional<TenantControl>;
  if (input.size() > kMaxTenantControlRecord) {
    return bad("record larger than " + std::to_string(kMaxTenantControlRecord) + " bytes");
  }
  auto doc = json::parse(input.begin(), input.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return bad("not a JSON object");
  }
  std::string problem;
  auto action = text(doc, "action", 64, problem);
  if (!problem.empty()) {
    return bad(problem);
  }
  if (!action || action->rfind("tenant.", 0) != 0) {
    return Out{};  // another component's record
  }
  TenantControl c;
  if (*action == "tenant.create") {
    c.action = TenantControlAction::Create;
  } else if (*action == "tenant.suspend") {
    c.action = TenantControlAction::Suspend;
  } else if (*action == "tenant.resume") {
    c.action = TenantControlAction::Resume;
  } else if (*action == "tenant.quotas") {
    c.action = TenantControlAction::Quotas;
  } else if (*action == "tenant.delete") {
    c.action = TenantControlAction::Delete;
  } else {
    return bad("unknown action \"" + action->substr(0, 32) +
               "\"; one of tenant.create, tenant.suspend, tenant.resume, tenant.quotas, tenant.delete");
  }
  auto tenant = text(doc, "tenant", 64, problem);
  auto name = text(doc, "name", 256, problem);
  auto reason = text(doc, "reason", 1024, problem);
  auto request = text(doc, "request_id", 128, problem);
  if (!problem.empty()) {
    return bad(problem);
  }
  if (!tenant || tenant->empty()) {
    return bad("\"tenant\" is required");
  }
  c.tenant = *tenant;
  c.name = name.value_or("");
  c.reason = reason.value_or("");
  c.requestId = request.value_or("");
  if (auto q = doc.find("quotas"); q != doc.end() && !q->is_null()) {
    if (!q->is_object() || q->size() > 16) {
      return bad("\"quotas\" must be an object of at most 16 quota names to limits");
    }
    for (const auto& [kind, value] : q->items()) {
      if (kind.size() > 64) {
        return bad("a quota name is longer than 64 characters");
      }
      if (value.is_null()) {
        c.quotas[kind] = std::nullopt;
      } else if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
        c.quotas[kind] = value.get<std::int64_t>();
      } else {
        return bad("quota \"" + kind + "\" must be a non-negative integer or null");
      }
    }
  }
  if (c.action == TenantControlAction::Quotas && c.quotas.empty()) {
    return bad("tenant.quotas needs \"quotas\" with at least one quota");
  }
  return Out{std::move(c)};
}

std::string encodeTenantControl(const TenantControl& c) {
  json doc = {{"action", toString(c.action)}, {"tenant", c.tenant}};
  if (!c.name.empty()) {
    doc["name"] = c.name;
  }
  if (!c.reason.empty()) {
    doc["reason"] = c.reason;
  }
  if (!c.requestId.empty()) {
    doc["request_id"] = c.requestId;
  }
  if (!c.quotas.empty()) {
    json q = json::object();
    for (const auto& [kind, limit] : c.quotas) {
      q[kind] = limit ? json(*limit) : json(nullptr);
    }
    doc["quotas"] = q;
  }
  return doc.dump();
}

}  // namespace switchboard::host
