#include "services/catalog/store/directory_files.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace mm::catalog {
namespace {

// Decodes one UTF-8 sequence; invalid bytes become U+FFFD (as Python's "replace").
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  unsigned char c = s[i];
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = s[i + k];
    if ((cc >> 6) != 2) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  i += len;
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = NextCodePoint(s, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (cp < 0x20 || (cp > 0x7f && cp < 0x10000)) {
          out += absl::StrFormat("\\u%04x", cp);
        } else if (cp >= 0x10000) {
          uint32_t v = cp - 0x10000;
          out += absl::StrFormat("\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
        } else {
          out += static_cast<char>(cp);
        }
    }
  }
  out += '"';
}

}  // namespace

std::string EncodeDirectoryFiles(std::vector<DirectoryFile> files) {
  std::sort(files.begin(), files.end(),
            [](const DirectoryFile& a, const DirectoryFile& b) { return a.name < b.name; });
  std::string out = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    if (i) out += ", ";
    out += "{\"name\": ";
    AppendJsonString(out, files[i].name);
    out += absl::StrFormat(", \"size\": %d, \"timestamp\": %d}", files[i].size, files[i].timestamp);
  }
  return out + "]";
}

std::vector<DirectoryFile> DecodeDirectoryFiles(std::string_view blob, bool* ok, size_t max_bytes) {
  std::vector<DirectoryFile> out;
  if (ok) *ok = false;
  if (blob.empty() || blob.size() > max_bytes) return out;
  nlohmann::json j = nlohmann::json::parse(blob.begin(), blob.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) return out;
  for (const auto& item : j) {
    if (!item.is_object()) return {};
    auto name = item.find("name");
    auto size = item.find("size");
    auto ts = item.find("timestamp");
    if (name == item.end() || !name->is_string()) return {};
    DirectoryFile f;
    f.name = name->get<std::string>();
    // Sizes and timestamps are ints upstream; tolerate floats and numeric strings.
    auto number = [](const nlohmann::json& v, int64_t* dst) {
      if (v.is_number_integer()) {
        *dst = v.get<int64_t>();
      } else if (v.is_number_float()) {
        double d = v.get<double>();
        if (!(d > -9.2e18 && d < 9.2e18)) return false;
        *dst = static_cast<int64_t>(d);
      } else if (v.is_string()) {
        try {
          size_t used = 0;
          std::string s = v.get<std::string>();
          *dst = std::stoll(s, &used);
          if (used != s.size()) return false;
        } catch (...) {
          return false;
        }
      } else {
        return false;
      }
      return true;
    };
    if (size != item.end() && !number(*size, &f.size)) return {};
    if (ts != item.end() && !number(*ts, &f.timestamp)) return {};
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const DirectoryFile& a, const DirectoryFile& b) { return a.name < b.name; });
  if (ok) *ok = true;
  return out;
}

}  // namespace mm::catalog
