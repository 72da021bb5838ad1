#include "simulator/qr_code.hpp"

#include <cstring>
#include <vector>

#include "simulator/base64.hpp"

namespace switchboard::wasim {
namespace {

sdk::Error bad(std::string what) { return sdk::Error::permanent("wasim.qr", std::move(what)); }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) {
      return out;
    }
    s.remove_prefix(at + 1);
  }
}

bool decodeKey(std::string_view b64, whatsapp::Key32& out) {
  auto bytes = fromBase64(b64);
  if (!bytes || bytes->size() != out.size()) {
    return false;
  }
  std::memcpy(out.data(), bytes->data(), out.size());
  return true;
}

}  // namespace

sdk::Result<QrCode> parseQrCode(std::string_view text) {
  if (text.size() > 4096) {
    return bad("the QR text is too long");
  }
  if (auto hash = text.find('#'); hash != std::string_view::npos) {
    text.remove_prefix(hash + 1);
  }
  auto parts = split(text, ',');
  if (parts.size() < 4 || parts.size() > 5) {
    return bad("a QR code has 4 or 5 comma-separated parts, this one has " + std::to_string(parts.size()));
  }
  QrCode qr;
  qr.ref = std::string(parts[0]);
  if (qr.ref.empty()) {
    return bad("the QR code has an empty ref");
  }
  if (!decodeKey(parts[1], qr.noiseKey)) {
    return bad("the QR code's noise key is not 32 bytes of base64");
  }
  if (!decodeKey(parts[2], qr.identityKey)) {
    return bad("the QR code's identity key is not 32 bytes of base64");
  }
  auto adv = fromBase64(parts[3]);
  if (!adv || adv->size() != 32) {
    return bad("the QR code's ADV secret is not 32 bytes of base64");
  }
  qr.advSecret = std::move(*adv);
  if (parts.size() == 5) {
    qr.platform = std::string(parts[4]);
  }
  return qr;
}

}  // namespace switchboard::wasim
