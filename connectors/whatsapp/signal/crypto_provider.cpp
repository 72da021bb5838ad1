#include "signal/crypto_provider.hpp"

#include <climits>
#include <cstdio>
#include <cstdlib>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace switchboard::whatsapp::detail {

namespace {

// Algorithms fetched once: implicit fetches on every call cost more than the operation itself
// for the short inputs libsignal hashes.
struct Algorithms {
  EVP_MAC* hmac = nullptr;
  // HMAC-SHA256 with no key yet: each HMAC starts as a copy of it, so the digest is not looked up
  // by name again for every chain-key step (that lookup cost more than the HMAC of 33 bytes).
  EVP_MAC_CTX* hmacSha256 = nullptr;
  EVP_MD* sha512 = nullptr;
  EVP_CIPHER* cbc[3] = {};  // AES-128/192/256-CBC
  EVP_CIPHER* ctr[3] = {};  // AES-128/192/256-CTR

  Algorithms() {
    hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    const char* cbcNames[3] = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"};
    const char* ctrNames[3] = {"AES-128-CTR", "AES-192-CTR", "AES-256-CTR"};
    for (int i = 0; i < 3; ++i) {
      cbc[i] = EVP_CIPHER_fetch(nullptr, cbcNames[i], nullptr);
      ctr[i] = EVP_CIPHER_fetch(nullptr, ctrNames[i], nullptr);
      if (cbc[i] == nullptr || ctr[i] == nullptr) {
        abortMissing(cbcNames[i]);
      }
    }
    if (hmac == nullptr || sha512 == nullptr) {
      abortMissing("HMAC/SHA512");
    }
    hmacSha256 = EVP_MAC_CTX_new(hmac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (hmacSha256 == nullptr || EVP_MAC_CTX_set_params(hmacSha256, params) != 1) {
      abortMissing("HMAC-SHA256");
    }
  }
  ~Algorithms() {
    EVP_MAC_CTX_free(hmacSha256);
    EVP_MAC_free(hmac);
    EVP_MD_free(sha512);
    for (int i = 0; i < 3; ++i) {
      EVP_CIPHER_free(cbc[i]);
      EVP_CIPHER_free(ctr[i]);
    }
  }
  Algorithms(const Algorithms&) = delete;
  Algorithms& operator=(const Algorithms&) = delete;

  [[noreturn]] static void abortMissing(const char* what) {
    std::fprintf(stderr, "sb_wasignal: OpenSSL has no %s\n", what);
    std::abort();
  }

  const EVP_CIPHER* cipher(int kind, std::size_t keyLen) const {
    int index = keyLen == 16 ? 0 : keyLen == 24 ? 1 : keyLen == 32 ? 2 : -1;
    if (index < 0) {
      return nullptr;
    }
    if (kind == SG_CIPHER_AES_CBC_PKCS5) {
      return cbc[index];
    }
    if (kind == SG_CIPHER_AES_CTR_NOPADDING) {
      return ctr[index];
    }
    return nullptr;
  }
};

const Algorithms& algorithms() {
  static const Algorithms algs;
  return algs;
}

// An empty key is legal in HMAC; OpenSSL wants a non-null pointer to set one.
const unsigned char kEmpty[1] = {0};

int randomBytes(uint8_t* data, size_t len, void*) {
  while (len > 0) {
    int chunk = len > INT_MAX ? INT_MAX : static_cast<int>(len);
    if (RAND_bytes(data, chunk) != 1) {
      return SG_ERR_UNKNOWN;
    }
    data += chunk;
    len -= static_cast<size_t>(chunk);
  }
  return 0;
}

int hmacInit(void** hmacContext, const uint8_t* key, size_t keyLen, void*) {
  // The template is only read (EVP_MAC_CTX_dup takes it const), so threads may share it.
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(algorithms().hmacSha256);
  if (ctx == nullptr) {
    return SG_ERR_NOMEM;
  }
  if (EVP_MAC_init(ctx, keyLen == 0 ? kEmpty : key, keyLen, nullptr) != 1) {
    EVP_MAC_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *hmacContext = ctx;
  return 0;
}

int hmacUpdate(void* hmacContext, const uint8_t* data, size_t len, void*) {
  return EVP_MAC_update(static_cast<EVP_MAC_CTX*>(hmacContext), data, len) == 1 ? 0 : SG_ERR_UNKNOWN;
}

int hmacFinal(void* hmacContext, signal_buffer** output, void*) {
  unsigned char md[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (EVP_MAC_final(static_cast<EVP_MAC_CTX*>(hmacContext), md, &len, sizeof md) != 1) {
    return SG_ERR_UNKNOWN;
  }
  *output = signal_buffer_create(md, len);
  return *output == nullptr ? SG_ERR_NOMEM : 0;
}

void hmacCleanup(void* hmacContext, void*) { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(hmacContext)); }

int sha512Init(void** digestContext, void*) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) {
    return SG_ERR_NOMEM;
  }
  if (EVP_DigestInit_ex(ctx, algorithms().sha512, nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *digestContext = ctx;
  return 0;
}

int sha512Update(void* digestContext, const uint8_t* data, size_t len, void*) {
  return EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(digestContext), data, len) == 1 ? 0 : SG_ERR_UNKNOWN;
}

int sha512Final(void* digestContext, signal_buffer** output, void*) {
  auto* ctx = static_cast<EVP_MD_CTX*>(digestContext);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, md, &len) != 1) {
    return SG_ERR_UNKNOWN;
  }
  // libsignal reuses the context after final (fingerprints hash in rounds): reset it.
  if (EVP_DigestInit_ex(ctx, algorithms().sha512, nullptr) != 1) {
    return SG_ERR_UNKNOWN;
  }
  *output = signal_buffer_create(md, len);
  return *output == nullptr ? SG_ERR_NOMEM : 0;
}

