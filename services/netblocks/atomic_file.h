#pragma once
// Replacing an output file so that readers see either the old or the new contents, never a
// partial file (DESIGN.md §5 "write to a temporary file, fsync, rename").

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace mm::netblocks {

// Writes `contents` to a temporary file next to `path`, fsyncs it, renames it over `path` and
// fsyncs the directory. The new file keeps the mode of the file it replaces (0644 minus the
// umask for a new file). On error the temporary file is removed and `path` is untouched.
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace mm::netblocks
