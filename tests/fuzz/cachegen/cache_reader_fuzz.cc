// Fuzz target: the mirror-list cache reader and the inspect summary over arbitrary bytes.
// Whatever the reader accepts must also parse with the generated MirrorList parser and pass
// its required-field check (the reader is at least as strict), and the summary must not
// crash. Inputs are bounded by ReadLimits (1 MiB here).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "mirrormanager/cache/mirrormanager.pb.h"
#include "services/cachegen/cache_reader.h"
#include "services/cachegen/inspect.h"

namespace {

class Count final : public mm::cachegen::CacheVisitor {
 public:
  void MirrorList(const mirrormanager::MirrorListCacheType& e) override { ++entries; }
  void FileDetails(const mirrormanager::FileDetailsCacheDirectoryType& e) override { ++entries; }
  int entries = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mm::cachegen::ReadLimits limits;
  limits.max_bytes = 1 << 20;
  Count count;
  absl::Status s = mm::cachegen::ReadCacheBytes(bytes, count, limits);
  if (s.ok() && size <= static_cast<size_t>(limits.max_bytes)) {
    mirrormanager::MirrorList parsed;
    if (!parsed.ParseFromArray(data, static_cast<int>(size)) || !parsed.IsInitialized()) {
      std::abort();  // the reader accepted what the schema's parser refuses
    }
  }
  std::ostringstream out;
  mm::cachegen::InspectOptions options;
  (void)mm::cachegen::InspectCacheBytes(bytes, options, out);
  options.directory = "d";
  (void)mm::cachegen::InspectCacheBytes(bytes, options, out);
  return 0;
}
