#include "text_fold.hpp"

#include <cstdint>

namespace switchboard::autoresponder {
namespace {

// Latin-1 Supplement U+00C0..U+00FF without accents; '-' stands for the separators × and ÷, and the
// three letters that fold to two (Æ, Þ, ß) are handled before the table is read.
constexpr std::string_view kLatin1 = "aaaaaaaceeeeiiiidnooooo-ouuuuytsaaaaaaaceeeeiiiidnooooo-ouuuuyty";
static_assert(kLatin1.size() == 64);

// Latin Extended-A U+0100..U+017F without accents (upper and lower case alternate in the block).
constexpr std::string_view kLatinExtA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuu"
    "uuuwwyyyzzzzzzs";
static_assert(kLatinExtA.size() == 128);

struct Decoded {
  std::uint32_t cp = 0;
  std::size_t length = 0;  // 0: invalid sequence (skip one byte)
};

Decoded decode(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    return {b0, 1};
  }
  std::size_t len = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (i + len > s.size()) {
    return {};
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      return {};
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {};
  }
  return {cp, len};
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Punctuation, symbols and emoji separate words; so do controls and the invisible joiners.
bool isSeparator(std::uint32_t cp) {
  if (cp < 0x80) {
    return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  }
  return cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFF00 && cp <= 0xFF0F) || cp == 0xFEFF || cp >= 0x1F000;
}

// Appends the folded form of a letter or digit.
void appendFolded(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
    return;
  }
  if (cp >= 0xC0 && cp <= 0xFF) {
    if (cp == 0xC6 || cp == 0xE6) {
      out += "ae";
    } else if (cp == 0xDE || cp == 0xFE) {
      out += "th";
    } else if (cp == 0xDF) {
      out += "ss";
    } else {
      out += kLatin1[cp - 0xC0];
    }
    return;
  }
  if (cp >= 0x100 && cp <= 0x17F) {
    out += kLatinExtA[cp - 0x100];
    return;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) {  // Greek capitals
    cp += 0x20;
  } else if (cp >= 0x410 && cp <= 0x42F) {  // Cyrillic capitals
    cp += 0x20;
  } else if (cp >= 0x400 && cp <= 0x40F) {
    cp += 0x50;
  }
  appendUtf8(out, cp);
}

}  // namespace

std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) {
    return text;
  }
  std::size_t end = maxBytes;
  // Step back over continuation bytes to the start of the sequence that would be cut.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

std::string foldText(std::string_view text, std::size_t maxBytes) {
  text = utf8Prefix(text, maxBytes);
  std::string out;
  out.reserve(text.size());
  bool pendingSpace = false;
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode(text, i);
    if (d.length == 0) {
      pendingSpace = !out.empty();
      ++i;
      continue;
    }
    i += d.length;
    if (isSeparator(d.cp)) {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
    }
    appendFolded(out, d.cp);
  }
  return out;
}

std::vector<std::string_view> splitWords(std::string_view folded) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < folded.size()) {
    auto end = folded.find(' ', start);
    if (end == std::string_view::npos) {
      end = folded.size();
    }
    if (end > start) {
      words.push_back(folded.substr(start, end - start));
    }
    start = end + 1;
  }
  return words;
}

bool containsPhrase(const std::vector<std::string_view>& words, const std::vector<std::string>& phrase) {
  if (phrase.empty() || phrase.size() > words.size()) {
    return false;
  }
  for (std::size_t i = 0; i + phrase.size() <= words.size(); ++i) {
    std::size_t k = 0;
    while (k < phrase.size() && words[i + k] == phrase[k]) {
      ++k;
    }
    if (k == phrase.size()) {
      return true;
    }
  }
  return false;
}

}  // namespace switchboard::autoresponder
