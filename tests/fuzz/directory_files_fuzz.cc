// Fuzz target: the directory.files decoder (JSON written by MirrorManager2 or us, or a legacy
// pickle that must read as empty). Round-trips what decodes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/catalog/store/directory_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  bool ok = false;
  auto files = mm::catalog::DecodeDirectoryFiles(blob, &ok);
  if (ok) {
    std::string again = mm::catalog::EncodeDirectoryFiles(files);
    bool ok2 = false;
    auto files2 = mm::catalog::DecodeDirectoryFiles(again, &ok2);
    if (!ok2 || files2.size() != files.size()) std::abort();
  }
  return 0;
}
