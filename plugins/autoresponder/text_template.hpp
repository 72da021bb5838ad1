#pragma once

// Reply text with named parameters: "Hello {{contact.name|there}}, order {{match.1}} is on its way."
// A parameter is `{{name}}` or `{{name|fallback}}`; the fallback is used when the value is missing
// or empty. A missing value without a fallback is an error naming the parameter: a reply is sent
// complete or not at all, never with a hole in it.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::autoresponder {

class TextTemplate {
 public:
  struct Part {
    bool parameter = false;
    std::string text;                     ///< Literal text, or the parameter's name.
    std::optional<std::string> fallback;  ///< For parameters given as {{name|fallback}}.
  };

  /// @return the parsed template, or an error saying what is wrong and at which byte.
  static sdk::Result<TextTemplate> parse(std::string_view text);

  /// Looks a parameter up; nullopt (or "") when it has no value.
  using Lookup = std::function<std::optional<std::string>(const std::string& name)>;
  /// Explains why a parameter has no value ("contact ct_1 has no name"), for the error message.
  using Explain = std::function<std::string(const std::string& name)>;

  /// @param what names the template in errors, e.g. `template "welcome"`.
  sdk::Result<std::string> render(const Lookup& lookup, const std::string& what, const Explain& explain = {}) const;

  const std::vector<Part>& parts() const { return parts_; }
  std::vector<std::string> parameterNames() const;
  bool empty() const { return parts_.empty(); }
  const std::string& source() const { return source_; }

 private:
  std::vector<Part> parts_;
  std::string source_;
};

}  // namespace switchboard::autoresponder
