#pragma once

// Typed reading of a JSON request body. Every getter checks the type (and range) and records the
// first problem as an "invalid" error naming the field, so handlers read fields in a row and check
// once. No exception leaves these calls, whatever the body holds.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "switchboard/sdk/result.hpp"

namespace switchboard::admin {

namespace sdk = switchboard::sdk;

class JsonFields {
 public:
  /// `body` must outlive this reader. A body that is not an object makes every read fail.
  explicit JsonFields(const nlohmann::json& body);

  std::optional<std::string> string(const char* key, bool required = false, std::size_t maxLength = 4096);
  std::optional<std::int64_t> integer(const char* key, std::int64_t min, std::int64_t max, bool required = false);
  std::optional<bool> boolean(const char* key, bool required = false);
  std::optional<std::vector<std::string>> strings(const char* key, bool required = false, std::size_t maxItems = 256);
  std::optional<std::map<std::string, std::string>> stringMap(const char* key, bool required = false);
  /// An array of objects; the caller reads each element with its own JsonFields.
  const nlohmann::json* objects(const char* key, bool required = false);

  /// Refuses keys outside `known` (catches typos such as "capcity").
  void only(std::initializer_list<const char*> known);

  bool ok() const { return !error_.has_value(); }
  sdk::Error error() const { return error_.value_or(sdk::Error::permanent("invalid", "")); }
  /// Records a problem found by the caller (a bad enum value, ...), if none was recorded yet.
  void fail(const std::string& message);

 private:
  const nlohmann::json* find(const char* key, bool required);

  const nlohmann::json& body_;
  std::optional<sdk::Error> error_;
};

}  // namespace switchboard::admin
