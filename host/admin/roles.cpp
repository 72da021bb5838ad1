#include "admin/roles.hpp"

namespace switchboard::admin {

std::optional<Role> parseRole(std::string_view text) {
  if (text == "read-only") {
    return Role::ReadOnly;
  }
  if (text == "operator") {
    return Role::Operator;
  }
  if (text == "admin") {
    return Role::Admin;
  }
  return std::nullopt;
}

const char* toString(Role role) {
  switch (role) {
    case Role::ReadOnly:
      return "read-only";
    case Role::Operator:
      return "operator";
    case Role::Admin:
      return "admin";
  }
  return "read-only";
}

}  // namespace switchboard::admin
