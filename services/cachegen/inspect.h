#pragma once
// Operator tools over cache files (`generate-mirrorlist-cache inspect|diff`), used before
// shipping a cache: a readable summary with the problems mirrorlist-server would trip over,
// one directory's hosts per tier, and the difference between two caches. They stream the
// files (cache_reader.h), so they work on production-size caches.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mm::cachegen {

struct InspectOptions {
  std::string directory;  // show this MirrorListCache directory ...
  std::string repo;       // ... or the directory the server picks for repo + arch
  std::string arch;
  int limit = 20;  // examples printed per problem kind
};

// Exit status of the tools: 0 = fine / no difference, 1 = problems found / differences /
// the directory or repository is not in the cache. Errors (unreadable file) are statuses.
absl::StatusOr<int> InspectCache(const std::string& path, const InspectOptions& options,
                                 std::ostream& out);
// The same over bytes in memory (fuzzing, tests).
absl::StatusOr<int> InspectCacheBytes(std::string_view bytes, const InspectOptions& options,
                                      std::ostream& out);

struct DiffOptions {
  int limit = 50;  // lines printed per section ("... and N more")
};

absl::StatusOr<int> DiffCaches(const std::string& old_path, const std::string& new_path,
                               const DiffOptions& options, std::ostream& out);

}  // namespace mm::cachegen
