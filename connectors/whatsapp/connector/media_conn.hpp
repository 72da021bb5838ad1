#pragma once

// The media hosts and upload token the server hands out (`w:m <media_conn/>`, protocol notes
// 9.2), kept per account until their ttl runs out, and the URLs built from them.

#include <chrono>
#include <string>
#include <vector>

#include "connector/message_content.hpp"
#include "protocol/binary_node.hpp"
#include "protocol/bytes.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp::connector {

struct MediaConn {
  using Clock = std::chrono::steady_clock;
  std::string auth;                ///< the upload token (?auth=)
  std::vector<std::string> hosts;  ///< host[:port], in the server's order
  Clock::time_point expires{};

  bool fresh(Clock::time_point now) const { return !hosts.empty() && now < expires; }
};

/// `<iq xmlns="w:m" type="set"><media_conn/></iq>` with the given id.
Node mediaConnQuery(std::string id);

/// Reads the reply; a reply without auth or without a usable host is an error. The ttl is capped
/// (a day) and floored (a minute) so a hostile value neither pins nor hammers the server.
sdk::Result<MediaConn> parseMediaConn(const Node& reply, MediaConn::Clock::time_point now);

/// Where a received file may be downloaded from, best first: each media host with the direct
/// path, then the message's own https URL. Hosts and paths that could redirect the request
/// elsewhere (no leading '/', userinfo, whitespace) are left out.
std::vector<std::string> downloadUrls(const MediaLocator& locator, const std::vector<std::string>& hosts);

/// `https://{host}/mms/{mmsType}/{token}?auth={auth}&token={token}`, token = unpadded base64url of
/// the encrypted file's SHA-256.
std::string uploadUrl(const std::string& host, const std::string& mmsType, ByteView fileEncSha256,
                      const std::string& auth);

/// The upload path segment of a media type (a sticker goes with images).
std::string mmsTypeOf(const std::string& mediaType);

/// The upload reply: `{"url": ..., "direct_path": ...}`; at least one of them must be present.
struct UploadedMedia {
  std::string url, directPath;
};
sdk::Result<UploadedMedia> parseUploadReply(const std::string& body);

}  // namespace switchboard::whatsapp::connector
