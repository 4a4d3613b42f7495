#include "services/cachegen/legacy_config.h"

#include <vector>

namespace mm::cachegen {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsName(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {  // one iteration per line
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Splits "NAME=VALUE" (after an optional "export "); false when the line is not one.
bool SplitAssignment(std::string_view line, std::string_view* name, std::string_view* value) {
  line = Trim(line);
  if (line.substr(0, 7) == "export ") line = Trim(line.substr(7));
  size_t eq = line.find('=');
  if (eq == std::string_view::npos) return false;
  *name = line.substr(0, eq);  // no spaces allowed around '=' in dotenv names
  *value = Trim(line.substr(eq + 1));
  return IsName(*name);
}

}  // namespace

bool LooksLikeDotenv(std::string_view text) {
  bool any = false;
  for (std::string_view line : Lines(text)) {
    std::string_view t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::string_view name, value;
    if (!SplitAssignment(t, &name, &value)) return false;
    any = true;
  }
  return any;
}

std::map<std::string, std::string> ParseDotenv(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : Lines(text)) {
    std::string_view t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::string_view name, value;
    if (!SplitAssignment(t, &name, &value)) continue;
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[std::string(name)] = std::string(value);
  }
  return out;
}

}  // namespace mm::cachegen
