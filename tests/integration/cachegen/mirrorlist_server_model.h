#pragma once
// A test model of upstream mirrorlist-server's request handling (mirrorlist-server.md §1.2,
// §2.1-§2.20, §4), used to check that the caches we generate make the real server answer
// right. It reads the cache as the server does: the file parsed whole with the required-field
// check; every map a linear scan in file order taking the first match, except the
// string->string lookups, which join the values of every matching entry; HostNetblockCache and
// NetblockCountryCache keys re-parsed on every request; weights taken from HostBandwidthCache
// (missing = 0).
//
// Deliberate simplifications: the random orders (netblock ties, the ASN shuffle, the
// bandwidth-weighted shuffles, the continent hash-map order) are replaced by file order, so
// tests assert the hosts of each tier, not their order inside it; the metalink is returned as
// data, not XML; there is no access log, no X-Forwarded-For and no HTTP. Where the Rust server
// would panic (a zero weight in a weighted tier) Handle() returns an error instead.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mirrormanager/cache/mirrormanager.pb.h"

struct MMDB_s;

namespace mm::cachegen::testing {

class MirrorlistServerModel {
 public:
  // The server's inputs (§1.2): the cache file, the global netblocks text ("prefix asn" lines),
  // the country->continent CSV and a GeoIP2 country database. `minimum` is its -m option.
  static absl::StatusOr<std::unique_ptr<MirrorlistServerModel>> Load(
      const std::string& cache_path, const std::string& global_netblocks,
      const std::string& country_continent_csv, const std::string& geoip_mmdb, int minimum = 5);
  // The same with a cache already in memory, as upstream's own server tests build it (an empty
  // continent table is accepted here, as there).
  static absl::StatusOr<std::unique_ptr<MirrorlistServerModel>> FromCache(
      ::mirrormanager::MirrorList cache, const std::string& global_netblocks,
      const std::string& country_continent_csv, const std::string& geoip_mmdb, int minimum = 5);
  ~MirrorlistServerModel();

  struct Host {
    int64_t id = 0;
    std::string tier;  // where it was found: netblocks, asn, country, geoip, continent, global
    std::vector<std::string> urls;  // after protocol filtering
    // Metalink attributes (§2.20).
    int preference = 0;
    std::string location;
    bool is_private = false;  // mm0:private="True": not in the directory's Global list
  };

  struct Response {
    int status = 200;
    // Mirrorlist mode: the exact body. Error answers: the plain message (metalink failure
    // documents carry the same text).
    std::string body;
    std::string header;  // "# repo = ... " / "# path = ... " line, without the newline
    std::string directory, file;
    std::string client_country;
    std::vector<Host> hosts;  // final order, hosts without URLs removed
    std::string redirect;     // Location of a 302
    // Metalink: the FileDetails of the requested file, main entry first, then alternates.
    std::vector<::mirrormanager::FileDetailsType> file_details;

    std::vector<int64_t> HostsIn(const std::string& tier) const;
    std::vector<int64_t> HostIds() const;
    const Host* Find(int64_t id) const;                 // nullptr when not offered
    std::vector<std::string> UrlsOf(int64_t id) const;  // empty when not offered
  };

  // `uri` is a request path with query string, e.g. "/mirrorlist?repo=fedora-40&arch=x86_64".
  // The client address comes from `ip=` or, without it, `peer`. An error status means the Rust
  // server would have panicked (dropped the connection).
  absl::StatusOr<Response> Handle(const std::string& uri,
                                  const std::string& peer = "127.0.0.1") const;

  void set_minimum(int minimum) { minimum_ = minimum; }
  const ::mirrormanager::MirrorList& cache() const { return cache_; }

  struct Net;  // an IP network (defined in the .cc)

 private:
  struct Impl;
  MirrorlistServerModel() = default;

  ::mirrormanager::MirrorList cache_;
  int minimum_ = 5;
  std::vector<std::pair<std::unique_ptr<Net>, std::string>> global_netblocks_;
  std::map<std::string, std::string> continents_;  // country -> continent (after redirects)
  std::unique_ptr<MMDB_s> mmdb_;
};

}  // namespace mm::cachegen::testing