void sha512Cleanup(void* digestContext, void*) { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(digestContext)); }

int crypt(bool encrypt, signal_buffer** output, int kind, const uint8_t* key, size_t keyLen, const uint8_t* iv,
          size_t ivLen, const uint8_t* input, size_t inputLen) {
  const EVP_CIPHER* cipher = algorithms().cipher(kind, keyLen);
  if (cipher == nullptr || ivLen != 16 || inputLen > static_cast<size_t>(INT_MAX) - 32) {
    return SG_ERR_INVAL;
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) {
    return SG_ERR_NOMEM;
  }
  // Room for one more block of padding; libsignal trims with the length we report.
  signal_buffer* out = signal_buffer_alloc(inputLen + 16);
  int result = SG_ERR_UNKNOWN;
  int len1 = 0;
  int len2 = 0;
  if (out != nullptr && EVP_CipherInit_ex2(ctx, cipher, key, iv, encrypt ? 1 : 0, nullptr) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx, kind == SG_CIPHER_AES_CBC_PKCS5 ? 1 : 0) == 1 &&
      EVP_CipherUpdate(ctx, signal_buffer_data(out), &len1, input, static_cast<int>(inputLen)) == 1 &&
      EVP_CipherFinal_ex(ctx, signal_buffer_data(out) + len1, &len2) == 1) {
    signal_buffer* exact = signal_buffer_create(signal_buffer_data(out), static_cast<size_t>(len1 + len2));
    result = exact == nullptr ? SG_ERR_NOMEM : 0;
    *output = exact;
  } else if (out == nullptr) {
    result = SG_ERR_NOMEM;
  } else if (!encrypt) {
    // Wrong PKCS#7 padding: the ciphertext was not made with this key.
    result = SG_ERR_INVALID_MESSAGE;
  }
  signal_buffer_bzero_free(out);
  EVP_CIPHER_CTX_free(ctx);
  return result;
}

int encryptFunc(signal_buffer** output, int cipher, const uint8_t* key, size_t keyLen, const uint8_t* iv, size_t ivLen,
                const uint8_t* plaintext, size_t plaintextLen, void*) {
  return crypt(true, output, cipher, key, keyLen, iv, ivLen, plaintext, plaintextLen);
}

int decryptFunc(signal_buffer** output, int cipher, const uint8_t* key, size_t keyLen, const uint8_t* iv, size_t ivLen,
                const uint8_t* ciphertext, size_t ciphertextLen, void*) {
  return crypt(false, output, cipher, key, keyLen, iv, ivLen, ciphertext, ciphertextLen);
}

}  // namespace

signal_crypto_provider openSslCryptoProvider() {
  (void)algorithms();  // fetch now, not inside the first message
  signal_crypto_provider p{};
  p.random_func = &randomBytes;
  p.hmac_sha256_init_func = &hmacInit;
  p.hmac_sha256_update_func = &hmacUpdate;
  p.hmac_sha256_final_func = &hmacFinal;
  p.hmac_sha256_cleanup_func = &hmacCleanup;
  p.sha512_digest_init_func = &sha512Init;
  p.sha512_digest_update_func = &sha512Update;
  p.sha512_digest_final_func = &sha512Final;
  p.sha512_digest_cleanup_func = &sha512Cleanup;
  p.encrypt_func = &encryptFunc;
  p.decrypt_func = &decryptFunc;
  p.user_data = nullptr;
  return p;
}

}  // namespace switchboard::whatsapp::detail
