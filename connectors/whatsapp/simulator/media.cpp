#include "simulator/media.hpp"

#include <cstdio>

#include "http/router.hpp"
#include "http/tls.hpp"
#include "protocol/crypto.hpp"
#include <nlohmann/json.hpp>

#include "simulator/base64.hpp"

namespace switchboard::wasim {
namespace {

std::string randomHex(std::size_t bytes) {
  whatsapp::Bytes b(bytes);
  whatsapp::randomBytes(b);
  return whatsapp::toHex(b);
}

std::string withoutQuery(const std::string& path) { return path.substr(0, path.find('?')); }

}  // namespace

std::string MediaStore::put(whatsapp::Bytes data) {
  // Shaped like WhatsApp's: a path, then a query the clients keep and append to.
  std::string path = "/v/t62.7118-24/" + randomHex(16) + ".enc";
  std::string direct = path + "?ccb=11-4&oh=01_" + randomHex(8) + "&oe=" + randomHex(4) + "&_nc_sid=5e03e0";
  std::lock_guard lock(mutex_);
  bytes_ += data.size();
  files_.emplace(path, std::make_shared<const whatsapp::Bytes>(std::move(data)));
  order_.push_back(path);
  while (bytes_ > maxBytes_ && order_.size() > 1) {
    auto it = files_.find(order_.front());
    bytes_ -= it->second->size();
    files_.erase(it);
    order_.pop_front();
  }
  return direct;
}

std::optional<std::shared_ptr<const whatsapp::Bytes>> MediaStore::get(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = files_.find(withoutQuery(path));
  if (it == files_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::size_t MediaStore::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

sdk::Result<std::unique_ptr<MediaServer>> MediaServer::start(const boost::asio::any_io_executor& executor,
                                                             const std::string& address, std::size_t maxFileBytes) {
  std::unique_ptr<MediaServer> media(new MediaServer());
  media->address_ = address;
  media->auth_ = toBase64Url(whatsapp::asBytes(randomHex(24)));
  media->maxFileBytes_ = maxFileBytes;
  media->store_ = std::make_shared<MediaStore>(maxFileBytes * 8);
  auto ca = http::generateCa("switchboard-wasim media CA");
  if (!ca) {
    return ca.takeError();
  }
  auto cert = http::issueServerCertificate(*ca, address, {"localhost"}, {address});
  if (!cert) {
    return cert.takeError();
  }
  auto tls = http::serverTlsFromPem(cert->certPem, cert->keyPem);
  if (!tls) {
    return tls.takeError();
  }
  media->caPem_ = ca->certPem;

  auto router = std::make_shared<http::Router>();
  auto store = media->store_;
  auto auth = media->auth_;
  // Upload: POST /mms/{type}/{token}?auth=…&token=…; the token is base64url(SHA-256(body)),
  // padded (whatsmeow) or not (Baileys).
  router->add("POST", "/mms/{type}/{token}", [store, auth](const http::Request& req) {
    if (req.queryValue("auth").value_or("") != auth) {
      return http::Response::error(401, "unauthorized", "the auth query parameter is not the one media_conn gave");
    }
    auto token = req.param("token");
    while (!token.empty() && token.back() == '=') {
      token.pop_back();
    }
    auto hash = whatsapp::sha256(whatsapp::asBytes(req.body));
    if (token != toBase64Url(hash)) {
      return http::Response::error(400, "hash_mismatch", "the token is not the SHA-256 of the uploaded bytes");
    }
    auto direct = store->put(whatsapp::toBytes(req.body));
    auto host = req.header("Host");
    return http::Response::json(200, nlohmann::json{{"url", "https://" + host + direct}, {"direct_path", direct}});
  });
  // Download: the direct path, with whatever query the client appended.
  router->add("GET", "/v/{kind}/{file}", [store](const http::Request& req) {
    auto file = store->get(req.path);
    if (!file) {
      return http::Response::error(404, "not_found", "no media at " + req.path);
    }
    http::Response r;
    r.status = 200;
    r.contentType = "application/octet-stream";
    r.body.assign(reinterpret_cast<const char*>((*file)->data()), (*file)->size());
    return r;
  });
  http::ServerOptions options;
  options.address = address;
  options.tls = *tls;
  options.maxBodyBytes = maxFileBytes;
  options.name = "wasim-media";
  auto server = http::Server::start(executor, options, router);
  if (!server) {
    return server.takeError();
  }
  media->server_ = std::move(*server);
  return media;
}

MediaServer::~MediaServer() { stop(); }

void MediaServer::stop() {
  if (server_) {
    server_->stop();
  }
}

std::string MediaServer::host() const {
  return (address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_) + ":" +
         std::to_string(server_ ? server_->port() : 0);
}

}  // namespace switchboard::wasim
