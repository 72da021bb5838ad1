#include "protocol/cert_chain.hpp"

#include <cstring>

#include "switchboard/whatsapp/wire/handshake.pb.h"

namespace switchboard::whatsapp {
namespace {

using wire::CertChain;

std::string serializeDetails(const CertSpec& spec, const Key32& key) {
  CertChain::NoiseCertificate::Details d;
  d.set_serial(spec.serial);
  d.set_issuer_serial(spec.issuerSerial);
  d.set_key(key.data(), key.size());
  d.set_not_before(spec.notBefore);
  d.set_not_after(spec.notAfter);
  return d.SerializeAsString();
}

void sign(CertChain::NoiseCertificate* cert, const std::string& details, const KeyPair& signer) {
  Signature sig = xeddsaSign(signer.priv, asBytes(details));
  cert->set_details(details);
  cert->set_signature(sig.data(), sig.size());
}

sdk::Error chainError(std::string what) { return protocolError("noise.cert", std::move(what)); }

}  // namespace

Bytes issueCertChain(const KeyPair& root, const KeyPair& intermediate, const CertSpec& intermediateSpec,
                     const Key32& leafKey, const CertSpec& leafSpec) {
  CertChain chain;
  sign(chain.mutable_intermediate(), serializeDetails(intermediateSpec, intermediate.pub), root);
  sign(chain.mutable_leaf(), serializeDetails(leafSpec, leafKey), intermediate);
  return toBytes(chain.SerializeAsString());
}

Bytes issueCertChain(const KeyPair& root, const KeyPair& intermediate, const Key32& leafKey, std::uint64_t now) {
  constexpr std::uint64_t kDay = 86400;
  CertSpec inter{1, 0, now - kDay, now + 3650 * kDay};
  CertSpec leaf{2, 1, now - kDay, now + 3650 * kDay};
  return issueCertChain(root, intermediate, inter, leafKey, leaf);
}

sdk::Status verifyCertChain(ByteView bytes, const TrustedRoot& root, const Key32& serverStatic, std::uint64_t now) {
  CertChain chain;
  if (!chain.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return chainError("the certificate chain is not a CertChain message");
  }
  if (!chain.has_leaf() || !chain.has_intermediate() || !chain.leaf().has_details() ||
      !chain.leaf().has_signature() || !chain.intermediate().has_details() || !chain.intermediate().has_signature()) {
    return chainError("the certificate chain lacks a certificate, its details or its signature");
  }
  const auto& inter = chain.intermediate();
  const auto& leaf = chain.leaf();
  CertChain::NoiseCertificate::Details interDetails;
  CertChain::NoiseCertificate::Details leafDetails;
  if (!interDetails.ParseFromString(inter.details()) || !leafDetails.ParseFromString(leaf.details())) {
    return chainError("certificate details do not parse");
  }
  if (inter.signature().size() != 64 || leaf.signature().size() != 64) {
    return chainError("a certificate signature is not 64 bytes");
  }
  if (interDetails.key().size() != 32 || leafDetails.key().size() != 32) {
    return chainError("a certificate key is not 32 bytes");
  }
  if (!xeddsaVerify(root.key, asBytes(inter.details()), asBytes(inter.signature()))) {
    return chainError("the intermediate certificate is not signed by the trusted root");
  }
  Key32 interKey;
  std::memcpy(interKey.data(), interDetails.key().data(), interKey.size());
  if (!xeddsaVerify(interKey, asBytes(leaf.details()), asBytes(leaf.signature()))) {
    return chainError("the leaf certificate is not signed by the intermediate");
  }
  if (interDetails.issuer_serial() != root.serial) {
    return chainError("the intermediate's issuer serial " + std::to_string(interDetails.issuer_serial()) +
                      " is not the root's " + std::to_string(root.serial));
  }
  if (leafDetails.issuer_serial() != interDetails.serial()) {
    return chainError("the leaf's issuer serial does not name the intermediate");
  }
  for (const auto* d : {&interDetails, &leafDetails}) {
    if (d->not_before() > now || d->not_after() < now) {
      return chainError("a certificate is not valid at " + std::to_string(now) + " (valid " +
                        std::to_string(d->not_before()) + ".." + std::to_string(d->not_after()) + ")");
    }
  }
  if (std::memcmp(serverStatic.data(), leafDetails.key().data(), serverStatic.size()) != 0) {
    return chainError("the leaf certificate's key is not the server's static key");
  }
  return sdk::okStatus();
}

}  // namespace switchboard::whatsapp
