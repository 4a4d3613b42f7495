#include "tests/unit/netblocks/server_netblocks_model.h"

#include <arpa/inet.h>

#include <vector>

namespace mm::netblocks::testing {
namespace {

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::vector<std::string> SplitWhitespace(const std::string& line) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

// "addr/len" -> address bytes (unmasked), length, family. Written independently of the
// production parser (which clears host bits, the thing checked here).
bool ParseCidr(const std::string& text, std::array<uint8_t, 16>* addr, int* len, bool* v6) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  std::string digits = text.substr(slash + 1);
  if (digits.empty() || digits.size() > 3) return false;
  *len = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    *len = *len * 10 + (c - '0');
  }
  addr->fill(0);
  std::string a = text.substr(0, slash);
  if (inet_pton(AF_INET, a.c_str(), addr->data()) == 1) {
    *v6 = false;
    return *len <= 32;
  }
  if (inet_pton(AF_INET6, a.c_str(), addr->data()) == 1) {
    *v6 = true;
    return *len <= 128;
  }
  return false;
}

std::array<uint8_t, 16> Mask(std::array<uint8_t, 16> a, int len) {
  for (int bit = len; bit < 128; ++bit) a[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  return a;
}

}  // namespace

ServerNetblocksModel::ServerNetblocksModel(const std::string& contents) {
  for (unsigned char c : contents) {
    if (c >= 0x80) {
      hazard_ = "a byte that is not ASCII: the server would drop the whole table";
      return;
    }
  }
  size_t pos = 0;
  int number = 0;
  while (pos < contents.size()) {
    size_t nl = contents.find('\n', pos);
    std::string line = contents.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? contents.size() : nl + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> f = SplitWhitespace(line);
    auto fail = [&](const std::string& why) {
      if (hazard_.empty()) hazard_ = "line " + std::to_string(number) + " '" + line + "': " + why;
    };
    if (f.empty()) {
      fail("empty line (index out of range at start-up)");
      continue;
    }
    std::array<uint8_t, 16> addr;
    int len = 0;
    bool v6 = false;
    if (!ParseCidr(f[0], &addr, &len, &v6) || len == 0) {
      ++skipped_;
      continue;
    }
    if (f.size() < 2) {
      fail("no second field (index out of range at start-up)");
      continue;
    }
    std::array<uint8_t, 16> masked = Mask(addr, len);
    if (masked != addr) {
      fail("host bits set (tree-bitmap assertion at start-up)");
      continue;
    }
    (v6 ? v6_ : v4_)[Key{masked, len}] = f[1];
  }
}

std::optional<std::string> ServerNetblocksModel::LongestMatch(const std::string& address) const {
  std::array<uint8_t, 16> a{};
  bool v6 = false;
  if (inet_pton(AF_INET, address.c_str(), a.data()) != 1) {
    if (inet_pton(AF_INET6, address.c_str(), a.data()) != 1) return std::nullopt;
    v6 = true;
  }
  const auto& table = v6 ? v6_ : v4_;
  for (int len = v6 ? 128 : 32; len >= 1; --len) {
    auto it = table.find(Key{Mask(a, len), len});
    if (it != table.end()) return it->second;
  }
  return std::nullopt;
}

std::optional<std::string> ServerNetblocksModel::Exact(const std::string& network) const {
  std::array<uint8_t, 16> a;
  int len = 0;
  bool v6 = false;
  if (!ParseCidr(network, &a, &len, &v6)) return std::nullopt;
  const auto& table = v6 ? v6_ : v4_;
  auto it = table.find(Key{Mask(a, len), len});
  if (it == table.end()) return std::nullopt;
  return it->second;
}

}  // namespace mm::netblocks::testing
