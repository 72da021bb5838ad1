// sbctl tenants: list, show, create, suspend, resume, quota, delete (the admin API's /v1/tenants).

#include <charconv>
#include <iostream>

#include "http/url.hpp"
#include "sbctl/commands.hpp"
#include "sbctl/table.hpp"

namespace switchboard::sbctl {
namespace {

constexpr const char* kTenantsUsage =
    "usage: sbctl tenants [list]\n"
    "       sbctl tenants show TENANT\n"
    "       sbctl tenants create TENANT [--name N]\n"
    "       sbctl tenants suspend|resume TENANT [--reason R]\n"
    "       sbctl tenants quota TENANT QUOTA LIMIT|none   (accounts, messages_per_day,\n"
    "                                                    campaign_recipients_per_day, api_requests_per_second)\n"
    "       sbctl tenants delete TENANT --yes            (exports, then purges everything of it)\n";

std::string path(const std::string& tenant, const std::string& tail = "") {
  return "/v1/tenants/" + http::percentEncode(tenant) + tail;
}

std::string quotaText(const json& tenant, const std::string& kind) {
  const auto limits = tenant.value("quotas", json::object());
  const auto used = tenant.value("usage_today", json::object());
  std::string out = used.contains(kind) ? std::to_string(used[kind].get<long long>()) : "0";
  out += "/";
  out += limits.contains(kind) ? std::to_string(limits[kind].get<long long>()) : "-";
  return out;
}

int show(Invocation& in, const Answer& a) {
  if (in.json) {
    printJson(a.body);
    return kOk;
  }
  std::cout << "tenant " << field(a.body, "id") << " (" << field(a.body, "name") << "): " << field(a.body, "state")
            << "\n";
  Table t({"QUOTA", "USED/LIMIT"});
  for (const char* kind : {"accounts", "messages_per_day", "campaign_recipients_per_day", "api_requests_per_second"}) {
    t.row({kind, quotaText(a.body, kind)});
  }
  t.print(std::cout);
  return kOk;
}

}  // namespace

int cmdTenants(Invocation& in) {
  const auto& p = in.args.positional();
  const std::string verb = p.size() >= 2 ? p[1] : "list";
  if (verb == "list" && p.size() <= 2) {
    auto a = in.api.call("GET", "/v1/tenants");
    if (!a.ok()) {
      return a.exit;
    }
    if (in.json) {
      printJson(a.body);
      return kOk;
    }
    Table t({"TENANT", "NAME", "STATE"});
    for (const auto& item : a.body.value("items", json::array())) {
      t.row({field(item, "id"), field(item, "name"), field(item, "state")});
    }
    t.print(std::cout);
    return kOk;
  }
  if (p.size() < 3) {
    std::cerr << kTenantsUsage;
    return kUsage;
  }
  const std::string& tenant = p[2];
  if (verb == "show" && p.size() == 3) {
    auto a = in.api.call("GET", path(tenant));
    return a.ok() ? show(in, a) : a.exit;
  }
  if (verb == "create" && p.size() == 3) {
    json body{{"id", tenant}};
    if (auto name = in.args.value("name")) {
      body["name"] = *name;
    }
    auto a = in.api.call("POST", "/v1/tenants", body);
    return a.ok() ? show(in, a) : a.exit;
  }
  if ((verb == "suspend" || verb == "resume") && p.size() == 3) {
    std::optional<json> body;
    if (auto reason = in.args.value("reason")) {
      body = json{{"reason", *reason}};
    }
    auto a = in.api.call("POST", path(tenant, "/" + verb), body);
    return a.ok() ? show(in, a) : a.exit;
  }
  if (verb == "quota" && p.size() == 5) {
    json limit = nullptr;
    if (p[4] != "none") {
      long long n = 0;
      auto [end, ec] = std::from_chars(p[4].data(), p[4].data() + p[4].size(), n);
      if (ec != std::errc{} || end != p[4].data() + p[4].size() || n < 0) {
        std::cerr << "sbctl: a quota limit is a non-negative integer or \"none\"\n";
        return kUsage;
      }
      limit = n;
    }
    auto a = in.api.call("PUT", path(tenant, "/quotas"), json{{p[3], limit}});
    return a.ok() ? show(in, a) : a.exit;
  }
  if (verb == "delete" && p.size() == 3) {
    if (!in.args.flag("yes")) {
      std::cerr << "sbctl: deleting tenant " << tenant
                << " exports and then erases all its data, keys and media; add --yes to go ahead\n";
      return kUsage;
    }
    auto a = in.api.call("DELETE", path(tenant));
    if (!a.ok()) {
      return a.exit;
    }
    if (in.json) {
      printJson(a.body);
      return kOk;
    }
    long long rows = 0;
    const json purged = a.body.value("purged", json::object()).value("rows", json::object());
    for (const auto& [table, n] : purged.items()) {
      rows += n.is_number_integer() ? n.get<long long>() : 0;
    }
    std::cout << "tenant " << tenant << " deleted: exported to " << a.body["export"].value("directory", "")
              << ", " << rows << " rows purged\n";
    return kOk;
  }
  std::cerr << kTenantsUsage;
  return kUsage;
}

}  // namespace switchboard::sbctl
