#pragma once

// RFC 4180 CSV for contact import and export.

#include <string>
#include <vector>

namespace switchboard::host::storage {

struct CsvRow {
  int line = 0;                  // 1-based line where the row starts
  std::vector<std::string> cells;
};

/// Splits CSV text into rows; false (with `error`) on an unterminated quote.
bool parseCsv(const std::string& text, std::vector<CsvRow>& rows, std::string& error);
std::string csvCell(const std::string& value);

}  // namespace switchboard::host::storage
