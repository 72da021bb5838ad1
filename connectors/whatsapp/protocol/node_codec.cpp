// Encoder and decoder of WhatsApp binary nodes. The encoder picks string forms in the order the
// reference clients do (token, nibble, hex, JID, raw), so its bytes match theirs; the decoder takes
// untrusted bytes and checks every length against what is left before it reads or allocates.
#include <zlib.h>

#include <cstring>

#include "protocol/binary_node.hpp"
#include "protocol/jid.hpp"

namespace switchboard::whatsapp {
namespace {

using sdk::Error;
using sdk::Result;
using sdk::Status;

// ---------------------------------------------------------------------------------------------
// Encoding

bool isNibbleChar(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '.'; }
bool isHexChar(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

template <typename Pred>
bool packable(std::string_view s, Pred pred) {
  if (s.empty() || s.size() > tags::kPackedMax) {
    return false;
  }
  for (char c : s) {
    if (!pred(c)) {
      return false;
    }
  }
  return true;
}

std::uint8_t nibbleValue(char c) {
  if (c == '-') {
    return 10;
  }
  if (c == '.') {
    return 11;
  }
  return static_cast<std::uint8_t>(c - '0');
}

std::uint8_t hexValue(char c) {
  return c <= '9' ? static_cast<std::uint8_t>(c - '0') : static_cast<std::uint8_t>(10 + c - 'A');
}

class Encoder {
 public:
  Encoder(const TokenDictionary& dict, Bytes& out) : dict_(dict), out_(out) {}

  Status node(const Node& n) {
    if (n.tag.empty()) {
      return protocolError("codec.empty_tag", "a node needs a tag");
    }
    bool hasContent = !std::holds_alternative<std::monostate>(n.content);
    std::size_t size = 1 + 2 * n.attrs.size() + (hasContent ? 1 : 0);
    SB_TRY(listStart(size));
    SB_TRY(string(n.tag));
    for (const auto& [k, v] : n.attrs) {
      SB_TRY(string(k));
      SB_TRY(string(v));
    }
    if (const auto* b = n.bytes()) {
      SB_TRY(byteLength(b->size()));
      append(out_, *b);
    } else if (const auto* s = n.text()) {
      SB_TRY(string(*s));
    } else if (const auto* list = n.children()) {
      SB_TRY(listStart(list->size()));
      for (const auto& c : *list) {
        SB_TRY(node(c));
      }
    }
    return sdk::okStatus();
  }

 private:
  void push(std::uint8_t b) { out_.push_back(b); }

  Status listStart(std::size_t size) {
    if (size == 0) {
      push(tags::kListEmpty);
    } else if (size < 256) {
      push(tags::kList8);
      push(static_cast<std::uint8_t>(size));
    } else if (size <= 0xFFFF) {
      push(tags::kList16);
      push(static_cast<std::uint8_t>(size >> 8));
      push(static_cast<std::uint8_t>(size));
    } else {
      return protocolError("codec.list_too_long", "a node list holds at most 65535 entries");
    }
    return sdk::okStatus();
  }

  Status byteLength(std::size_t n) {
    if (n < 256) {
      push(tags::kBinary8);
      push(static_cast<std::uint8_t>(n));
    } else if (n < (1u << 20)) {
      push(tags::kBinary20);
      push(static_cast<std::uint8_t>((n >> 16) & 0x0F));
      push(static_cast<std::uint8_t>(n >> 8));
      push(static_cast<std::uint8_t>(n));
    } else if (n <= 0xFFFFFFFFu) {
      push(tags::kBinary32);
      for (int shift = 24; shift >= 0; shift -= 8) {
        push(static_cast<std::uint8_t>(n >> shift));
      }
    } else {
      return protocolError("codec.blob_too_long", "a binary value is limited to 4 GiB");
    }
    return sdk::okStatus();
  }

  Status raw(std::string_view s) {
    SB_TRY(byteLength(s.size()));
    append(out_, asBytes(s));
    return sdk::okStatus();
  }

  void packed(std::string_view s, std::uint8_t tag, std::uint8_t (*value)(char)) {
    push(tag);
    auto bytes = static_cast<std::uint8_t>((s.size() + 1) / 2);
    push(static_cast<std::uint8_t>(bytes | (s.size() % 2 ? 0x80 : 0)));
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
      push(static_cast<std::uint8_t>((value(s[i]) << 4) | value(s[i + 1])));
    }
    if (s.size() % 2) {
      push(static_cast<std::uint8_t>((value(s.back()) << 4) | 0x0F));
    }
  }

  Status jid(const Jid& j) {
    switch (j.form) {
      case Jid::Form::Pair:
        push(tags::kJidPair);
        if (j.user.empty()) {
          push(tags::kListEmpty);
        } else {
          SB_TRY(jidPart(j.user));
        }
        return jidPart(j.server);
      case Jid::Form::AgentDevice:
        push(tags::kAdJid);
        push(j.domainType());
        push(static_cast<std::uint8_t>(j.device));
        return jidPart(j.user);
      case Jid::Form::Messenger:
        push(tags::kFbJid);
        SB_TRY(jidPart(j.user));
        push(static_cast<std::uint8_t>(j.device >> 8));
        push(static_cast<std::uint8_t>(j.device));
        return jidPart(j.server);
      case Jid::Form::Interop:
        push(tags::kInteropJid);
        SB_TRY(jidPart(j.user));
        push(static_cast<std::uint8_t>(j.device >> 8));
        push(static_cast<std::uint8_t>(j.device));
        push(static_cast<std::uint8_t>(j.integrator >> 8));
        push(static_cast<std::uint8_t>(j.integrator));
        return jidPart(j.server);
    }
    return sdk::okStatus();
  }

  // Parts of a JID never become JIDs themselves (the decoder refuses nesting).
  Status jidPart(std::string_view s) { return string(s, false); }

  Status string(std::string_view s, bool allowJid = true) {
    if (s.empty()) {
      return raw(s);
    }
    if (auto token = dict_.find(s)) {
      if (token->isDouble) {
        push(static_cast<std::uint8_t>(tags::kDictionary0 + token->dict));
      }
      push(token->index);
      return sdk::okStatus();
    }
    if (packable(s, isNibbleChar)) {
      packed(s, tags::kNibble8, nibbleValue);
      return sdk::okStatus();
    }
    if (packable(s, isHexChar)) {
      packed(s, tags::kHex8, hexValue);
      return sdk::okStatus();
    }
    if (allowJid && s.find('@') != std::string_view::npos) {
      // Only JIDs whose text survives the trip are sent as JIDs; anything odd stays a string.
      if (auto j = Jid::parse(s); j && j->toString() == s && !j->server.empty() &&
                                  j->user.find('@') == std::string::npos) {
        return jid(*j);
      }
    }
    return raw(s);
  }

  const TokenDictionary& dict_;
  Bytes& out_;
};

// ---------------------------------------------------------------------------------------------
// Decoding

class Decoder {
 public:
  Decoder(ByteView data, const TokenDictionary& dict, const DecodeLimits& limits)
      : data_(data), dict_(dict), limits_(limits) {}

