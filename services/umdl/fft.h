#pragma once
// The fullfiletimelist-* files written by quick-fedora-mirror (mm2-backend.md §1.4a): only the
// [Files] section is read, from a line equal to "[Files]" to the next line starting with "[".
// Each data row is TAB separated: timestamp, type, size, path (more columns are ignored). The
// first character of the type is the kind ('f' file, 'd' directory, anything else ignored); a
// second character '-' marks an unreadable entry.
//
// Bad input never aborts: rows with fewer than four columns, non-numeric timestamps or sizes,
// over-long lines, unsafe paths, or a last line without its newline (a file cut short while
// being rewritten) are counted and skipped.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace mm::umdl {

struct FftEntry {
  int64_t timestamp = 0;
  char kind = 0;  // 'f', 'd', 'l', ...
  bool unreadable = false;
  int64_t size = 0;
  std::string_view path;  // as written (not normalised); points into the parsed buffer
  size_t line = 0;        // 1-based line number
};

struct FftParseStats {
  size_t rows = 0;       // rows of the [Files] section handed to the callback
  size_t malformed = 0;  // rows skipped as malformed
  size_t first_malformed_line = 0;
  std::string first_malformed;  // the first bad row (truncated to 200 bytes)
  bool truncated = false;       // the last [Files] row had no newline and was dropped
};

struct FftLimits {
  size_t max_line_bytes = 64 * 1024;
  size_t max_rows = 100'000'000;
};

// Calls `on_entry` for every well-formed row of the [Files] section, in file order.
void ParseFft(std::string_view data, const std::function<void(const FftEntry&)>& on_entry,
              FftParseStats* stats, const FftLimits& limits = FftLimits());

}  // namespace mm::umdl
