#pragma once
// repomd.xml (yum/dnf repository metadata index): the repository timestamp MirrorManager2
// records in file_detail is the largest <timestamp> among the <data> entries, as rpmmd's RepoMD
// computes it: every <data> element of the document counts with its last <timestamp> child,
// read as a Python int() (surrounding whitespace, a sign and '_' between digits allowed; "1.5"
// or "later" are ignored), and the result is never below 0. Namespace prefixes are ignored.

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace mm::umdl {

// INVALID_ARGUMENT when the document is not XML or its root is not <repomd> (rpmmd would take
// any XML; an HTML error page saved as repomd.xml must not become a file detail). A repomd
// without a usable timestamp gives 0.
absl::StatusOr<int64_t> RepomdTimestamp(std::string_view xml);

}  // namespace mm::umdl
