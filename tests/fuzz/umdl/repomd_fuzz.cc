// Fuzz target: repomd.xml timestamps (pugixml underneath).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/umdl/repomd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ts = mm::umdl::RepomdTimestamp(std::string_view(reinterpret_cast<const char*>(data), size));
  if (ts.ok() && *ts < 0) std::abort();
  return 0;
}
