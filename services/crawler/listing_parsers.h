#pragma once
// Parsers for directory listings of mirrors: rsync's list-only output (one line per entry:
// permissions, size, date YYYY/MM/DD, time HH:MM:SS, path) and FTP LIST output in the Unix
// "ls -l" format (permissions, links, owner, group, size, month, day, time-or-year, name).
// Both are total: any input line yields an entry or nullopt.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mm::crawler {

struct ListingEntry {
  char type = '-';         // 'd' directory, 'l' symlink, '-' file, other characters as given
  int64_t size = 0;
  bool size_valid = false;  // false when the size column is not a number
  std::string path;         // symlinks: the link name without " -> target"; "." = the top
};

// rsync --list-only / -r listing line. Sizes with thousands separators ("1,234", printed by
// rsync >= 3.1 without --no-human-readable) are accepted; human-readable suffixes ("1.2K") are
// not (size_valid = false).
std::optional<ListingEntry> ParseRsyncLine(std::string_view line);

// FTP LIST line; the "total N" header and unparseable lines give nullopt.
std::optional<ListingEntry> ParseFtpListLine(std::string_view line);

}  // namespace mm::crawler
