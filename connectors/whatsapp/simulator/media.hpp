#pragma once

// The simulator's media endpoint (protocol notes section 9): HTTPS with a private CA made at start
// (clients are told to trust it: Node's NODE_EXTRA_CA_CERTS, an http.Client with the CA for
// whatsmeow). `w:m media_conn` names it as the upload host; uploads are checked against their
// token (the file's encrypted SHA-256) and stored under a direct path, downloads serve them back.
// The server never decrypts media: it holds what the sender encrypted, as WhatsApp does.

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/server.hpp"
#include "protocol/bytes.hpp"

namespace switchboard::wasim {

/// Uploaded files by direct path, bounded in total size (oldest dropped first).
class MediaStore {
 public:
  explicit MediaStore(std::size_t maxBytes) : maxBytes_(maxBytes) {}
  /// Stores a file and returns its direct path (`/v/t62.7118-24/...enc?ccb=...&oh=...&oe=...`).
  std::string put(whatsapp::Bytes data);
  /// The file at a direct path (query ignored).
  std::optional<std::shared_ptr<const whatsapp::Bytes>> get(const std::string& path) const;
  std::size_t bytes() const;

 private:
  mutable std::mutex mutex_;
  std::size_t maxBytes_;
  std::size_t bytes_ = 0;
  std::map<std::string, std::shared_ptr<const whatsapp::Bytes>> files_;
  std::deque<std::string> order_;
};

class MediaServer {
 public:
  /// Listens with HTTPS on address (port 0: any free one).
  static sdk::Result<std::unique_ptr<MediaServer>> start(const boost::asio::any_io_executor& executor,
                                                         const std::string& address, std::size_t maxFileBytes);
  ~MediaServer();
  /// "127.0.0.1:PORT": the hostname media_conn hands out.
  std::string host() const;
  /// The token clients put in ?auth=.
  const std::string& auth() const { return auth_; }
  /// The CA that signed the endpoint's certificate (PEM), for clients to trust.
  const std::string& caPem() const { return caPem_; }
  std::size_t maxFileBytes() const { return maxFileBytes_; }
  MediaStore& store() { return *store_; }
  void stop();

 private:
  MediaServer() = default;
  std::shared_ptr<http::Server> server_;
  std::shared_ptr<MediaStore> store_;
  std::string address_;
  std::string auth_;
  std::string caPem_;
  std::size_t maxFileBytes_ = 0;
};

}  // namespace switchboard::wasim
