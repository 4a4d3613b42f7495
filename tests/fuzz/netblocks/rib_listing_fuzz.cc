// Fuzz target: the directory index pages a RIB is picked from (services/netblocks/fetcher.h
// ExtractLinks, services/netblocks/rib_source.h IsRibFileName), i.e. whatever HTML the
// route-views6 or Internet2 archive returns.
#include <cstddef>
#include <cstdint>
#include <string>

#include "services/netblocks/fetcher.h"
#include "services/netblocks/rib_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string page(reinterpret_cast<const char*>(data), size);
  size_t ribs = 0;
  for (const std::string& link : mm::netblocks::ExtractLinks(page)) {
    if (mm::netblocks::IsRibFileName(link)) ++ribs;
  }
  (void)ribs;
  return 0;
}
