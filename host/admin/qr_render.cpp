#include "admin/qr_render.hpp"

#include <qrencode.h>
#include <zlib.h>

#include <memory>

namespace switchboard::admin {
namespace {

void putU32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void putChunk(std::string& out, const char* type, const std::string& data) {
  putU32(out, static_cast<std::uint32_t>(data.size()));
  std::string typed = std::string(type, 4) + data;
  out += typed;
  auto crc = crc32(0L, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size()));
  putU32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

sdk::Result<QrMatrix> encodeQr(const std::string& text) {
  if (text.empty()) {
    return sdk::Error::permanent("qr.empty", "nothing to encode in a QR code");
  }
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M),
                                                  QRcode_free);
  if (!code) {
    return sdk::Error::permanent("qr.encode", "the text (" + std::to_string(text.size()) +
                                                  " bytes) cannot be encoded as a QR code");
  }
  QrMatrix m;
  m.size = code->width;
  m.dark.resize(static_cast<std::size_t>(m.size) * static_cast<std::size_t>(m.size));
  for (std::size_t i = 0; i < m.dark.size(); ++i) {
    m.dark[i] = (code->data[i] & 1) != 0;  // libqrencode: bit 0 is the module's colour
  }
  return m;
}

std::string qrToSvg(const QrMatrix& qr, int scale, int border) {
  const int total = (qr.size + 2 * border) * scale;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(total) + "\" height=\"" + std::to_string(total) + "\" viewBox=\"0 0 " +
                    std::to_string(qr.size + 2 * border) + " " + std::to_string(qr.size + 2 * border) +
                    "\" shape-rendering=\"crispEdges\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n<path "
                    "fill=\"#000\" d=\"";
  // One path of unit squares, runs of dark modules merged per row.
  for (int y = 0; y < qr.size; ++y) {
    int x = 0;
    while (x < qr.size) {
      if (!qr.at(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < qr.size && qr.at(x + run, y)) {
        ++run;
      }
      out += "M" + std::to_string(x + border) + " " + std::to_string(y + border) + "h" + std::to_string(run) +
             "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  out += "\"/>\n</svg>\n";
  return out;
}

sdk::Result<std::string> qrToPng(const QrMatrix& qr, int scale, int border) {
  const auto side = static_cast<std::uint32_t>((qr.size + 2 * border) * scale);
  // Raw scanlines: a filter byte (0, none) then one grey byte per pixel.
  std::string raw;
  raw.reserve(static_cast<std::size_t>(side) * (side + 1));
  for (std::uint32_t py = 0; py < side; ++py) {
    raw.push_back(0);
    const int my = static_cast<int>(py) / scale - border;
    for (std::uint32_t px = 0; px < side; ++px) {
      const int mx = static_cast<int>(px) / scale - border;
      const bool dark = mx >= 0 && my >= 0 && mx < qr.size && my < qr.size && qr.at(mx, my);
      raw.push_back(dark ? '\x00' : '\xff');
    }
  }
  uLongf bound = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(bound, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &bound, reinterpret_cast<const Bytef*>(raw.data()),
                static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK) {
    return sdk::Error::permanent("qr.png", "zlib could not compress the image");
  }
  packed.resize(bound);

  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  putU32(header, side);
  putU32(header, side);
  header += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit greyscale, deflate, no filter set, no interlace
  putChunk(png, "IHDR", header);
  putChunk(png, "IDAT", packed);
  putChunk(png, "IEND", "");
  return png;
}

std::string qrToTerminal(const QrMatrix& qr, int border, bool darkOnLight) {
  auto drawn = [&](int x, int y) {
    const bool inside = x >= 0 && y >= 0 && x < qr.size && y < qr.size;
    const bool dark = inside && qr.at(x, y);
    return darkOnLight ? dark : !dark;
  };
  std::string out;
  for (int y = -border; y < qr.size + border; y += 2) {
    for (int x = -border; x < qr.size + border; ++x) {
      const bool top = drawn(x, y);
      const bool bottom = y + 1 < qr.size + border && drawn(x, y + 1);
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += "\n";
  }
  return out;
}

}  // namespace switchboard::admin
