#pragma once

// Showing a QR code to a person: as terminal art in the log, and as a PNG file an operator (or the
// admin console) can open. Both come from libqrencode's module matrix.

#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp::connector {

/// The modules of a QR code, row by row, true = dark, with no quiet zone.
struct QrMatrix {
  int width = 0;
  std::vector<bool> modules;
  bool dark(int x, int y) const {
    return x >= 0 && y >= 0 && x < width && y < width && modules[static_cast<std::size_t>(y * width + x)];
  }
};

/// Encodes text (8-bit mode, error correction level L as WhatsApp's clients use).
sdk::Result<QrMatrix> encodeQr(const std::string& text);

/// Two rows per text line with Unicode half blocks, light on dark terminals, with a quiet zone.
std::string qrTerminalArt(const QrMatrix& qr);

/// A grayscale PNG, `scale` pixels per module, 4-module quiet zone.
std::string qrPng(const QrMatrix& qr, int scale = 8);

/// Writes bytes to path atomically (temporary file, then rename).
sdk::Status writeFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace switchboard::whatsapp::connector
