// Fuzz target: checksum files (GNU and BSD lines) for every algorithm, and name classification.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/umdl/checksums.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto algo : {mm::umdl::HashAlgo::kMd5, mm::umdl::HashAlgo::kSha1,
                    mm::umdl::HashAlgo::kSha256, mm::umdl::HashAlgo::kSha512}) {
    for (const auto& [name, hash] : mm::umdl::ParseChecksumFile(text, algo, nullptr, 1000)) {
      if (name.empty() || hash.size() != mm::umdl::HexLength(algo)) std::abort();
    }
  }
  (void)mm::umdl::IsChecksumFileName(text.substr(0, 256));
  return 0;
}
