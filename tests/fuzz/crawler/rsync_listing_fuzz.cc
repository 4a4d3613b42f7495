// Fuzz target: rsync listing lines (services/crawler/listing_parsers.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/crawler/listing_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (auto e = mm::crawler::ParseRsyncLine(line)) (void)e->path.size();
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return 0;
}
