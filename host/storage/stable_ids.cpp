#include "storage/stable_ids.hpp"

#include <sodium.h>

namespace switchboard::host::storage {

std::string stableId(const std::string& prefix, std::initializer_list<std::string_view> parts) {
  crypto_generichash_state st;
  unsigned char out[16];
  crypto_generichash_init(&st, nullptr, 0, sizeof out);
  for (auto p : parts) {
    unsigned char len[4] = {static_cast<unsigned char>(p.size() >> 24), static_cast<unsigned char>(p.size() >> 16),
                            static_cast<unsigned char>(p.size() >> 8), static_cast<unsigned char>(p.size())};
    crypto_generichash_update(&st, len, sizeof len);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(p.data()), p.size());
  }
  crypto_generichash_final(&st, out, sizeof out);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return prefix + hex;
}

std::string conversationIdFor(const std::string& tenant, const std::string& account, const std::string& peer) {
  return stableId("cv_", {tenant, account, peer});
}

std::string inboundMessageIdFor(const std::string& tenant, const std::string& account, const std::string& networkId) {
  return stableId("mi_", {tenant, account, networkId});
}

long long cipherKey(const std::string& ciphertextHash) {
  if (ciphertextHash.empty()) {
    return 0;
  }
  unsigned char h[8];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(ciphertextHash.data()),
                     ciphertextHash.size(), nullptr, 0);
  long long k = 0;
  for (unsigned char b : h) {
    k = static_cast<long long>((static_cast<unsigned long long>(k) << 8) | b);
  }
  return k == 0 ? 1 : k;
}

long long conversationKey(const std::string& conversationId) { return cipherKey("conversation:" + conversationId); }

std::string contactIdFor(const std::string& tenant, const std::string& identity) {
  return stableId("ct_", {tenant, identity});
}

}  // namespace switchboard::host::storage
