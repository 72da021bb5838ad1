#include "connector/stanza.hpp"

namespace switchboard::whatsapp::connector {

Node iqResult(std::string_view id) {
  return Node("iq", {{"to", kServerJid}, {"type", "result"}, {"id", std::string(id)}});
}

Node iq(std::string id, std::string type, std::string xmlns, Node::Children children) {
  Node n("iq", {{"id", std::move(id)}, {"to", kServerJid}, {"type", std::move(type)}, {"xmlns", std::move(xmlns)}});
  if (!children.empty()) {
    n.content = std::move(children);
  }
  return n;
}

std::string attrOr(const Node& n, std::string_view key, std::string fallback) {
  auto v = n.attr(key);
  return v ? std::string(*v) : std::move(fallback);
}

const Node::Children& childrenOf(const Node& n) {
  static const Node::Children none;
  const auto* c = n.children();
  return c ? *c : none;
}

const Bytes* childBytes(const Node& n, std::string_view tag) {
  const Node* c = n.child(tag);
  return c ? c->bytes() : nullptr;
}

Bytes uintBytes(std::uint32_t value, int width) {
  Bytes out;
  for (int i = width - 1; i >= 0; --i) {
    out.push_back(static_cast<std::uint8_t>((value >> (8 * i)) & 0xff));
  }
  return out;
}

std::optional<std::uint32_t> readUint(const Bytes* bytes, std::size_t width) {
  if (bytes == nullptr || bytes->size() != width || width == 0 || width > 4) {
    return std::nullopt;
  }
  std::uint32_t v = 0;
  for (auto b : *bytes) {
    v = (v << 8) | b;
  }
  return v;
}

}  // namespace switchboard::whatsapp::connector
