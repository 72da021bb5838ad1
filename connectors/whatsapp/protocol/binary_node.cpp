#include "protocol/binary_node.hpp"

namespace switchboard::whatsapp {

std::string toHex(ByteView b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (auto c : b) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0F];
  }
  return out;
}

std::optional<std::string_view> Node::attr(std::string_view key) const {
  for (const auto& [k, v] : attrs) {
    if (k == key) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

void Node::setAttr(std::string key, std::string value) {
  for (auto& [k, v] : attrs) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  attrs.emplace_back(std::move(key), std::move(value));
}

const Node* Node::child(std::string_view childTag) const {
  if (const auto* list = children()) {
    for (const auto& c : *list) {
      if (c.tag == childTag) {
        return &c;
      }
    }
  }
  return nullptr;
}

std::string Node::toString() const {
  // Appends one piece at a time: GCC 12 warns (-Wrestrict, falsely) on chained literal + string.
  std::string out = "<";
  out += tag;
  for (const auto& [k, v] : attrs) {
    out += ' ';
    out += k;
    out += "=\"";
    out += v;
    out += '"';
  }
  if (std::holds_alternative<std::monostate>(content)) {
    return out + "/>";
  }
  out += ">";
  if (const auto* b = bytes()) {
    out += '[';
    out += toHex(*b);
    out += ']';
  } else if (const auto* s = text()) {
    out += *s;
  } else if (const auto* list = children()) {
    for (const auto& c : *list) {
      out += c.toString();
    }
  }
  out += "</";
  out += tag;
  out += '>';
  return out;
}

}  // namespace switchboard::whatsapp
