#pragma once

// Plain-text tables for humans (`--json` prints the API's JSON instead). Columns are as wide as
// their widest cell, counted in UTF-8 code points; cells are cut at 60 with an ellipsis.

#include <ostream>
#include <string>
#include <vector>

namespace switchboard::sbctl {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void print(std::ostream& out) const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

/// "2024-05-01 12:30:05" in UTC from milliseconds since the epoch; "-" for 0.
std::string formatTime(long long ms);

}  // namespace switchboard::sbctl
