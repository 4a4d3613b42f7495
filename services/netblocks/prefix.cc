#include "services/netblocks/prefix.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>

namespace mm::netblocks {

Prefix Prefix::FromBytes(Family family, uint8_t length, const uint8_t* bytes, int nbytes) {
  Prefix p;
  p.family = family;
  p.length = length;
  if (nbytes > 0) std::memcpy(p.addr.data(), bytes, static_cast<size_t>(nbytes));
  // Clear host bits: the partial byte, then every byte after it.
  int full = length / 8;
  int rem = length % 8;
  if (rem != 0) {
    p.addr[full] &= static_cast<uint8_t>(0xFF << (8 - rem));
    ++full;
  }
  for (int i = full; i < 16; ++i) p.addr[i] = 0;
  return p;
}

uint64_t Prefix::V6High() const {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | addr[i];
  return v;
}

uint64_t Prefix::V6Low() const {
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | addr[i];
  return v;
}

namespace {

void AppendUint(unsigned v, std::string& out) {
  char buf[12];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

}  // namespace

void AppendPrefix(const Prefix& p, std::string& out) {
  if (p.family == Family::kIpv4) {
    for (int i = 0; i < 4; ++i) {
      if (i) out.push_back('.');
      AppendUint(p.addr[i], out);
    }
  } else {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, p.addr.data(), buf, sizeof buf);
    out.append(buf);
  }
  out.push_back('/');
  AppendUint(p.length, out);
}

std::string FormatPrefix(const Prefix& p) {
  std::string s;
  AppendPrefix(p, s);
  return s;
}

bool ParsePrefix(const std::string& text, Prefix* out) {
  size_t slash = text.find('/');
  if (slash == std::string::npos || slash + 1 >= text.size() || text.size() - slash > 4) {
    return false;
  }
  std::string addr = text.substr(0, slash);
  int len = 0;
  for (size_t i = slash + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    len = len * 10 + (text[i] - '0');
  }
  uint8_t bytes[16] = {0};
  Family family;
  if (inet_pton(AF_INET, addr.c_str(), bytes) == 1) {
    family = Family::kIpv4;
  } else if (inet_pton(AF_INET6, addr.c_str(), bytes) == 1) {
    family = Family::kIpv6;
  } else {
    return false;
  }
  if (len > MaxPrefixLength(family)) return false;
  *out = Prefix::FromBytes(family, static_cast<uint8_t>(len), bytes, AddressBytes(family));
  return true;
}

}  // namespace mm::netblocks
