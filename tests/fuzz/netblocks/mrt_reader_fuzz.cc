// Fuzz target: the MRT reader (services/netblocks/mrt_reader.h) and the netblock table behind it.
// The first byte chooses where the input is split into two Consume() calls, so records that
// span calls (the carry-over path) are exercised as well as whole buffers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "services/netblocks/mrt_reader.h"
#include "services/netblocks/netblock_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t split = data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  if (split > in.size()) split = in.size();
  mm::netblocks::NetblockTable table;
  mm::netblocks::MrtReader reader(table);
  if (reader.Consume(in.substr(0, split)).ok() && reader.Consume(in.substr(split)).ok()) {
    (void)reader.Finish();
  }
  std::string out;
  table.Render(out);
  // The AS path decoder on raw bytes, both AS sizes, with and without an AS4_PATH.
  std::optional<uint32_t> origin;
  size_t half = in.size() / 2;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  (void)mm::netblocks::OriginFromPaths(p, in.size(), 4, nullptr, 0, &origin);
  (void)mm::netblocks::OriginFromPaths(p, half, 2, p + half, in.size() - half, &origin);
  return 0;
}
