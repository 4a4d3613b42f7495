#pragma once
// Reading a whole (small) file: configuration files, seed data. Bounded, so that a path that
// names a device or a huge file (`-c /dev/zero`) is an error instead of unbounded memory.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mm::common {

// The file's contents. Errors name the path and `what` ("configuration file"): NOT_FOUND when it
// does not exist, PERMISSION_DENIED when it cannot be opened, FAILED_PRECONDITION for a directory,
// RESOURCE_EXHAUSTED when it holds more than `max_bytes`, DATA_LOSS on a read error.
absl::StatusOr<std::string> ReadFileToString(const std::string& path, size_t max_bytes,
                                             std::string_view what = "file");

}  // namespace mm::common