  Result<Node> node(std::size_t depth) {
    if (depth > limits_.maxDepth) {
      return fail("codec.too_deep", "nodes are nested deeper than " + std::to_string(limits_.maxDepth));
    }
    auto sizeTag = byte();
    if (!sizeTag) {
      return sizeTag.takeError();
    }
    auto size = listSize(*sizeTag);
    if (!size) {
      return size.takeError();
    }
    if (*size == 0) {
      return fail("codec.invalid_node", "a node needs at least a tag");
    }
    std::size_t attrCount = (*size - 1) / 2;
    elements_ += 1 + attrCount;
    if (elements_ > limits_.maxElements) {
      return fail("codec.too_many", "a frame holds more than " + std::to_string(limits_.maxElements) +
                                        " nodes and attributes");
    }
    Node n;
    auto tagByte = byte();
    if (!tagByte) {
      return tagByte.takeError();
    }
    SB_TRY(string(*tagByte, n.tag, true));
    if (n.tag.empty()) {
      return fail("codec.invalid_node", "a node tag is empty");
    }
    // Each attribute takes at least two bytes, so this reservation is bounded by the input.
    if (attrCount * 2 > remaining()) {
      return fail("codec.truncated", "attribute count exceeds the input");
    }
    n.attrs.reserve(attrCount);
    for (std::size_t i = 0; i < attrCount; ++i) {
      Node::Attribute a;
      auto k = byte();
      if (!k) {
        return k.takeError();
      }
      SB_TRY(string(*k, a.first, true));
      auto v = byte();
      if (!v) {
        return v.takeError();
      }
      SB_TRY(string(*v, a.second, true));
      n.attrs.push_back(std::move(a));
    }
    if (*size % 2 == 0) {
      auto tag = byte();
      if (!tag) {
        return tag.takeError();
      }
      if (*tag == tags::kListEmpty || *tag == tags::kList8 || *tag == tags::kList16) {
        auto count = listSize(*tag);
        if (!count) {
          return count.takeError();
        }
        // A child node takes at least three bytes.
        if (*count * 3 > remaining()) {
          return fail("codec.truncated", "child count exceeds the input");
        }
        Node::Children children;
        children.reserve(*count);
        for (std::size_t i = 0; i < *count; ++i) {
          auto c = node(depth + 1);
          if (!c) {
            return c.takeError();
          }
          children.push_back(std::move(*c));
        }
        n.content = std::move(children);
      } else if (*tag == tags::kBinary8 || *tag == tags::kBinary20 || *tag == tags::kBinary32) {
        auto len = binaryLength(*tag);
        if (!len) {
          return len.takeError();
        }
        auto b = take(*len);
        if (!b) {
          return b.takeError();
        }
        n.content = Bytes(b->begin(), b->end());
      } else {
        std::string s;
        SB_TRY(string(*tag, s, true));
        n.content = std::move(s);
      }
    }
    return n;
  }

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }

