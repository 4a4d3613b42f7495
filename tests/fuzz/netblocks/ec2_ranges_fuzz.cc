// Fuzz target: the AWS ip-ranges.json parser (services/netblocks/ec2_ranges.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/netblocks/ec2_ranges.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ranges =
      mm::netblocks::ParseIpRanges(std::string_view(reinterpret_cast<const char*>(data), size));
  if (ranges.ok()) {
    for (const auto& r : ranges->ranges) (void)r.prefix.size();
  }
  return 0;
}
