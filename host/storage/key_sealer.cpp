#include "storage/key_sealer.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace switchboard::host::storage {

namespace {

constexpr std::string_view kPrefix = "s1:";

bool sodiumReady() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

KeySealer::KeySealer() : nonceCounter_(std::make_shared<std::atomic<std::uint64_t>>(0)) {
  (void)sodiumReady();
  randombytes_buf(noncePrefix_.data(), noncePrefix_.size());
}

// Plain table-driven base64: the values are ciphertext or public records, so libsodium's
// constant-time codec (about a tenth of the inbound path's time) buys nothing here.
namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> makeDecodeTable() {
  std::array<signed char, 256> t{};
  for (auto& v : t) {
    v = -1;
  }
  for (int i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(kB64[i])] = static_cast<signed char>(i);
  }
  return t;
}
constexpr auto kB64Decode = makeDecodeTable();
}  // namespace

std::string toBase64(const std::string& bytes) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::string out((n + 2) / 3 * 4, '=');
  char* o = out.data();
  std::size_t i = 0;
  for (; i + 2 < n; i += 3) {
    const unsigned v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    *o++ = kB64[v >> 18];
    *o++ = kB64[(v >> 12) & 63];
    *o++ = kB64[(v >> 6) & 63];
    *o++ = kB64[v & 63];
  }
  if (i < n) {
    const unsigned v = (in[i] << 16) | (i + 1 < n ? in[i + 1] << 8 : 0);
    *o++ = kB64[v >> 18];
    *o++ = kB64[(v >> 12) & 63];
    if (i + 1 < n) {
      *o++ = kB64[(v >> 6) & 63];
    }
  }
  return out;
}

sdk::Result<std::string> fromBase64(const std::string& text) {
  if (text.size() % 4 != 0) {
    return sdk::Error::fatal("storage.bad_base64", "a stored binary value is not valid base64");
  }
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') {
    ++pad;
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  unsigned acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size() - pad; ++i) {
    const int v = kB64Decode[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return sdk::Error::fatal("storage.bad_base64", "a stored binary value is not valid base64");
    }
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Canonical only: leftover bits must be zero, so each value has exactly one encoding.
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) {
    return sdk::Error::fatal("storage.bad_base64", "a stored binary value is not valid base64");
  }
  return out;
}

sdk::Result<KeySealer> KeySealer::fromFile(const std::string& path) {
  if (!sodiumReady()) {
    return sdk::Error::fatal("storage.sodium", "libsodium failed to initialise");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return sdk::Error::fatal("storage.key_file",
                             "cannot read storage.key_file \"" + path + "\": " + std::strerror(errno));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string raw = buf.str();
  KeySealer sealer;
  if (raw.size() == kKeySize) {
    std::memcpy(sealer.key_.data(), raw.data(), kKeySize);
    return sealer;
  }
  std::string hex = trim(raw);
  std::size_t len = 0;
  if (hex.size() == 2 * kKeySize && sodium_hex2bin(sealer.key_.data(), kKeySize, hex.data(), hex.size(), nullptr,
                                                   &len, nullptr) == 0 && len == kKeySize) {
    return sealer;
  }
  return sdk::Error::fatal("storage.key_file", "storage.key_file \"" + path +
                                                   "\" must hold 32 raw bytes or 64 hex characters (it holds " +
                                                   std::to_string(raw.size()) + " bytes)");
}

sdk::Result<KeySealer> KeySealer::createFile(const std::string& path) {
  KeySealer sealer = random();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return sdk::Error::fatal("storage.key_file", "cannot create key file \"" + path + "\": " + std::strerror(errno));
  }
  std::string hex(2 * kKeySize + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), sealer.key_.data(), kKeySize);
  hex.back() = '\n';
  bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    return sdk::Error::fatal("storage.key_file", "cannot write key file \"" + path + "\": " + std::strerror(errno));
  }
  return sealer;
}

KeySealer KeySealer::random() {
  (void)sodiumReady();
  KeySealer sealer;
  randombytes_buf(sealer.key_.data(), kKeySize);
  return sealer;
}

std::string KeySealer::seal(const std::string& plain) const {
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  static_assert(crypto_secretbox_NONCEBYTES == 24);
  std::memcpy(nonce, noncePrefix_.data(), noncePrefix_.size());
  const std::uint64_t n = nonceCounter_->fetch_add(1, std::memory_order_relaxed);
  std::memcpy(nonce + noncePrefix_.size(), &n, sizeof n);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size(), nonce, key_.data());
  return std::string(kPrefix) + toBase64(box);
}

sdk::Result<std::string> KeySealer::open(const std::string& sealed) const {
  if (sealed.rfind(kPrefix, 0) != 0) {
    return sdk::Error::fatal("storage.unsealed", "a stored secret is not sealed");
  }
  auto box = fromBase64(sealed.substr(kPrefix.size()));
  SB_TRY(box);
  if (box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return sdk::Error::fatal("storage.bad_seal", "a stored secret is truncated");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(box->data());
  std::string plain(box->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), nonce + crypto_secretbox_NONCEBYTES,
                                 box->size() - crypto_secretbox_NONCEBYTES, nonce, key_.data()) != 0) {
    return sdk::Error::fatal("storage.wrong_key",
                             "a stored secret does not open with the configured key (wrong storage.key_file?)");
  }
  return plain;
}

}  // namespace switchboard::host::storage
