#include "connector/qr_render.hpp"

#include <qrencode.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace switchboard::whatsapp::connector {

namespace {

constexpr int kQuiet = 4;

void put32(std::string& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
}

void chunk(std::string& png, const char* type, const std::string& data) {
  put32(png, static_cast<std::uint32_t>(data.size()));
  std::string body(type, 4);
  body += data;
  png += body;
  put32(png, static_cast<std::uint32_t>(
                 crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

}  // namespace

sdk::Result<QrMatrix> encodeQr(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0,
                        QR_ECLEVEL_L),
      QRcode_free);
  if (!code) {
    return sdk::Error::permanent("whatsapp.qr", "the QR text (" + std::to_string(text.size()) +
                                                    " bytes) cannot be encoded as a QR code");
  }
  QrMatrix m;
  m.width = code->width;
  m.modules.resize(static_cast<std::size_t>(m.width * m.width));
  for (std::size_t i = 0; i < m.modules.size(); ++i) {
    m.modules[i] = (code->data[i] & 1) != 0;
  }
  return m;
}

std::string qrTerminalArt(const QrMatrix& qr) {
  // Each character covers two module rows: upper half, lower half, both or none. Dark modules are
  // drawn as spaces on a light block background, which scans on dark and light terminals alike.
  std::string out;
  const int size = qr.width + 2 * kQuiet;
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; ++x) {
      const bool top = qr.dark(x - kQuiet, y - kQuiet);
      const bool bottom = qr.dark(x - kQuiet, y + 1 - kQuiet);
      if (!top && !bottom) {
        out += "\u2588";
      } else if (!top) {
        out += "\u2580";
      } else if (!bottom) {
        out += "\u2584";
      } else {
        out += " ";
      }
    }
    out += '\n';
  }
  return out;
}

std::string qrPng(const QrMatrix& qr, int scale) {
  const int size = (qr.width + 2 * kQuiet) * scale;
  std::string raw;
  raw.reserve(static_cast<std::size_t>(size) * (size + 1));
  for (int y = 0; y < size; ++y) {
    raw += '\0';  // filter: none
    for (int x = 0; x < size; ++x) {
      raw += qr.dark(x / scale - kQuiet, y / scale - kQuiet) ? '\x00' : '\xff';
    }
  }
  uLongf packedSize = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packedSize, '\0');
  compress2(reinterpret_cast<Bytef*>(packed.data()), &packedSize, reinterpret_cast<const Bytef*>(raw.data()),
            static_cast<uLong>(raw.size()), 9);
  packed.resize(packedSize);

  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  put32(header, static_cast<std::uint32_t>(size));
  put32(header, static_cast<std::uint32_t>(size));
  header += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grayscale, deflate, no filter, no interlace
  chunk(png, "IHDR", header);
  chunk(png, "IDAT", packed);
  chunk(png, "IEND", "");
  return png;
}

sdk::Status writeFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      return sdk::Error::retriable("whatsapp.file", "cannot write " + tmp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return sdk::Error::retriable("whatsapp.file", "cannot rename " + tmp + " to " + path + ": " + ec.message());
  }
  return sdk::okStatus();
}

}  // namespace switchboard::whatsapp::connector
