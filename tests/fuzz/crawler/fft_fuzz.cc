// Fuzz target: the fullfiletimelist parser (services/crawler/fft_parser.h) fed in two chunks,
// with matching against a small category tree.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/crawler/fft_parser.h"
#include "services/crawler/listing_matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mm::crawler::CategoryTree* tree = [] {
    auto* t = new mm::crawler::CategoryTree();
    t->dirs = {{1, "", {{"a", 1}}, ""}, {2, "releases/40", {{"x.rpm", 10}}, ""}};
    return t;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mm::crawler::ListingMatcher matcher(*tree, size % 2 ? "linux/" : "");
  mm::crawler::FftLimits limits;
  limits.max_line_bytes = 256;
  mm::crawler::FftParser parser(
      [&](const mm::crawler::FftEntry& e) { matcher.Observe(e.type, e.path, e.size, true); }, limits);
  size_t half = size / 2;
  if (parser.Feed(text.substr(0, half)).ok() && parser.Feed(text.substr(half)).ok()) (void)parser.Finish();
  for (size_t i = 0; i < tree->dirs.size(); ++i) (void)matcher.Decide(i);
  return 0;
}
