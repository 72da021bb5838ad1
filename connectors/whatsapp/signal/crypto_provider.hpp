#pragma once

// Internal to sb_wasignal: the signal_crypto_provider libsignal-protocol-c needs, on OpenSSL 3.

#include <signal_protocol.h>

namespace switchboard::whatsapp::detail {

/// Random (RAND_bytes), HMAC-SHA256, SHA-512, AES-CBC with PKCS#7 padding and AES-CTR (128, 192
/// or 256-bit keys, 16-byte IVs). The algorithms are fetched once; every call makes its own
/// OpenSSL context, so the provider is safe on any number of threads.
signal_crypto_provider openSslCryptoProvider();

}  // namespace switchboard::whatsapp::detail
