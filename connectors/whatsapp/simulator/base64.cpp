#include "simulator/base64.hpp"

#include <sodium.h>

namespace switchboard::wasim {
namespace {

std::string encode(whatsapp::ByteView bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // the encoder's terminating NUL
  return out;
}

std::optional<whatsapp::Bytes> decode(std::string_view text, int variant) {
  whatsapp::Bytes out(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace

std::string toBase64(whatsapp::ByteView bytes) { return encode(bytes, sodium_base64_VARIANT_ORIGINAL); }
std::string toBase64Url(whatsapp::ByteView bytes) { return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }

std::optional<whatsapp::Bytes> fromBase64(std::string_view text) {
  if (text.size() % 4 == 0) {
    return decode(text, sodium_base64_VARIANT_ORIGINAL);
  }
  return decode(text, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

std::optional<whatsapp::Bytes> fromBase64Url(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  return decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

}  // namespace switchboard::wasim
