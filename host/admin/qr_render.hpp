#pragma once

// QR codes for pairing: the admin API serves them as PNG and SVG, sbctl draws them in a terminal.
// Encoding is libqrencode's; the image writers are ours (PNG through zlib).

#include <cstdint>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::admin {

namespace sdk = switchboard::sdk;

/// A square of modules, row by row; true is dark.
struct QrMatrix {
  int size = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const { return dark[static_cast<std::size_t>(y) * static_cast<std::size_t>(size) + static_cast<std::size_t>(x)]; }
};

/// Encodes `text` (8-bit mode, error correction level M). Fails on empty or over-long text.
sdk::Result<QrMatrix> encodeQr(const std::string& text);

/// An SVG image: `scale` pixels per module and a quiet zone of `border` modules.
std::string qrToSvg(const QrMatrix& qr, int scale = 8, int border = 4);

/// A grayscale PNG image, same geometry.
sdk::Result<std::string> qrToPng(const QrMatrix& qr, int scale = 8, int border = 4);

/// Lines of text using Unicode half blocks, two module rows per line. Light modules are drawn as
/// blocks, so the code reads correctly on the usual dark terminal background; `darkOnLight`
/// draws the dark modules instead (for light backgrounds).
std::string qrToTerminal(const QrMatrix& qr, int border = 2, bool darkOnLight = false);

}  // namespace switchboard::admin
