#include "services/crawler/listing_parsers.h"

#include <vector>

namespace mm::crawler {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Splits off `n` whitespace-separated fields; `rest` receives the remainder (leading blanks
// removed). Returns false when there are fewer fields.
bool SplitFields(std::string_view line, int n, std::vector<std::string_view>* fields,
                 std::string_view* rest) {
  size_t i = 0;
  for (int f = 0; f < n; ++f) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i >= line.size()) return false;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    fields->push_back(line.substr(start, i - start));
  }
  while (i < line.size() && IsSpace(line[i])) ++i;
  *rest = line.substr(i);
  return true;
}

bool ParseSize(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 26) return false;
  int64_t v = 0;
  int digits = 0;
  for (char c : s) {
    if (c == ',') continue;
    if (c < '0' || c > '9') return false;
    if (++digits > 18) return false;
    v = v * 10 + (c - '0');
  }
  if (digits == 0) return false;
  *out = v;
  return true;
}

bool LooksLikeMode(std::string_view m) {
  if (m.size() != 10) return false;
  for (char c : m.substr(1)) {
    if (c != 'r' && c != 'w' && c != 'x' && c != '-' && c != 's' && c != 'S' && c != 't' &&
        c != 'T') {
      return false;
    }
  }
  return true;
}

std::string_view StripChomp(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

}  // namespace

std::optional<ListingEntry> ParseRsyncLine(std::string_view line) {
  line = StripChomp(line);
  std::vector<std::string_view> f;
  std::string_view rest;
  if (!SplitFields(line, 4, &f, &rest) || rest.empty()) return std::nullopt;
  if (!LooksLikeMode(f[0])) return std::nullopt;
  if (f[2].size() != 10 || f[2][4] != '/' || f[3].size() != 8 || f[3][2] != ':') return std::nullopt;
  ListingEntry e;
  e.type = f[0][0];
  e.size_valid = ParseSize(f[1], &e.size);
  std::string_view path = rest;
  if (e.type == 'l') {
    size_t arrow = path.find(" -> ");
    if (arrow != std::string_view::npos) path = path.substr(0, arrow);
  }
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.substr(0, 2) == "./" && path.size() > 2) path.remove_prefix(2);
  if (path.empty()) return std::nullopt;
  e.path = std::string(path);
  return e;
}

std::optional<ListingEntry> ParseFtpListLine(std::string_view line) {
  line = StripChomp(line);
  std::vector<std::string_view> f;
  std::string_view rest;
  if (!SplitFields(line, 8, &f, &rest) || rest.empty()) return std::nullopt;
  if (!LooksLikeMode(f[0])) return std::nullopt;
  ListingEntry e;
  e.type = f[0][0];
  e.size_valid = ParseSize(f[4], &e.size);
  std::string_view name = rest;
  if (e.type == 'l') {
    size_t arrow = name.find(" -> ");
    if (arrow != std::string_view::npos) name = name.substr(0, arrow);
  }
  if (name.empty() || name == "." || name == "..") return std::nullopt;
  e.path = std::string(name);
  return e;
}

}  // namespace mm::crawler
