// Fuzz target: fullfiletimelist parsing (ParseFft) and the path normalisation applied to its rows.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/umdl/fft.h"
#include "services/umdl/paths.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mm::umdl::FftParseStats stats;
  mm::umdl::FftLimits limits;
  limits.max_line_bytes = 4096;
  size_t rows = 0;
  mm::umdl::ParseFft(
      text,
      [&](const mm::umdl::FftEntry& e) {
        ++rows;
        if (e.path.empty() || e.path.data() < text.data() ||
            e.path.data() + e.path.size() > text.data() + text.size()) {
          std::abort();
        }
        // A normalised path never escapes: no empty, "." or ".." component, no leading slash.
        if (auto norm = mm::umdl::NormaliseListedPath(e.path); norm && !norm->empty()) {
          size_t start = 0;
          while (start <= norm->size()) {
            size_t slash = norm->find('/', start);
            if (slash == std::string::npos) slash = norm->size();
            std::string_view part(norm->data() + start, slash - start);
            if (part.empty() || part == "." || part == "..") std::abort();
            start = slash + 1;
          }
        }
      },
      &stats, limits);
  if (rows != stats.rows) std::abort();
  return 0;
}
