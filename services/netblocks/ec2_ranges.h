#pragma once
// The AWS ip-ranges.json document (https://ip-ranges.amazonaws.com/ip-ranges.json):
//   {"syncToken": "...", "createDate": "...",
//    "prefixes":      [{"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2",
//                       "service": "AMAZON", "network_border_group": "ap-northeast-2"}, ...],
//    "ipv6_prefixes": [{"ipv6_prefix": "2600:1f14::/35", "region": "us-west-2",
//                       "service": "EC2", ...}, ...]}
// Upstream reads only "prefixes"; we read "ipv6_prefixes" as well.
//
// Untrusted input: the document is bounded (kMaxIpRangesBytes), nesting deeper than 64 levels is
// refused before parsing, entries that are not objects with string fields or whose prefix is not
// a CIDR network are skipped and counted. A document that is not JSON, or has no "prefixes"
// array, is INVALID_ARGUMENT.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mm::netblocks {

inline constexpr size_t kMaxIpRangesBytes = 64 << 20;

struct IpRange {
  std::string prefix;  // as written in the document
  std::string region;
  std::string service;
  bool ipv6 = false;
};

struct IpRanges {
  std::vector<IpRange> ranges;  // "prefixes" first, then "ipv6_prefixes", document order
  size_t skipped = 0;           // malformed entries
};

absl::StatusOr<IpRanges> ParseIpRanges(std::string_view json);

}  // namespace mm::netblocks
