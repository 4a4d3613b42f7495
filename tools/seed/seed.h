#pragma once
// mm2-seed: loads reference data and mirrors from a JSON document into a catalog through its
// gRPC API (the demo's sample catalog, test and staging set-ups). Idempotent: reference data is
// upserted; sites, hosts, host categories and URLs that already exist (by name / URL) are kept.
//
// Document shape (every list optional):
//   {"products": [{"name": "Fedora", "publiclist": true}],
//    "arches": [{"name": "x86_64", "publiclist": true}],
//    "versions": [{"product": "Fedora", "name": "40", "display_name": "Fedora 40"}],
//    "categories": [{"name": "Fedora Linux", "product": "Fedora", "topdir": "pub/fedora/linux",
//                    "admin_only": false}],
//    "countries": ["US", "DE"],
//    "sites": [{"name": "...", "org_url": "...", "password": "...", "created_by": "...",
//               "admins": ["..."], "private": false,
//               "hosts": [{"name": "...", "country": "US", "bandwidth_int": 100,
//                          "private": false, "internet2": false, "asn": 64512,
//                          "categories": [{"name": "Fedora Linux", "always_up2date": false,
//                                          "urls": ["http://..."]}]}]}]}

#include <string>

#include "absl/status/statusor.h"
#include "services/common/rpc_options.h"

namespace mm::tools {

struct SeedCounts {
  int reference = 0;  // reference rows upserted
  int sites = 0, hosts = 0, host_categories = 0, urls = 0;  // created
};

absl::StatusOr<SeedCounts> SeedCatalog(const std::string& json_text, const std::string& address,
                                       const common::RpcOptions& rpc);

}  // namespace mm::tools
