// The OpenAPI document: openapi.yaml beside this file, compiled in (openapi_yaml.cpp is generated
// by CMake from it) and converted to JSON for /v1/openapi.json.

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "admin/admin_api.hpp"

namespace switchboard::admin {

extern const char* const kOpenApiYaml;

namespace {

// Plain YAML scalars become numbers and booleans where they read as such; quoted ones stay strings.
nlohmann::json scalar(const YAML::Node& node) {
  const auto& text = node.Scalar();
  if (node.Tag() != "!") {
    if (text == "true") {
      return true;
    }
    if (text == "false") {
      return false;
    }
    if (text == "null" || text == "~") {
      return nullptr;
    }
    long long i = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (ec == std::errc{} && p == text.data() + text.size() && !text.empty()) {
      return i;
    }
    double d = 0;
    auto [pd, ecd] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ecd == std::errc{} && pd == text.data() + text.size() && !text.empty()) {
      return d;
    }
  }
  return text;
}

nlohmann::json toJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      auto out = nlohmann::json::object();
      for (const auto& kv : node) {
        out[kv.first.Scalar()] = toJson(kv.second);
      }
      return out;
    }
    case YAML::NodeType::Sequence: {
      auto out = nlohmann::json::array();
      for (const auto& item : node) {
        out.push_back(toJson(item));
      }
      return out;
    }
    case YAML::NodeType::Scalar:
      return scalar(node);
    default:
      return nullptr;
  }
}

}  // namespace

sdk::Result<nlohmann::json> openApiDocument() {
  try {
    return toJson(YAML::Load(kOpenApiYaml));
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax errors only by exception; the document is ours, so this is a build defect.
    return sdk::Error::fatal("admin.openapi", std::string("openapi.yaml does not parse: ") + e.what());
  }
}

}  // namespace switchboard::admin
