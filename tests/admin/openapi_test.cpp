// The OpenAPI document (host/admin/openapi.yaml, served at /v1/openapi.json) against the routes the
// admin API registers: the same operations both ways, the same path parameters (all required), the
// same least role, and WebSocket routes marked as such.

#include <gtest/gtest.h>

#include <map>
#include <functional>
#include <regex>
#include <set>

#include "admin/admin_api.hpp"

namespace admin = switchboard::admin;
using json = nlohmann::json;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::set<std::string> placeholders(const std::string& pattern) {
  std::set<std::string> out;
  std::regex re("\\{([^}]+)\\}");
  for (auto it = std::sregex_iterator(pattern.begin(), pattern.end(), re); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

// Follows a local "$ref" ("#/components/parameters/Id").
const json& resolve(const json& doc, const json& node) {
  if (!node.contains("$ref")) {
    return node;
  }
  const json* at = &doc;
  std::string ref = node["$ref"].get<std::string>().substr(2);
  std::size_t pos = 0;
  while (pos <= ref.size()) {
    auto slash = ref.find('/', pos);
    at = &(*at)[ref.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos)];
    if (slash == std::string::npos) {
      break;
    }
    pos = slash + 1;
  }
  return *at;
}

class OpenApi : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = admin::openApiDocument();
    ASSERT_TRUE(d.ok()) << d.error().describe();
    doc = *d;
    api = std::make_unique<admin::AdminApi>(admin::AdminSettings{}, admin::AdminServices{});
  }
  json doc;
  std::unique_ptr<admin::AdminApi> api;
};

}  // namespace

TEST_F(OpenApi, EveryRouteIsDocumentedAndEveryOperationIsServed) {
  std::set<std::string> served, documented;
  for (const auto& r : api->router().routes()) {
    served.insert(r.method + " " + r.pattern);
  }
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (method == "get" || method == "post" || method == "put" || method == "delete" || method == "patch") {
        std::string upper = method;
        for (auto& c : upper) {
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        documented.insert(upper + " " + path);
      }
    }
  }
  for (const auto& s : served) {
    EXPECT_TRUE(documented.count(s)) << s << " is served but not in openapi.yaml";
  }
  for (const auto& d : documented) {
    EXPECT_TRUE(served.count(d)) << d << " is in openapi.yaml but not served";
  }
  EXPECT_GE(served.size(), 40U);
}

TEST_F(OpenApi, PathParametersRolesAndWebSockets) {
  std::map<std::string, std::string> roles;
  for (const auto& r : api->routeRoles()) {
    roles[r.method + " " + r.pattern] = r.role;
  }
  for (const auto& r : api->router().routes()) {
    const auto key = r.method + " " + r.pattern;
    const auto& item = doc["paths"][r.pattern];
    const auto& op = item[lower(r.method)];
    ASSERT_TRUE(op.is_object()) << key;
    std::set<std::string> declared;
    std::set<std::string> ids;
    for (const auto& p : op.value("parameters", json::array())) {
      const auto& param = resolve(doc, p);
      ASSERT_TRUE(param.contains("name")) << key << ": unresolvable parameter " << p.dump();
      if (param["in"] == "path") {
        declared.insert(param["name"].get<std::string>());
        EXPECT_TRUE(param.value("required", false)) << key << ": path parameter " << param["name"] << " must be required";
      }
      auto id = param["in"].get<std::string>() + ":" + param["name"].get<std::string>();
      EXPECT_TRUE(ids.insert(id).second) << key << ": parameter " << id << " declared twice";
    }
    EXPECT_EQ(declared, placeholders(r.pattern)) << key << ": path parameters differ from the pattern";
    EXPECT_EQ(op.value("x-required-role", ""), roles[key]) << key << ": least role differs";
    EXPECT_EQ(op.value("x-websocket", false), r.websocket) << key;
    if (roles[key] == "public") {
      EXPECT_TRUE(op.contains("security") && op["security"].empty()) << key << ": public operations need security: []";
    } else {
      EXPECT_FALSE(op.contains("security")) << key << ": operations with a token must not override security";
    }
    EXPECT_TRUE(op.contains("operationId")) << key;
    if (r.method == "POST" || r.method == "PUT") {
      // Bodies: every write that reads a body documents it (close and logout take none or an optional one).
      bool bodyless = r.pattern.ends_with("/logout");
      EXPECT_TRUE(bodyless || op.contains("requestBody")) << key << ": no requestBody";
    }
  }
}

TEST_F(OpenApi, ReferencesResolve) {
  // Every "$ref" in the document points at something.
  std::function<void(const json&, const std::string&)> walk = [&](const json& node, const std::string& where) {
    if (node.is_object()) {
      if (node.contains("$ref")) {
        const auto& target = resolve(doc, node);
        EXPECT_FALSE(target.is_null()) << where << ": dangling " << node["$ref"];
      }
      for (const auto& [k, v] : node.items()) {
        walk(v, where + "/" + k);
      }
    } else if (node.is_array()) {
      for (std::size_t i = 0; i < node.size(); ++i) {
        walk(node[i], where + "[" + std::to_string(i) + "]");
      }
    }
  };
  walk(doc, "");
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_TRUE(doc["paths"]["/v1/health/live"]["get"]["responses"].contains("200"));
}
