#pragma once
// An IP network prefix as read from a BGP table: family, length and the network address with
// every host bit cleared (the canonical form global_netblocks.txt must contain, see
// cache-wire-format.md §5).

#include <array>
#include <cstdint>
#include <string>

namespace mm::netblocks {

enum class Family : uint8_t { kIpv4 = 4, kIpv6 = 6 };

inline constexpr int MaxPrefixLength(Family f) { return f == Family::kIpv4 ? 32 : 128; }
inline constexpr int AddressBytes(Family f) { return f == Family::kIpv4 ? 4 : 16; }

struct Prefix {
  Family family = Family::kIpv4;
  uint8_t length = 0;
  // Network byte order; only the first AddressBytes(family) bytes are used. Bits past `length`
  // are always zero.
  std::array<uint8_t, 16> addr{};

  // Builds a prefix from `nbytes` leading address bytes (the rest is zero) and clears the host
  // bits. The caller has checked length <= MaxPrefixLength(family) and nbytes <= 16.
  static Prefix FromBytes(Family family, uint8_t length, const uint8_t* bytes, int nbytes);

  uint32_t V4() const {
    return (uint32_t{addr[0]} << 24) | (uint32_t{addr[1]} << 16) | (uint32_t{addr[2]} << 8) |
           addr[3];
  }
  uint64_t V6High() const;
  uint64_t V6Low() const;

  bool operator==(const Prefix& o) const {
    return family == o.family && length == o.length && addr == o.addr;
  }
};

// "a.b.c.d/len" or the RFC 5952 text of an IPv6 network ("2001:db8::/32").
std::string FormatPrefix(const Prefix& p);
// Appends FormatPrefix(p) to `out` (no allocation for IPv4 beyond growth of `out`).
void AppendPrefix(const Prefix& p, std::string& out);

// Parses "addr/len" (either family). Host bits are cleared. False on anything else.
bool ParsePrefix(const std::string& text, Prefix* out);

}  // namespace mm::netblocks
