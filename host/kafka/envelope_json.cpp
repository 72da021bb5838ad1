#include "kafka/envelope_json.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "switchboard/v1/envelope.pb.h"

namespace switchboard::host {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kHex[] = "0123456789abcdef";

void appendU16Escape(std::string& out, unsigned unit) {
  out += "\\u";
  out += kHex[(unit >> 12) & 15];
  out += kHex[(unit >> 8) & 15];
  out += kHex[(unit >> 4) & 15];
  out += kHex[unit & 15];
}

// The code points protobuf's printer writes as \u escapes: controls, and the invisible
// formatting characters that could hide text from a reader of the JSON.
bool escapedCodePoint(std::uint32_t cp) {
  if (cp < 0x20 || cp == '"' || cp == '\\' || cp == '<' || cp == '>' || (cp >= 0x7f && cp <= 0x9f)) {
    return true;
  }
  if (cp < 0xad) {
    return false;
  }
  return cp == 0xad || (cp >= 0x600 && cp <= 0x603) || cp == 0x6dd || cp == 0x70f || cp == 0x17b4 ||
         cp == 0x17b5 || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff ||
         (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0x1d173 && cp <= 0x1d17a) || cp == 0xe0001 ||
         (cp >= 0xe0020 && cp <= 0xe007f);
}

// Decodes one UTF-8 sequence at s[i]; 0 when it is not valid UTF-8.
std::size_t utf8Length(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if ((b0 & 0xe0) == 0xc0) {
    n = 2, cp = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    n = 3, cp = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

bool appendString(std::string& out, std::string_view s) {
  out += '"';
  std::size_t plainFrom = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    // Fast path: printable ASCII that needs no escape.
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>') {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t n = utf8Length(s, i, cp);
    if (n == 0) {
      return false;  // not UTF-8: leave it to protobuf's printer
    }
    if (!escapedCodePoint(cp)) {
      i += n;
      continue;
    }
    out.append(s.data() + plainFrom, i - plainFrom);
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (cp >= 0x10000) {
          const std::uint32_t v = cp - 0x10000;
          appendU16Escape(out, 0xd800 + (v >> 10));
          appendU16Escape(out, 0xdc00 + (v & 0x3ff));
        } else {
          appendU16Escape(out, cp);
        }
    }
    i += n;
    plainFrom = i;
  }
  out.append(s.data() + plainFrom, s.size() - plainFrom);
  out += '"';
  return true;
}

void appendBase64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out += '"';
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    const bool two = i + 1 < bytes.size();
    if (two) {
      v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    }
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += two ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  out += '"';
}

template <typename T>
void appendInteger(std::string& out, T v, bool quoted) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  if (quoted) {
    out += '"';
  }
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
  if (quoted) {
    out += '"';
  }
}

// protobuf's SimpleDtoa/SimpleFtoa: the shortest of %.15g / %.17g (%.6g / %.9g) that reads back.
void appendFloating(std::string& out, double v, bool isFloat) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char buf[40];
  if (isFloat) {
    const auto f = static_cast<float>(v);
    std::snprintf(buf, sizeof(buf), "%.*g", FLT_DIG, static_cast<double>(f));
    if (std::strtof(buf, nullptr) != f) {
      std::snprintf(buf, sizeof(buf), "%.*g", FLT_DIG + 3, static_cast<double>(f));
    }
  } else {
    std::snprintf(buf, sizeof(buf), "%.*g", DBL_DIG, v);
    if (std::strtod(buf, nullptr) != v) {
      std::snprintf(buf, sizeof(buf), "%.*g", DBL_DIG + 2, v);
    }
  }
  out += buf;
}

void appendDigits(std::string& out, long long v, int width) {
  char buf[12];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

// google.protobuf.Timestamp in its JSON form: the RFC 3339 text, quoted.
bool appendTimestamp(std::string& out, const Message& m) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  out += '"';
  if (!appendRfc3339(out, r->GetInt64(m, d->field(0)), r->GetInt32(m, d->field(1)))) {
    return false;
  }
  out += '"';
  return true;
}

bool appendMessage(const Message& m, std::string& out);

bool isTimestamp(const Descriptor* d) { return d == google::protobuf::Timestamp::descriptor(); }

bool appendMessageValue(const Message& m, std::string& out) {
  const Descriptor* d = m.GetDescriptor();
  if (isTimestamp(d)) {
    return appendTimestamp(out, m);
  }
  if (d->file()->package() == "google.protobuf") {
    return false;  // another well-known type with a special JSON form: protobuf's printer knows it
  }
  return appendMessage(m, out);
}

// One value of a singular field, or element `index` of a repeated one.
bool appendValue(const Message& m, const Reflection* r, const FieldDescriptor* f, int index, std::string& out) {
  const bool repeated = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      appendInteger(out, repeated ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f), false);
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      appendInteger(out, repeated ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f), false);
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      appendInteger(out, repeated ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), true);
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      appendInteger(out, repeated ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), true);
      return true;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      appendFloating(out, repeated ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), false);
      return true;
    case FieldDescriptor::CPPTYPE_FLOAT:
      appendFloating(out, repeated ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), true);
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      out += (repeated ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
      return true;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = repeated ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* value = f->enum_type()->FindValueByNumber(number);
      if (value == nullptr) {
        appendInteger(out, number, false);  // a number this build does not know
      } else {
        out += '"';
        out += value->name();
        out += '"';
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = repeated ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                      : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        appendBase64(out, s);
        return true;
      }
      return appendString(out, s);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return appendMessageValue(repeated ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), out);
  }
  return false;
}

