// Fuzzes the WhatsApp connector's readers of media and group input: every input is decoded as a
// node (dictionary 3) and given to the media_conn, group metadata and w:gp2 readers, whose output
// then builds download URLs; the raw bytes also go through the upload-reply parser and, as a
// downloaded file with and without the hashes it claims, through media decryption.
#include <cstddef>
#include <cstdint>

#include "connector/group_info.hpp"
#include "connector/media_conn.hpp"
#include "connector/media_crypto.hpp"
#include "protocol/binary_node.hpp"
#include "protocol/crypto.hpp"
#include "protocol/token_dictionary.hpp"

namespace wa = switchboard::whatsapp;
namespace wc = switchboard::whatsapp::connector;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const wa::ByteView input(data, size);
  auto node = wa::decodeNode(input, wa::TokenDictionary::v3());
  if (node.ok()) {
    const wa::Node& n = node.value();
    auto conn = wc::parseMediaConn(n, wc::MediaConn::Clock::now());
    (void)wc::parseGroupNotification(n);
    auto group = wc::parseGroupInfo(n);
    wc::MediaLocator locator;
    if (group.ok()) {
      locator.directPath = group->subject;
      locator.url = group->creator;
    }
    (void)wc::downloadUrls(locator, conn.ok() ? conn->hosts : std::vector<std::string>{"h"});
  }
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)wc::parseUploadReply(text);
  static const wa::Bytes key(32, 7);
  const auto encHash = wa::sha256(input);
  (void)wc::decryptMedia(input, key, "image", encHash, {});
  (void)wc::decryptMedia(input, key, "document", {}, {});
  if (size > 40) {
    (void)wc::decryptMedia(input.subspan(32), input.first(32), "video", {}, input.first(32));
  }
  return 0;
}
