#pragma once
// Parsing of host_netblock.netblock, which mirror admins type as free text (mm2-backend.md
// §7.3, HostNetblockCache): a CIDR network, a bare address, an address with a dotted netmask,
// or a DNS host name. The result is the key mirrorlist-server matches clients against: the
// network's text "address/prefixlen" with the address in canonical form and host bits kept (as
// upstream writes it; the server re-parses the key on every request).
//
// Outside data: every function here is total (never crashes, never allocates without bound)
// and is fuzzed (tests/fuzz/cachegen/netblock_fuzz.cc).

#include <string>
#include <string_view>

namespace mm::cachegen {

struct ParsedNetblock {
  enum class Kind {
    kNetwork,  // `text` is the cache key, e.g. "10.1.2.3/8", "2001:db8::/32"
    kDnsName,  // `text` is a host name to resolve; each address becomes a /32 or /128 key
    kInvalid,  // nothing usable
  };
  Kind kind = Kind::kInvalid;
  std::string text;
  // kNetwork from a numeric form only the system resolver reads ("10.1" is 10.0.0.1): kept
  // because upstream's lookup gives the same address, but rarely what the admin meant.
  bool numeric_shorthand = false;
};

// Surrounding whitespace is ignored. Order of attempts, as upstream: CIDR; bare address;
// "address/netmask" (a contiguous netmask of the same family); otherwise what upstream hands
// to getaddrinfo(3): a numeric form the resolver parses itself (inet_aton shorthand, scoped
// IPv6) becomes that address, as upstream's lookup returns it; anything else is a host name
// if it is syntactically one (letters, digits, '-', '_', '.'; labels of 1-63 characters; 253
// at most; the last label not all digits) and invalid otherwise (DNS could not resolve it).
ParsedNetblock ParseNetblock(std::string_view text);

// Strict "address/prefixlen" (IPv4 prefix 0-32, IPv6 0-128, decimal). On success stores the
// canonical key in `*key` (may be null). This is what mirrorlist-server accepts as CIDR, so it
// also validates NetblockCountryCache keys.
bool ParseCidr(std::string_view text, std::string* key);

// The key of a single address given as text ("192.0.2.1" -> "192.0.2.1/32"); empty when the
// text is not an address.
std::string HostKeyForAddress(std::string_view address);

}  // namespace mm::cachegen