bool appendMap(const Message& m, const Reflection* r, const FieldDescriptor* f, std::string& out) {
  const FieldDescriptor* keyField = f->message_type()->map_key();
  const FieldDescriptor* valueField = f->message_type()->map_value();
  out += '{';
  const int n = r->FieldSize(m, f);
  for (int i = 0; i < n; ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    const Reflection* er = entry.GetReflection();
    if (i > 0) {
      out += ',';
    }
    // JSON object keys are strings whatever the map's key type.
    if (keyField->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      std::string scratch;
      if (!appendString(out, er->GetStringReference(entry, keyField, &scratch))) {
        return false;
      }
    } else if (keyField->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      out += er->GetBool(entry, keyField) ? "\"true\"" : "\"false\"";
    } else {
      std::string key;
      if (!appendValue(entry, er, keyField, -1, key)) {
        return false;
      }
      if (key.front() != '"') {
        key = '"' + key + '"';
      }
      out += key;
    }
    out += ':';
    if (!appendValue(entry, er, valueField, -1, out)) {
      return false;
    }
  }
  out += '}';
  return true;
}

bool appendMessage(const Message& m, std::string& out) {
  const Reflection* r = m.GetReflection();
  if (!r->GetUnknownFields(m).empty()) {
    return false;  // written by a newer schema: protobuf's printer decides what to do with them
  }
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);  // the set fields, in field-number order, as protobuf prints them
  out += '{';
  bool first = true;
  for (const FieldDescriptor* f : fields) {
    if (!first) {
      out += ',';
    }
    first = false;
    out += '"';
    out += f->json_name();
    out += "\":";
    if (f->is_map()) {
      if (!appendMap(m, r, f, out)) {
        return false;
      }
    } else if (f->is_repeated()) {
      out += '[';
      const int n = r->FieldSize(m, f);
      for (int k = 0; k < n; ++k) {
        if (k > 0) {
          out += ',';
        }
        if (!appendValue(m, r, f, k, out)) {
          return false;
        }
      }
      out += ']';
    } else if (!appendValue(m, r, f, -1, out)) {
      return false;
    }
  }
  out += '}';
  return true;
}

}  // namespace

bool appendRfc3339(std::string& out, long long seconds, int nanos) {
  // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, as protobuf accepts.
  constexpr long long kMin = -62135596800LL, kMax = 253402300799LL;
  if (seconds < kMin || seconds > kMax || nanos < 0 || nanos > 999999999) {
    return false;
  }
  long long days = seconds / 86400;
  long long rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Civil date from days since 1970-01-01 (proleptic Gregorian).
  const long long z = days + 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long day = doy - (153 * mp + 2) / 5 + 1;
  const long long month = mp < 10 ? mp + 3 : mp - 9;
  const long long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  appendDigits(out, year, 4);
  out += '-';
  appendDigits(out, month, 2);
  out += '-';
  appendDigits(out, day, 2);
  out += 'T';
  appendDigits(out, rem / 3600, 2);
  out += ':';
  appendDigits(out, rem / 60 % 60, 2);
  out += ':';
  appendDigits(out, rem % 60, 2);
  if (nanos != 0) {
    out += '.';
    if (nanos % 1000000 == 0) {
      appendDigits(out, nanos / 1000000, 3);
    } else if (nanos % 1000 == 0) {
      appendDigits(out, nanos / 1000, 6);
    } else {
      appendDigits(out, nanos, 9);
    }
  }
  out += 'Z';
  return true;
}

bool appendCanonicalJson(const Message& message, std::string& out) { return appendMessageValue(message, out); }

sdk::Status envelopeBytesToJson(std::string_view protobufBytes, std::string& out) {
  thread_local v1::Envelope envelope;
  envelope.Clear();
  if (!envelope.ParseFromArray(protobufBytes.data(), static_cast<int>(protobufBytes.size()))) {
    return sdk::Error::fatal("kafka.corrupt_payload", "stored outbox payload is not a switchboard.v1.Envelope");
  }
  out.clear();
  out.reserve(protobufBytes.size() * 2 + 64);
  if (appendCanonicalJson(envelope, out)) {
    return sdk::okStatus();
  }
  out.clear();
  auto status = google::protobuf::util::MessageToJsonString(envelope, &out);
  if (!status.ok()) {
    return sdk::Error::fatal("kafka.corrupt_payload",
                             "stored outbox payload has no JSON form: " + std::string(status.message()));
  }
  return sdk::okStatus();
}

sdk::Result<std::string> envelopeBytesToJson(std::string_view protobufBytes) {
  std::string out;
  SB_TRY(envelopeBytesToJson(protobufBytes, out));
  return out;
}

}  // namespace switchboard::host
