// Fuzz target: Bodhi's release list JSON (services/crawler/bodhi.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/crawler/bodhi.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto page = mm::crawler::ParseBodhiReleases(std::string_view(reinterpret_cast<const char*>(data), size));
  if (page.ok()) {
    for (const auto& r : page->releases) (void)mm::crawler::ProductForBodhiPrefix(r.id_prefix);
  }
  return 0;
}
