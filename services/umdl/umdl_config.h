#pragma once
// UMDL's configuration (mm2-backend.md §1.2): the UMDL_MASTER_DIRECTORIES entries, UMDL_PREFIX,
// SKIP_PATHS_FOR_VERSION and MAX_STALE_DAYS as upstream, plus our bounds on the rsync run and
// on one category's catalog transaction.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/python_regex.h"

namespace mm::common {
class Config;
}

namespace mm::umdl {

// Directory exclusion: the standard excludes (".*\.snapshot", ".*/\.~tmp~", matched from the
// start of the name as Python's re.match) plus an entry's own `excludes` regular expressions
// (Python syntax and semantics, common::PythonRegex). Names are full directory names
// ("pub/fedora/linux/x/.snapshot"). A pattern that cannot decide a name within its match limit
// is logged (the first few times) and errs on the side of keeping data: the name is not
// excluded from the scan, and it is protected from deletion.
class Excluder {
 public:
  Excluder() = default;
  // INVALID_ARGUMENT naming the bad pattern.
  static absl::StatusOr<Excluder> Create(const std::vector<std::string>& patterns);
  // Standard excludes or any entry pattern.
  bool Excluded(std::string_view full_name) const;
  // Only the entry's patterns (the deletion step protects these, as upstream).
  bool MatchesEntryPattern(std::string_view full_name) const;
  static bool StandardExcluded(std::string_view full_name);

 private:
  bool AnyPatternMatches(std::string_view full_name, bool on_error) const;
  std::vector<common::PythonRegex> patterns_;
  // Match errors logged so far (shared by copies).
  std::shared_ptr<std::atomic<size_t>> errors_logged_ = std::make_shared<std::atomic<size_t>>(0);
};

struct MasterDirectory {
  enum class Type { kDirectory, kRsync, kFile };
  Type type = Type::kDirectory;
  std::string category;
  std::string path;  // kDirectory: local top of the category
  std::string url;   // kRsync: rsync URL; kFile: path of a saved listing
  std::vector<std::string> excludes;
  std::vector<std::string> options;  // extra rsync options, already split into words
  Excluder excluder;
  size_t index = 0;  // position in UMDL_MASTER_DIRECTORIES
};

const char* TypeName(MasterDirectory::Type type);

struct UmdlConfig {
  std::vector<MasterDirectory> master_directories;
  // Entries that could not be used ("UMDL_MASTER_DIRECTORIES entry 3: unknown type 'ftp'");
  // logged as errors and skipped.
  std::vector<std::string> entry_errors;
  std::string prefix;                                // UMDL_PREFIX
  std::vector<std::string> skip_paths_for_version;   // SKIP_PATHS_FOR_VERSION
  int max_stale_days = 4;                            // MAX_STALE_DAYS
  absl::Duration rsync_timeout = absl::Hours(4);     // UMDL_RSYNC_TIMEOUT
  absl::Duration apply_timeout = absl::Minutes(30);  // UMDL_APPLY_TIMEOUT
};

// Errors (a wrong type for a key, a non-list UMDL_MASTER_DIRECTORIES) name the key and where its
// value came from.
absl::StatusOr<UmdlConfig> LoadUmdlConfig(const common::Config& config);

}  // namespace mm::umdl
