#pragma once
// Turns one catalog snapshot into a MirrorList, by the rules of mm2-backend.md §7.3 with the
// decisions of DESIGN.md §5:
// * active host = site.user_active && host.user_active && host.admin_active && site.admin_active;
//   private host = host.private || site.private;
// * always_up2date counts per host category (upstream keyed it per host);
// * HostCountryAllowedCache = host_country_allowed UNION host_country (by country code);
// * HostAsnCache also carries host_peer_asn;
// * hosts without a site (or unknown ids) and categories without host categories are skipped,
//   never substituted.
// Every string written is valid UTF-8 and no map field gets a duplicate key; entries that
// would break either rule are dropped and counted in BuildStats::dropped.
//
// Memory: directories, hosts and the up-to-date (host category, directory) pairs are indexed
// in memory (about 8 bytes per pair); file details are written as they arrive, one directory
// at a time, so their volume does not matter.
//
// Usage: Consume() every chunk in stream order, then Finish(). Not thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/cachegen/snapshot_source.h"

namespace mm::cachegen {

class CacheWriter;
class HostResolver;

struct BuildOptions {
  uint64_t time = 0;  // MirrorList.Time, Unix seconds
  // For all netblock host names together, counted from the end of the host_netblocks section.
  // Finish() never waits longer: names without an answer by then are left out and counted,
  // even when the resolver itself hangs.
  absl::Duration dns_timeout = absl::Seconds(10);
};

struct BuildStats {
  int64_t snapshot_time = 0;               // catalog's transaction start, Unix seconds
  std::map<std::string, int64_t> rows;     // rows received per snapshot section
  std::map<std::string, int64_t> entries;  // entries written per MirrorList field
  std::map<std::string, int64_t> dropped;  // entries left out, per reason
  int64_t dns_names = 0;                   // netblock host names looked up
  int64_t dns_failures = 0;                // ... that gave no address in time
};

class CacheBuilder {
 public:
  // `resolver` and `writer` must outlive the builder; `resolver` also outlives a lookup that
  // overran the DNS timeout (it runs on until its ResolveAll() returns).
  CacheBuilder(BuildOptions options, HostResolver& resolver, CacheWriter& writer);
  ~CacheBuilder();
  CacheBuilder(const CacheBuilder&) = delete;
  CacheBuilder& operator=(const CacheBuilder&) = delete;

  // FAILED_PRECONDITION when sections arrive out of order; DATA_LOSS when the trailer's row
  // counts disagree with the rows received.
  absl::Status Consume(const SnapshotChunk& chunk);
  // Writes the fields that need the whole snapshot. Requires the trailer.
  absl::Status Finish();
  const BuildStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mm::cachegen
