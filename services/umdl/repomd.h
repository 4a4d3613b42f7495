#pragma once
// repomd.xml (yum/dnf repository metadata index): the repository timestamp MirrorManager2
// records in file_detail is the largest <timestamp> among the <data> entries (upstream's
// set_repomd_timestamp). Namespace prefixes are ignored.

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace mm::umdl {

// INVALID_ARGUMENT when the document is not XML or its root is not <repomd>. A repomd without
// any timestamp gives 0. Non-numeric timestamps are ignored; fractional ones are truncated.
absl::StatusOr<int64_t> RepomdTimestamp(std::string_view xml);

}  // namespace mm::umdl
