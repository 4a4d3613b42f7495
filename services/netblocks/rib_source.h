#pragma once
// Turning the configured source URLs into the URL of one RIB dump, as upstream does:
//
//  * Placeholders {year}, {month}, {day} (zero-padded) are replaced by yesterday's date (UTC) and
//    {router} by the Internet2 router name. Upstream builds
//    http://archive.routeviews.org/route-views6/bgpdata/{year}.{month}/RIBS and
//    http://routes.net.internet2.edu/bgp/RIBS/{router}/{year}/{month}/{day} the same way.
//  * A URL ending in "/" is a directory index: it is listed (http: "?C=M;O=D", newest first on
//    Apache; file://: by mtime, newest first) and the FIRST entry matching upstream's pattern
//    rib.<digits>.<digits>.bz2 is taken. Any other URL names the RIB file itself.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/netblocks/fetcher.h"

namespace mm::netblocks {

std::string ExpandUrlTemplate(const std::string& url, absl::Time now, const std::string& router);

// Upstream's RIB_LINK_RE target: "rib.[0-9]+.[0-9]+.bz2" (the dots match any character).
bool IsRibFileName(const std::string& name);

// The RIB file named by `url` (already expanded). NOT_FOUND when a directory has no RIB.
absl::StatusOr<std::string> ResolveRibUrl(Fetcher& fetcher, const std::string& url);

}  // namespace mm::netblocks
