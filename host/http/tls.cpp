#include "http/tls.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/system/error_code.hpp>

namespace switchboard::http {
namespace {

namespace ssl = boost::asio::ssl;

sdk::Error tlsError(std::string what) {
  // OpenSSL keeps a per-thread error queue; its first entry usually names the real cause.
  unsigned long code = ERR_get_error();
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    what += std::string(" (") + buf + ")";
  }
  ERR_clear_error();
  return sdk::Error::permanent("http.tls", std::move(what));
}

TlsContextPtr newContext(ssl::context::method method) {
  auto ctx = std::make_shared<ssl::context>(method);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  return ctx;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

sdk::Result<std::string> keyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return tlsError("could not encode the private key");
  }
  return bioText(bio.get());
}

sdk::Result<std::string> certToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return tlsError("could not encode the certificate");
  }
  return bioText(bio.get());
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
  if (ext == nullptr) {
    return false;
  }
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate with a random serial, the given subject, validity and public key; not yet signed.
sdk::Result<X509Ptr> newCertificate(EVP_PKEY* key, const std::string& commonName, int days) {
  X509Ptr cert(X509_new());
  if (!cert) {
    return tlsError("X509_new failed");
  }
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) {
    return tlsError("no randomness for the serial number");
  }
  serial[0] &= 0x7f;  // a positive INTEGER
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  ASN1_INTEGER* asn = bn != nullptr ? BN_to_ASN1_INTEGER(bn, nullptr) : nullptr;
  BN_free(bn);
  if (asn == nullptr || X509_set_serialNumber(cert.get(), asn) != 1) {
    ASN1_INTEGER_free(asn);
    return tlsError("could not set the serial number");
  }
  ASN1_INTEGER_free(asn);
  // Backdated an hour so clocks slightly behind still accept it.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()),
                             -1, -1, 0);
  if (X509_set_pubkey(cert.get(), key) != 1) {
    return tlsError("could not set the public key");
  }
  return cert;
}

sdk::Result<KeyPtr> loadKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    return tlsError("not a PEM private key");
  }
  return key;
}

sdk::Result<X509Ptr> loadCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    return tlsError("not a PEM certificate");
  }
  return cert;
}

}  // namespace

sdk::Result<TlsContextPtr> serverTlsFromFiles(const std::string& certChainFile, const std::string& keyFile) {
  auto ctx = newContext(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(certChainFile, ec);
  if (ec) {
    return sdk::Error::permanent("http.tls", "cannot use the certificate chain " + certChainFile + ": " + ec.message());
  }
  ctx->use_private_key_file(keyFile, ssl::context::pem, ec);
  if (ec) {
    return sdk::Error::permanent("http.tls", "cannot use the private key " + keyFile + ": " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return tlsError("the private key " + keyFile + " does not match the certificate " + certChainFile);
  }
  return ctx;
}

sdk::Result<TlsContextPtr> serverTlsFromPem(const std::string& certChainPem, const std::string& keyPem) {
  auto ctx = newContext(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(certChainPem), ec);
  if (ec) {
    return sdk::Error::permanent("http.tls", "cannot use the certificate chain: " + ec.message());
  }
  ctx->use_private_key(boost::asio::buffer(keyPem), ssl::context::pem, ec);
  if (ec) {
    return sdk::Error::permanent("http.tls", "cannot use the private key: " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return tlsError("the private key does not match the certificate");
  }
  return ctx;
}

sdk::Result<TlsContextPtr> clientTls(const ClientTlsOptions& options) {
  auto ctx = newContext(ssl::context::tls_client);
  boost::system::error_code ec;
  if (!options.verify) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  if (!options.caFile.empty()) {
    ctx->load_verify_file(options.caFile, ec);
    if (ec) {
      return sdk::Error::permanent("http.tls", "cannot load the CA file " + options.caFile + ": " + ec.message());
    }
  } else if (options.caPem.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) {
      return sdk::Error::permanent("http.tls", "cannot load the system trust store: " + ec.message());
    }
  }
  if (!options.caPem.empty()) {
    ctx->add_certificate_authority(boost::asio::buffer(options.caPem), ec);
    if (ec) {
      return sdk::Error::permanent("http.tls", "cannot add the CA certificate: " + ec.message());
    }
  }
  return ctx;
}

sdk::Result<PemIdentity> generateCa(const std::string& commonName, int days) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return tlsError("could not generate a P-256 key");
  }
  auto cert = newCertificate(key.get(), commonName, days);
  if (!cert) {
    return cert.takeError();
  }
  X509* c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(c));
  if (!addExtension(c, c, NID_basic_constraints, "critical,CA:TRUE") ||
      !addExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !addExtension(c, c, NID_subject_key_identifier, "hash")) {
    return tlsError("could not add the CA extensions");
  }
  if (X509_sign(c, key.get(), EVP_sha256()) == 0) {
    return tlsError("could not sign the CA certificate");
  }
  auto certPem = certToPem(c);
  auto keyPem = keyToPem(key.get());
  if (!certPem) {
    return certPem.takeError();
  }
  if (!keyPem) {
    return keyPem.takeError();
  }
  return PemIdentity{std::move(certPem).value(), std::move(keyPem).value()};
}

sdk::Result<PemIdentity> issueServerCertificate(const PemIdentity& ca, const std::string& commonName,
                                                const std::vector<std::string>& dnsNames,
                                                const std::vector<std::string>& ipAddresses, int days) {
  auto caKey = loadKey(ca.keyPem);
  if (!caKey) {
    return caKey.takeError();
  }
  auto caCert = loadCert(ca.certPem);
  if (!caCert) {
    return caCert.takeError();
  }
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return tlsError("could not generate a P-256 key");
  }
  auto cert = newCertificate(key.get(), commonName, days);
  if (!cert) {
    return cert.takeError();
  }
  X509* c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(caCert->get()));
  std::string san;
  for (const auto& d : dnsNames) {
    san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  }
  for (const auto& ip : ipAddresses) {
    san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  }
  if (!addExtension(c, caCert->get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !addExtension(c, caCert->get(), NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
      !addExtension(c, caCert->get(), NID_ext_key_usage, "serverAuth") ||
      (!san.empty() && !addExtension(c, caCert->get(), NID_subject_alt_name, san))) {
    return tlsError("could not add the server certificate's extensions");
  }
  if (X509_sign(c, caKey->get(), EVP_sha256()) == 0) {
    return tlsError("could not sign the server certificate");
  }
  auto certPem = certToPem(c);
  auto keyPem = keyToPem(key.get());
  if (!certPem) {
    return certPem.takeError();
  }
  if (!keyPem) {
    return keyPem.takeError();
  }
  return PemIdentity{std::move(certPem).value(), std::move(keyPem).value()};
}

}  // namespace switchboard::http
