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

std::string toBase64(const std::string& bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

sdk::Result<std::string> fromBase64(const std::string& text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return sdk::Error::fatal("storage.bad_base64", "a stored binary value is not valid base64");
  }
  out.resize(len);
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
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
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