 private:
  Error fail(std::string code, std::string what) const {
    return protocolError(std::move(code), what + " (at byte " + std::to_string(pos_) + ")");
  }

  Result<std::uint8_t> byte() {
    if (pos_ >= data_.size()) {
      return fail("codec.truncated", "input ends inside a node");
    }
    return data_[pos_++];
  }

  Result<std::uint32_t> integer(std::size_t n) {
    if (remaining() < n) {
      return fail("codec.truncated", "input ends inside a length");
    }
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      v = (v << 8) | data_[pos_++];
    }
    return v;
  }

  Result<ByteView> take(std::size_t n) {
    if (remaining() < n) {
      return fail("codec.truncated", "a value of " + std::to_string(n) + " bytes exceeds the input");
    }
    ByteView v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }

  Result<std::size_t> listSize(std::uint8_t tag) {
    switch (tag) {
      case tags::kListEmpty:
        return std::size_t{0};
      case tags::kList8: {
        auto v = integer(1);
        if (!v) {
          return v.takeError();
        }
        return std::size_t{*v};
      }
      case tags::kList16: {
        auto v = integer(2);
        if (!v) {
          return v.takeError();
        }
        return std::size_t{*v};
      }
      default:
        return fail("codec.bad_list", "tag " + std::to_string(tag) + " does not start a list");
    }
  }

  Result<std::size_t> binaryLength(std::uint8_t tag) {
    if (tag == tags::kBinary8) {
      auto v = integer(1);
      if (!v) {
        return v.takeError();
      }
      return std::size_t{*v};
    }
    if (tag == tags::kBinary20) {
      auto v = integer(3);
      if (!v) {
        return v.takeError();
      }
      return std::size_t{*v & 0x0FFFFFu};
    }
    auto v = integer(4);
    if (!v) {
      return v.takeError();
    }
    return std::size_t{*v};
  }

  Status packed(std::uint8_t tag, std::string& out) {
    auto start = byte();
    if (!start) {
      return start.takeError();
    }
    auto body = take(*start & 0x7F);
    if (!body) {
      return body.takeError();
    }
    out.clear();
    out.reserve(body->size() * 2);
    for (auto b : *body) {
      for (std::uint8_t v : {static_cast<std::uint8_t>(b >> 4), static_cast<std::uint8_t>(b & 0x0F)}) {
        if (tag == tags::kHex8) {
          out += static_cast<char>(v < 10 ? '0' + v : 'A' + v - 10);
        } else if (v <= 9) {
          out += static_cast<char>('0' + v);
        } else if (v == 10) {
          out += '-';
        } else if (v == 11) {
          out += '.';
        } else if (v == 15) {
          out += '\0';
        } else {
          return fail("codec.bad_nibble", "nibble value " + std::to_string(v) + " is not a character");
        }
      }
    }
    if ((*start & 0x80) && !out.empty()) {
      out.pop_back();
    }
    return sdk::okStatus();
  }

  // Reads a string whose tag byte has been read. JID parts may not be JIDs themselves: that
  // keeps recursion to one level whatever the input.
  Status string(std::uint8_t tag, std::string& out, bool allowJid) {
    if (tag >= 1 && tag < dict_.singleCount()) {
      out = *dict_.single(tag);
      return sdk::okStatus();
    }
    switch (tag) {
      case tags::kListEmpty:
        out.clear();
        return sdk::okStatus();
      case tags::kDictionary0:
      case tags::kDictionary0 + 1:
      case tags::kDictionary0 + 2:
      case tags::kDictionary3: {
        auto index = byte();
        if (!index) {
          return index.takeError();
        }
        out = *dict_.doubleByte(static_cast<std::uint8_t>(tag - tags::kDictionary0), *index);
        return sdk::okStatus();
      }
      case tags::kBinary8:
      case tags::kBinary20:
      case tags::kBinary32: {
        auto len = binaryLength(tag);
        if (!len) {
          return len.takeError();
        }
        auto b = take(*len);
        if (!b) {
          return b.takeError();
        }
        out.assign(asChars(*b));
        return sdk::okStatus();
      }
      case tags::kNibble8:
      case tags::kHex8:
        return packed(tag, out);
      case tags::kJidPair:
      case tags::kAdJid:
      case tags::kFbJid:
      case tags::kInteropJid:
        if (!allowJid) {
          return fail("codec.nested_jid", "a JID part is itself a JID");
        }
        return jid(tag, out);
      default:
        return fail("codec.bad_string", "tag " + std::to_string(tag) + " does not start a string");
    }
  }

