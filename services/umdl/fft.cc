#include "services/umdl/fft.h"

#include "absl/strings/ascii.h"
#include "services/umdl/python_int.h"

namespace mm::umdl {
namespace {

std::string_view Strip(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// Upstream reads the time and size columns with Python's int().
bool ParseInt(std::string_view s, int64_t* out) {
  std::optional<int64_t> v = ParsePythonInt(s);
  if (!v) return false;
  *out = *v;
  return true;
}

void NoteMalformed(FftParseStats* stats, std::string_view row, size_t line) {
  if (stats->malformed++ == 0) {
    stats->first_malformed_line = line;
    stats->first_malformed = std::string(row.substr(0, 200));
  }
}

}  // namespace

void ParseFft(std::string_view data, const std::function<void(const FftEntry&)>& on_entry,
              FftParseStats* stats, const FftLimits& limits) {
  bool in_files = false;
  size_t line = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    bool complete = end != std::string_view::npos;
    if (!complete) end = data.size();
    std::string_view raw = data.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    std::string_view row = Strip(raw);
    if (row == "[Files]") {
      in_files = true;
      continue;
    }
    if (in_files && !row.empty() && row.front() == '[') {
      in_files = false;
      continue;
    }
    if (!in_files || row.empty()) continue;
    if (!complete) {  // a row cut short: its path may be a prefix of the real one
      stats->truncated = true;
      NoteMalformed(stats, row, line);
      break;
    }
    if (raw.size() > limits.max_line_bytes) {
      NoteMalformed(stats, row, line);
      continue;
    }
    std::string_view cols[4];
    size_t start = 0;
    int n = 0;
    while (n < 4) {
      size_t tab = row.find('\t', start);
      if (tab == std::string_view::npos) {
        cols[n++] = row.substr(start);
        break;
      }
      cols[n++] = row.substr(start, tab - start);
      start = tab + 1;
    }
    if (n < 4) {
      NoteMalformed(stats, row, line);
      continue;
    }
    // Columns beyond the fourth are ignored.
    std::string_view path = cols[3];
    size_t extra = path.find('\t');
    if (extra != std::string_view::npos) path = path.substr(0, extra);
    FftEntry e;
    e.line = line;
    if (cols[1].empty() || !ParseInt(cols[0], &e.timestamp) || !ParseInt(cols[2], &e.size) ||
        path.empty()) {
      NoteMalformed(stats, row, line);
      continue;
    }
    e.kind = cols[1][0];
    e.unreadable = cols[1].size() >= 2 && cols[1][1] == '-';
    e.path = path;
    if (stats->rows >= limits.max_rows) {
      NoteMalformed(stats, row, line);
      break;
    }
    ++stats->rows;
    on_entry(e);
  }
}

}  // namespace mm::umdl
