#include "connector/media_conn.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "connector/pairing.hpp"
#include "connector/stanza.hpp"

namespace switchboard::whatsapp::connector {

namespace {

bool safeHost(const std::string& h) {
  return !h.empty() && h.size() <= 255 && std::all_of(h.begin(), h.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
}

bool safePath(const std::string& p) {
  return p.size() > 1 && p.size() <= 4096 && p[0] == '/' && p[1] != '/' &&
         std::none_of(p.begin(), p.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f || c == '@'; });
}

}  // namespace

Node mediaConnQuery(std::string id) { return iq(std::move(id), "set", "w:m", Node::Children{Node("media_conn")}); }

sdk::Result<MediaConn> parseMediaConn(const Node& reply, MediaConn::Clock::time_point now) {
  const Node* mc = reply.child("media_conn");
  if (mc == nullptr) {
    return sdk::Error::permanent("whatsapp.media_conn", "media_conn reply without <media_conn>");
  }
  MediaConn out;
  out.auth = attrOr(*mc, "auth");
  long long ttl = std::strtoll(attrOr(*mc, "ttl", "300").c_str(), nullptr, 10);
  ttl = std::clamp<long long>(ttl, 60, 86'400);
  out.expires = now + std::chrono::seconds(ttl);
  for (const auto& h : childrenOf(*mc)) {
    if (h.tag == "host" && out.hosts.size() < 16) {
      const std::string name = attrOr(h, "hostname");
      if (safeHost(name)) {
        out.hosts.push_back(name);
      }
    }
  }
  if (out.auth.empty() || out.hosts.empty()) {
    return sdk::Error::permanent("whatsapp.media_conn", "media_conn reply without an auth token or a usable host");
  }
  return out;
}

std::vector<std::string> downloadUrls(const MediaLocator& locator, const std::vector<std::string>& hosts) {
  std::vector<std::string> urls;
  if (safePath(locator.directPath)) {
    for (const auto& h : hosts) {
      if (safeHost(h)) {
        urls.push_back("https://" + h + locator.directPath);
      }
    }
  }
  constexpr std::string_view kHttps = "https://";
  if (locator.url.rfind(kHttps, 0) == 0 && locator.url.size() <= 4096) {
    const auto slash = locator.url.find('/', kHttps.size());
    const std::string host = locator.url.substr(kHttps.size(), slash == std::string::npos ? slash : slash - kHttps.size());
    if (slash != std::string::npos && safeHost(host) && safePath(locator.url.substr(slash)) &&
        std::find(urls.begin(), urls.end(), locator.url) == urls.end()) {
      urls.push_back(locator.url);
    }
  }
  return urls;
}

std::string uploadUrl(const std::string& host, const std::string& mmsType, ByteView fileEncSha256,
                      const std::string& auth) {
  std::string token = base64(fileEncSha256);
  while (!token.empty() && token.back() == '=') {
    token.pop_back();
  }
  std::replace(token.begin(), token.end(), '+', '-');
  std::replace(token.begin(), token.end(), '/', '_');
  // The auth token is opaque: percent-encode everything but the unreserved characters.
  std::string encodedAuth;
  for (unsigned char c : auth) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encodedAuth.push_back(static_cast<char>(c));
    } else {
      static const char* kHex = "0123456789ABCDEF";
      encodedAuth += '%';
      encodedAuth += kHex[c >> 4];
      encodedAuth += kHex[c & 15];
    }
  }
  return "https://" + host + "/mms/" + mmsType + "/" + token + "?auth=" + encodedAuth + "&token=" + token;
}

std::string mmsTypeOf(const std::string& mediaType) {
  if (mediaType == "sticker") {
    return "image";
  }
  if (mediaType == "ptt") {
    return "audio";
  }
  return mediaType;
}

sdk::Result<UploadedMedia> parseUploadReply(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return sdk::Error::permanent("whatsapp.media.upload_reply", "the media host's reply is not a JSON object");
  }
  UploadedMedia out;
  if (auto it = j.find("url"); it != j.end() && it->is_string()) {
    out.url = it->get<std::string>();
  }
  if (auto it = j.find("direct_path"); it != j.end() && it->is_string()) {
    out.directPath = it->get<std::string>();
  }
  if (out.url.empty() && out.directPath.empty()) {
    return sdk::Error::permanent("whatsapp.media.upload_reply", "the media host's reply has neither url nor direct_path");
  }
  return out;
}

}  // namespace switchboard::whatsapp::connector
