#pragma once

// Who may do what. Three roles, each including the one before it: read-only reads; operator also
// works conversations, contacts and agents' status and sends messages; admin also manages agents,
// templates, accounts (pairing), tokens and replays.

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::admin {

enum class Role { ReadOnly = 0, Operator = 1, Admin = 2 };

/// "read-only", "operator", "admin"; nullopt for anything else.
std::optional<Role> parseRole(std::string_view text);
const char* toString(Role role);
inline bool allows(Role held, Role needed) { return static_cast<int>(held) >= static_cast<int>(needed); }

/// An authenticated caller.
struct Principal {
  std::string name;    ///< the token's name (the audit log's actor)
  Role role = Role::ReadOnly;
  std::string tenant;  ///< the one tenant the token may see; empty: every tenant
};

}  // namespace switchboard::admin
