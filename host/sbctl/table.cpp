#include "sbctl/table.hpp"

#include <algorithm>
#include <ctime>

namespace switchboard::sbctl {
namespace {

constexpr std::size_t kMaxCell = 60;

std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    n += (c & 0xC0) != 0x80 ? 1 : 0;  // count code points, not bytes
  }
  return n;
}

std::string clip(const std::string& s) {
  if (width(s) <= kMaxCell) {
    return s;
  }
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80 && ++n > kMaxCell - 1) {
      break;
    }
    out.push_back(s[i]);
  }
  return out + "\u2026";
}

std::string oneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\t', ' ');
  return s;
}

}  // namespace

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths;
  for (const auto& h : headers_) {
    widths.push_back(width(h));
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows_) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < headers_.size(); ++i) {
      row.push_back(clip(oneLine(i < r.size() ? r[i] : "")));
      widths[i] = std::max(widths[i], width(row.back()));
    }
    cells.push_back(std::move(row));
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t i = 0; i < row.size(); ++i) {
      text += row[i];
      if (i + 1 < row.size()) {
        text += std::string(widths[i] - width(row[i]) + 2, ' ');
      }
    }
    out << text << "\n";
  };
  line(headers_);
  for (const auto& r : cells) {
    line(r);
  }
}

std::string formatTime(long long ms) {
  if (ms <= 0) {
    return "-";
  }
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace switchboard::sbctl
