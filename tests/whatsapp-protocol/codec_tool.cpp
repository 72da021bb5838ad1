// Test peer for the Baileys cross-check (tests/node/waproto/codec-crosscheck.mjs): reads cases as
// JSON lines on stdin, answers each with our encoding of the tree and our decoding of the bytes
// Baileys produced for it (and of a compressed frame of them, when given). The node script compares.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/binary_node.hpp"

namespace wa = switchboard::whatsapp;
using nlohmann::json;

namespace {

wa::Bytes fromHex(const std::string& hex) {
  wa::Bytes out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
  }
  return out;
}

wa::Node toNode(const json& j) {
  wa::Node n(j.at("tag").get<std::string>());
  for (const auto& a : j.at("attrs")) {
    n.attrs.emplace_back(a.at(0).get<std::string>(), a.at(1).get<std::string>());
  }
  const auto& c = j.at("content");
  if (c.is_null()) {
    return n;
  }
  if (c.contains("bytes")) {
    n.content = fromHex(c["bytes"].get<std::string>());
  } else if (c.contains("text")) {
    n.content = c["text"].get<std::string>();
  } else {
    wa::Node::Children children;
    for (const auto& child : c.at("list")) {
      children.push_back(toNode(child));
    }
    n.content = std::move(children);
  }
  return n;
}

json toJson(const wa::Node& n) {
  json attrs = json::array();
  for (const auto& [k, v] : n.attrs) {
    attrs.push_back(json::array({k, v}));
  }
  json content;
  if (const auto* b = n.bytes()) {
    content = {{"bytes", wa::toHex(*b)}};
  } else if (const auto* s = n.text()) {
    content = {{"text", *s}};
  } else if (const auto* list = n.children()) {
    json items = json::array();
    for (const auto& c : *list) {
      items.push_back(toJson(c));
    }
    content = {{"list", items}};
  }
  return {{"tag", n.tag}, {"attrs", attrs}, {"content", content}};
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) {
      continue;
    }
    json in = json::parse(line);
    const auto* dict = wa::TokenDictionary::forVersion(in.at("dict").get<int>());
    if (dict == nullptr) {
      std::cerr << "unknown dictionary version\n";
      return 2;
    }
    json out = {{"id", in.at("id")}};
    auto encoded = wa::encodeNode(toNode(in.at("tree")), *dict);
    if (encoded) {
      out["encoded"] = wa::toHex(*encoded);
    } else {
      out["encodeError"] = encoded.error().describe();
    }
    auto bytes = fromHex(in.at("bytes").get<std::string>());
    auto decoded = wa::decodeNode(bytes, *dict);
    if (decoded) {
      out["decoded"] = toJson(*decoded);
    } else {
      out["decodeError"] = decoded.error().describe();
    }
    // Optionally a whole frame payload (flags byte, possibly zlib-compressed).
    if (in.contains("frame")) {
      auto frame = fromHex(in["frame"].get<std::string>());
      auto fromFrame = wa::decodeFramePayload(frame, *dict);
      if (fromFrame) {
        out["frameDecoded"] = toJson(*fromFrame);
      } else {
        out["frameError"] = fromFrame.error().describe();
      }
    }
    std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  return 0;
}
