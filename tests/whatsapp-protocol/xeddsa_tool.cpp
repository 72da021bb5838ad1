// Test peer for tests/node/waproto/xeddsa-crosscheck.mjs: signs and verifies XEdDSA with our
// implementation for messages and keys that come from Baileys' signal library.
#include <iostream>
#include <nlohmann/json.hpp>

#include "protocol/crypto.hpp"

namespace wa = switchboard::whatsapp;
using nlohmann::json;

namespace {

wa::Bytes fromHex(const std::string& hex) {
  wa::Bytes out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
  }
  return out;
}

wa::Key32 key(const json& j) {
  auto b = fromHex(j.get<std::string>());
  wa::Key32 k{};
  std::copy_n(b.begin(), std::min(b.size(), k.size()), k.begin());
  return k;
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    json in = json::parse(line);
    json out = {{"id", in.at("id")}};
    auto msg = fromHex(in.at("msg").get<std::string>());
    if (in.at("op") == "sign") {
      out["sig"] = wa::toHex(wa::xeddsaSign(key(in.at("priv")), msg));
    } else {
      out["ok"] = wa::xeddsaVerify(key(in.at("pub")), msg, fromHex(in.at("sig").get<std::string>()));
    }
    std::cout << out.dump() << '\n';
  }
  return 0;
}
