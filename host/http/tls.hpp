#pragma once

// TLS contexts for the server and the client, and certificate generation for self-contained
// deployments and tests (a private CA and certificates it issues), all on OpenSSL 3.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::http {

namespace sdk = switchboard::sdk;
using TlsContextPtr = std::shared_ptr<boost::asio::ssl::context>;

/// A server context (TLS 1.2 and later) from PEM files: the certificate chain and its private key.
sdk::Result<TlsContextPtr> serverTlsFromFiles(const std::string& certChainFile, const std::string& keyFile);
/// The same from PEM text held in memory.
sdk::Result<TlsContextPtr> serverTlsFromPem(const std::string& certChainPem, const std::string& keyPem);

struct ClientTlsOptions {
  bool verify = true;   ///< verify the server's chain and host name; off only for explicit opt-outs
  std::string caFile;   ///< PEM bundle to trust; empty: the system's trust store
  std::string caPem;    ///< PEM text to trust in addition (tests, pinned private CAs)
};
/// A client context (TLS 1.2 and later). Host-name checking is done per connection by the client.
sdk::Result<TlsContextPtr> clientTls(const ClientTlsOptions& options);

/// A key pair and certificate in PEM.
struct PemIdentity {
  std::string certPem;
  std::string keyPem;
};

/// A self-signed CA (P-256, valid from an hour ago for `days`).
sdk::Result<PemIdentity> generateCa(const std::string& commonName, int days = 3650);
/// A server certificate signed by `ca` for the given DNS names and IP addresses (subjectAltName).
sdk::Result<PemIdentity> issueServerCertificate(const PemIdentity& ca, const std::string& commonName,
                                                const std::vector<std::string>& dnsNames,
                                                const std::vector<std::string>& ipAddresses, int days = 825);

}  // namespace switchboard::http
