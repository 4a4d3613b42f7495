#pragma once
// The prefix -> origin AS table written to global_netblocks.txt.
//
// Rules (mm2-backend.md §3, mirrorlist-server.md §1.2 step 4, cache-wire-format.md §5):
//  * One line per prefix; when several records carry the same prefix, the LATER one decides
//    (hash map prefix -> line). Upstream writes a line per distinct "<prefix> <asn>" of each
//    source, in source and record order, and mirrorlist-server lets the later of two lines for
//    one prefix win; keeping the last record reproduces what the server ends up with. For a
//    TABLE_DUMP_V2 record the origin comes from its first RIB entry (MrtReader).
//  * A record without origin AS writes no line and leaves an earlier line of its prefix alone
//    (upstream would write "<prefix> None", which never matches an AS).
//  * Upstream's exclusions, applied to the text line "<prefix>/<len> <asn>" exactly as its
//    regular expressions would: lines containing "2001::/32" (Teredo, announced by many ASes),
//    containing "Unknown", or starting with "0.0/16", "10.0.0/16" or "000:206f" (the last three
//    are relics of an older text format and cannot match canonical prefixes; kept for parity).
//  * Prefix length 0 is dropped (the mirrorlist server skips it).
//  * At most `max_prefixes` distinct prefixes (NETBLOCKS_MAX_PREFIXES): a bound on memory for
//    input that is not a plausible routing table; exceeding it is RESOURCE_EXHAUSTED.
//  * Output: "<network>/<len> <asn>\n" with canonical network addresses, IPv4 lines first, then
//    IPv6, each family in first-seen order (or numerically sorted on request).
//
// Thread-safety: none.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "services/netblocks/mrt_reader.h"

namespace mm::netblocks {

struct TableStats {
  uint64_t routes = 0;      // OnRoute calls
  uint64_t duplicates = 0;  // routes with an origin for a prefix already in the table
  uint64_t replaced = 0;    // of those, routes that changed the prefix's origin AS
  uint64_t no_origin = 0;   // routes without origin AS (no line)
  uint64_t default_route = 0;
  uint64_t excluded = 0;  // lines dropped by the exclusion patterns (counted when written)
};

class NetblockTable final : public RouteSink {
 public:
  static constexpr size_t kDefaultMaxPrefixes = 5000000;

  explicit NetblockTable(size_t max_prefixes = kDefaultMaxPrefixes);
  ~NetblockTable() override;

  // RESOURCE_EXHAUSTED when a new prefix would exceed max_prefixes.
  absl::Status OnRoute(const Prefix& prefix, std::optional<uint32_t> origin) override;

  // Prefixes with an origin AS, per family (before exclusions).
  size_t ipv4_count() const { return v4_.size(); }
  size_t ipv6_count() const { return v6_.size(); }
  size_t size() const { return v4_.size() + v6_.size(); }
  const TableStats& stats() const { return stats_; }

  // Sorts both families by address, then length (the internet2 output is sorted, as upstream's).
  void Sort();

  // Renders every line (IPv4, then IPv6) into `out`, applying the exclusions; returns the number
  // of lines. `ipv4_lines`/`ipv6_lines` receive the per-family counts when non-null.
  size_t Render(std::string& out, size_t* ipv4_lines = nullptr, size_t* ipv6_lines = nullptr);

  // True when upstream's exclusion patterns drop `line` ("<prefix>/<len> <asn>").
  static bool Excluded(std::string_view line);

 private:
  struct V4Entry {
    uint64_t key;  // address << 8 | length
    uint32_t asn;
  };
  struct V6Key {
    uint64_t high, low;
    uint8_t length;
    bool operator==(const V6Key& o) const {
      return high == o.high && low == o.low && length == o.length;
    }
    template <typename H>
    friend H AbslHashValue(H h, const V6Key& k) {
      return H::combine(std::move(h), k.high, k.low, k.length);
    }
  };
  struct V6Entry {
    V6Key key;
    uint32_t asn;
  };

  absl::Status TooMany() const;

  size_t max_prefixes_;
  // Prefix -> index of its line in v4_ / v6_.
  absl::flat_hash_map<uint64_t, uint32_t> index_v4_;
  absl::flat_hash_map<V6Key, uint32_t> index_v6_;
  std::vector<V4Entry> v4_;
  std::vector<V6Entry> v6_;
  TableStats stats_;
};

}  // namespace mm::netblocks
