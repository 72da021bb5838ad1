// Test peer for tests/node/waproto/proto-crosscheck.mjs: parses bytes Baileys serialized with its
// schema using ours, and answers with our JSON view, the number of fields we did not recognise
// (anywhere in the tree) and our re-serialization. Same field numbers and types give zero unknown
// fields and the same JSON as Baileys' own decoding.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "protocol/bytes.hpp"
#include "switchboard/whatsapp/wire/adv.pb.h"
#include "switchboard/whatsapp/wire/client_payload.pb.h"
#include "switchboard/whatsapp/wire/e2e.pb.h"
#include "switchboard/whatsapp/wire/handshake.pb.h"

namespace pb = google::protobuf;
namespace wa = switchboard::whatsapp;
using nlohmann::json;

namespace {

std::size_t unknownFields(const pb::Message& m) {
  const auto* refl = m.GetReflection();
  std::size_t n = static_cast<std::size_t>(refl->GetUnknownFields(m).field_count());
  std::vector<const pb::FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  for (const auto* f : fields) {
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    if (f->is_repeated()) {
      for (int i = 0; i < refl->FieldSize(m, f); ++i) {
        n += unknownFields(refl->GetRepeatedMessage(m, f, i));
      }
    } else {
      n += unknownFields(refl->GetMessage(m, f));
    }
  }
  return n;
}

std::string fromHex(const std::string& hex) {
  std::string out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
  }
  return out;
}

}  // namespace

int main() {
  // Touch each generated file so its descriptors are in the pool.
  wa::wire::HandshakeMessage h;
  wa::wire::ClientPayload c;
  wa::wire::ADVDeviceIdentity a;
  wa::wire::Message e;
  std::string line;
  while (std::getline(std::cin, line)) {
    json in = json::parse(line);
    std::string type = "switchboard.whatsapp.wire." + in.at("type").get<std::string>();
    const auto* desc = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    json out = {{"id", in.at("id")}};
    if (desc == nullptr) {
      out["error"] = "no such message type in our schema: " + type;
      std::cout << out.dump() << '\n';
      continue;
    }
    std::unique_ptr<pb::Message> msg(pb::MessageFactory::generated_factory()->GetPrototype(desc)->New());
    std::string bytes = fromHex(in.at("bytes").get<std::string>());
    if (!msg->ParseFromString(bytes)) {
      out["error"] = "does not parse";
    } else {
      std::string js;
      pb::util::JsonPrintOptions opts;
      (void)pb::util::MessageToJsonString(*msg, &js, opts);
      out["json"] = json::parse(js);
      out["unknown"] = unknownFields(*msg);
      out["reencoded"] = wa::toHex(wa::asBytes(msg->SerializeAsString()));
    }
    std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  return 0;
}
