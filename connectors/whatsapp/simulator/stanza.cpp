#include "simulator/stanza.hpp"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "protocol/crypto.hpp"

namespace switchboard::wasim {

std::optional<std::uint64_t> parseUnsigned(std::string_view text) {
  if (text.empty() || text.size() > 20) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::string attrOr(const Node& node, std::string_view key, std::string_view fallback) {
  return std::string(node.attr(key).value_or(fallback));
}

Bytes bigEndian(std::uint64_t value, std::size_t width) {
  Bytes out(width);
  for (std::size_t i = 0; i < width; ++i) {
    out[width - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  return out;
}

std::optional<std::uint32_t> readBigEndian(ByteView bytes, std::size_t width) {
  if (bytes.size() != width || width > 4) {
    return std::nullopt;
  }
  std::uint32_t v = 0;
  for (auto b : bytes) {
    v = (v << 8) | b;
  }
  return v;
}

const Bytes* childBytes(const Node& node, std::string_view tag) {
  const Node* c = node.child(tag);
  return c ? c->bytes() : nullptr;
}

std::vector<const Node*> childrenNamed(const Node& node, std::string_view tag) {
  std::vector<const Node*> out;
  if (const auto* kids = node.children()) {
    for (const auto& k : *kids) {
      if (k.tag == tag) {
        out.push_back(&k);
      }
    }
  }
  return out;
}

std::optional<Bytes> fixedBytes(const Node* node, std::size_t size) {
  if (!node || !node->bytes() || node->bytes()->size() != size) {
    return std::nullopt;
  }
  return *node->bytes();
}

Node bytesNode(std::string tag, Bytes content, std::vector<Node::Attribute> attrs) {
  return Node(std::move(tag), std::move(attrs), std::move(content));
}

Node parentNode(std::string tag, std::vector<Node::Attribute> attrs, Node::Children children) {
  return Node(std::move(tag), std::move(attrs), std::move(children));
}

Node iqResult(const Node& iq, Node::Children children) {
  Node out("iq", {{"from", attrOr(iq, "to", kServerJid)}, {"type", "result"}, {"id", attrOr(iq, "id")}});
  if (!children.empty()) {
    out.content = std::move(children);
  }
  return out;
}

Node iqError(const Node& iq, int code, std::string_view text) {
  Node err("error", {{"code", std::to_string(code)}, {"text", std::string(text)}});
  return Node("iq", {{"from", attrOr(iq, "to", kServerJid)}, {"type", "error"}, {"id", attrOr(iq, "id")}},
              Node::Children{std::move(err)});
}

std::uint64_t unixNow() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::string unixNowText() { return std::to_string(unixNow()); }

std::string nextStanzaId() {
  static std::atomic<std::uint64_t> counter{0};
  // Upper-case hex packs on the wire like the real server's ids do.
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llX.%llu", static_cast<unsigned long long>(unixNow() & 0xFFFFF),
                static_cast<unsigned long long>(++counter));
  return buf;
}

std::string newMessageId() {
  std::uint8_t random[9];
  wa::randomBytes(random);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id = "3EB0";
  for (auto b : random) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

}  // namespace switchboard::wasim
