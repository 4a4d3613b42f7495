#include "services/cachegen/netblock.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace mm::cachegen {
namespace {

// Longest textual IPv6 address with an embedded IPv4 part is 45 characters.
constexpr size_t kMaxAddressText = 64;

struct Address {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};
};

bool ParseAddress(std::string_view text, Address* out) {
  if (text.empty() || text.size() >= kMaxAddressText) return false;
  char buf[kMaxAddressText];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET, buf, out->bytes.data()) == 1) {
    out->family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out->bytes.data()) == 1) {
    out->family = AF_INET6;
    return true;
  }
  return false;
}

std::string FormatAddress(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (inet_ntop(a.family, a.bytes.data(), buf, sizeof buf) == nullptr) return "";
  return buf;
}

int MaxPrefix(const Address& a) { return a.family == AF_INET ? 32 : 128; }

// Decimal 0..999 without sign; leading zeros allowed (as Rust's integer parser does).
bool ParsePrefixLength(std::string_view text, int* out) {
  if (text.empty() || text.size() > 3) return false;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Prefix length of a contiguous netmask, or -1.
int NetmaskLength(const Address& mask) {
  int bytes = mask.family == AF_INET ? 4 : 16;
  int len = 0;
  bool in_ones = true;
  for (int i = 0; i < bytes; ++i) {
    for (int bit = 7; bit >= 0; --bit) {
      bool one = (mask.bytes[i] >> bit) & 1;
      if (one && !in_ones) return -1;
      if (one) {
        ++len;
      } else {
        in_ones = false;
      }
    }
  }
  return len;
}

// Host names only: the resolver would read all-numeric forms such as "10.1" or "167772161"
// as IPv4 addresses (inet_aton), so the last label must contain a non-digit.
bool LooksLikeHostName(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);  // fully qualified form
  if (s.empty() || s.size() > 253) return false;
  size_t label = 0;
  bool last_label_numeric = true;
  for (char c : s) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      last_label_numeric = true;
      continue;
    }
    bool digit = c >= '0' && c <= '9';
    bool ok = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
    if (!digit) last_label_numeric = false;
  }
  return label > 0 && !last_label_numeric;
}

// What the system resolver makes of a numeric host string without asking DNS: inet_aton's
// shorthand ("10.1" = 10.0.0.1, "167772161", octal "010.0.0.1", hex parts) and scoped IPv6
// ("fe80::1%1"). Upstream passes such text to getaddrinfo(3) (dns_lookup::lookup_host), so
// this gives the address it got. Empty when the text is not numeric.
std::string NumericHostKey(std::string_view text) {
  if (text.empty() || text.size() >= kMaxAddressText) return "";
  char buf[kMaxAddressText];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;  // never a DNS query
  addrinfo* res = nullptr;
  if (getaddrinfo(buf, nullptr, &hints, &res) != 0 || res == nullptr) return "";
  Address a;
  if (res->ai_family == AF_INET) {
    a.family = AF_INET;
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in*>(res->ai_addr)->sin_addr, 4);
  } else if (res->ai_family == AF_INET6) {
    a.family = AF_INET6;
    std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(res->ai_addr)->sin6_addr,
                16);
  }
  freeaddrinfo(res);
  if (a.family == 0) return "";
  return absl::StrCat(FormatAddress(a), "/", MaxPrefix(a));
}

std::string_view Trim(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool ParseCidr(std::string_view text, std::string* key) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  Address a;
  int len = 0;
  if (!ParseAddress(text.substr(0, slash), &a)) return false;
  if (!ParsePrefixLength(text.substr(slash + 1), &len) || len > MaxPrefix(a)) return false;
  if (key != nullptr) *key = absl::StrCat(FormatAddress(a), "/", len);
  return true;
}

std::string HostKeyForAddress(std::string_view address) {
  Address a;
  if (!ParseAddress(address, &a)) return "";
  return absl::StrCat(FormatAddress(a), "/", MaxPrefix(a));
}

ParsedNetblock ParseNetblock(std::string_view text) {
  text = Trim(text);
  ParsedNetblock out;
  if (ParseCidr(text, &out.text)) {
    out.kind = ParsedNetblock::Kind::kNetwork;
    return out;
  }
  out.text = HostKeyForAddress(text);
  if (!out.text.empty()) {
    out.kind = ParsedNetblock::Kind::kNetwork;
    return out;
  }
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    if (text.find('/', slash + 1) != std::string_view::npos) return {};
    Address a, mask;
    if (!ParseAddress(text.substr(0, slash), &a) || !ParseAddress(text.substr(slash + 1), &mask) ||
        a.family != mask.family) {
      return {};
    }
    int len = NetmaskLength(mask);
    if (len < 0) return {};
    out.kind = ParsedNetblock::Kind::kNetwork;
    out.text = absl::StrCat(FormatAddress(a), "/", len);
    return out;
  }
  out.text = NumericHostKey(text);
  if (!out.text.empty()) {
    out.kind = ParsedNetblock::Kind::kNetwork;
    out.numeric_shorthand = true;
    return out;
  }
  if (!LooksLikeHostName(text)) return {};
  out.kind = ParsedNetblock::Kind::kDnsName;
  out.text = std::string(text);
  return out;
}

}  // namespace mm::cachegen
