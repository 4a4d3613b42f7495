// Fuzz target: rsync listings (rows, sizes with separators, dates), option splitting and the
// --exclude rules taken from options.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/umdl/rsync_listing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mm::umdl::RsyncParseStats stats;
  mm::umdl::ParseRsyncListing(
      text,
      [&](const mm::umdl::RsyncEntry& e) {
        if (e.path.empty() || e.mode.size() != 10 || e.size < 0) std::abort();
      },
      &stats, 4096);
  if (stats.skipped_in_listing > stats.skipped) std::abort();
  // Exclude options and the matching of listed paths against them.
  if (auto words = mm::umdl::SplitShellWords(text.substr(0, 512)); words.ok()) {
    if (auto excludes = mm::umdl::RsyncExcludes::FromOptions(*words); excludes.ok()) {
      for (const auto& w : *words) (void)excludes->Excludes(w);
    }
  }
  return 0;
}