  Status part(std::string& out) {
    auto tag = byte();
    if (!tag) {
      return tag.takeError();
    }
    return string(*tag, out, false);
  }

  Status jid(std::uint8_t tag, std::string& out) {
    Jid j;
    if (tag == tags::kJidPair) {
      SB_TRY(part(j.user));
      SB_TRY(part(j.server));
      if (j.server.empty()) {
        return fail("codec.bad_jid", "a JID pair has no server");
      }
    } else if (tag == tags::kAdJid) {
      auto domain = byte();
      if (!domain) {
        return domain.takeError();
      }
      auto device = byte();
      if (!device) {
        return device.takeError();
      }
      SB_TRY(part(j.user));
      j.form = Jid::Form::AgentDevice;
      j.device = *device;
      j.server = std::string(Jid::serverForDomain(*domain));
      // Known domains are implied by the server; any other value is kept as the agent.
      j.agent = (j.server == kUserServer) ? *domain : 0;
    } else {
      SB_TRY(part(j.user));
      auto device = integer(2);
      if (!device) {
        return device.takeError();
      }
      j.device = static_cast<std::uint16_t>(*device);
      if (tag == tags::kInteropJid) {
        auto integrator = integer(2);
        if (!integrator) {
          return integrator.takeError();
        }
        j.integrator = static_cast<std::uint16_t>(*integrator);
        j.form = Jid::Form::Interop;
        // The server of an interop JID is optional: when what follows is not a string, the
        // reference decoder rewinds and assumes "interop"; we read the same bytes the same way.
        std::size_t before = pos_;
        if (!part(j.server).ok()) {
          pos_ = before;
          j.server = std::string(kInteropServer);
        }
      } else {
        j.form = Jid::Form::Messenger;
        SB_TRY(part(j.server));
      }
    }
    out = j.toString();
    return sdk::okStatus();
  }

  ByteView data_;
  std::size_t pos_ = 0;
  std::size_t elements_ = 0;
  const TokenDictionary& dict_;
  const DecodeLimits& limits_;
};

Result<Bytes> inflateBounded(ByteView in, std::size_t limit) {
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  if (inflateInit(&zs) != Z_OK) {
    return protocolError("codec.inflate", "zlib could not start");
  }
  Bytes out;
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  std::uint8_t chunk[16384];
  while (rc != Z_STREAM_END) {
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return protocolError("codec.inflate", "a compressed frame is not valid zlib data");
    }
    std::size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > limit) {
      inflateEnd(&zs);
      return protocolError("codec.inflate_limit", "a compressed frame inflates beyond " + std::to_string(limit) + " bytes");
    }
    out.insert(out.end(), chunk, chunk + produced);
    if (rc == Z_OK && produced == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return protocolError("codec.inflate", "a compressed frame ends early");
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace

Status encodeNode(const Node& node, const TokenDictionary& dict, Bytes& out) {
  Encoder e(dict, out);
  return e.node(node);
}

Result<Bytes> encodeNode(const Node& node, const TokenDictionary& dict) {
  Bytes out;
  SB_TRY(encodeNode(node, dict, out));
  return out;
}

Result<Bytes> encodeFramePayload(const Node& node, const TokenDictionary& dict) {
  Bytes out{0};
  SB_TRY(encodeNode(node, dict, out));
  return out;
}

Result<Node> decodeNode(ByteView data, const TokenDictionary& dict, const DecodeLimits& limits) {
  Decoder d(data, dict, limits);
  auto n = d.node(0);
  if (n.ok() && d.remaining() != 0) {
    return protocolError("codec.trailing", std::to_string(d.remaining()) + " bytes follow the node");
  }
  return n;
}

Result<Node> decodeFramePayload(ByteView data, const TokenDictionary& dict, const DecodeLimits& limits) {
  if (data.empty()) {
    return protocolError("codec.empty_frame", "a frame has no flags byte");
  }
  if (data[0] & 0x02) {
    auto inflated = inflateBounded(data.subspan(1), limits.maxInflatedSize);
    if (!inflated) {
      return inflated.takeError();
    }
    return decodeNode(*inflated, dict, limits);
  }
  return decodeNode(data.subspan(1), dict, limits);
}

}  // namespace switchboard::whatsapp
