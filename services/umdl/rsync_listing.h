#pragma once
// rsync listings (`rsync -r URL` output, mm2-backend.md §1.4c), read from a running rsync or from
// a saved file (`file` entries). A row is: mode (10 characters), size, date YYYY/MM/DD, time
// HH:MM:SS (local time), then one space and the path, which may contain spaces (symbolic links
// end in " -> target"). Two upstream defects are fixed here: the top directory is listed as "."
// (it becomes ""), and sizes are printed with thousands separators by rsync >= 3.1 ("4,096").
// Rows that do not look like listing rows (MOTD lines, warnings, human-readable sizes such as
// "1.2M", impossible dates) are counted and skipped; those among the rows (after the first one,
// or starting with a mode) are counted apart, as they may hide a directory.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mm::umdl {

struct RsyncEntry {
  char kind = 0;          // first mode character: 'd', '-', 'l', ...
  std::string_view mode;  // e.g. "drwxr-xr-x"
  int64_t size = 0;
  int64_t mtime = 0;      // Unix seconds (the listing's local time)
  std::string_view path;  // as listed; "." is the top
  size_t line = 0;
};

struct RsyncParseStats {
  size_t rows = 0;
  size_t skipped = 0;
  // Skipped lines that may have been listing rows: after the first row, or starting with
  // something shaped like a mode. A daemon's MOTD before the listing is not counted here.
  size_t skipped_in_listing = 0;
  size_t first_skipped_line = 0;
  std::string first_skipped;  // first skipped row (truncated to 200 bytes)
};

// Parses one row; false when it is not a listing row.
bool ParseRsyncRow(std::string_view row, RsyncEntry* out);

void ParseRsyncListing(std::string_view data,
                       const std::function<void(const RsyncEntry&)>& on_entry,
                       RsyncParseStats* stats, size_t max_line_bytes = 64 * 1024);

// True when `mode` is a directory readable and searchable by others ("d......r.x").
bool RsyncModeOthersCanRead(std::string_view mode);

// Splits an rsync options string like a POSIX shell would (whitespace, single and double
// quotes, backslash escapes). Unbalanced quotes are an error.
absl::StatusOr<std::vector<std::string>> SplitShellWords(std::string_view text);

struct RsyncRunResult {
  int exit_code = 0;  // rsync's exit status; -signal when killed
  bool timed_out = false;
  std::string stderr_tail;  // last bytes of rsync's stderr, for the log
};

// The exclude patterns upstream's rsync command line always carries.
inline constexpr const char* kStandardRsyncExcludes[] = {".snapshot", "*.~tmp~"};

// Which directories an rsync listing leaves out because of the command line's --exclude
// options (the standard ones and the entry's `options`), so that --delete-directories does not
// take them for gone. rsync's rules are followed for what matters here: a pattern without '/'
// (trailing '/' aside) or "**" matches the last component, otherwise the path (anchored at the
// listed top with a leading '/', else any trailing part of it); '*' and '?' stop at '/', "**"
// does not; "dir/***" is "dir" and everything below; excluding a directory hides its subtree.
// Options whose effect on the listing cannot be followed here (--include, --filter/-f/-F,
// --exclude-from, -C, --files-from, -m, -d, -x, an exclude rule starting with "+ " or "!")
// give FAILED_PRECONDITION: the caller then deletes nothing.
class RsyncExcludes {
 public:
  static absl::StatusOr<RsyncExcludes> FromOptions(const std::vector<std::string>& options);
  // `rel`: a directory relative to the listed top ("a/b").
  bool Excludes(std::string_view rel) const;

 private:
  struct Rule {
    std::string pattern;
    bool anchored = false;    // leading '/'
    bool whole_path = false;  // contains '/' or "**"
    bool wildcard = false;
    bool double_star = false;
  };
  bool Matches(const Rule& rule, std::string_view path) const;
  std::vector<Rule> rules_;
};

// Runs the rsync binary to list a tree; the outside world for the `rsync` synchronizer.
class RsyncRunner {
 public:
  virtual ~RsyncRunner() = default;
  // Writes the listing of `url` to `output_path`. Non-zero exit codes are results, not errors;
  // an error means rsync could not be run at all. When `stop` becomes true (SIGTERM), rsync is
  // killed and CANCELLED returned promptly.
  virtual absl::StatusOr<RsyncRunResult> List(const std::string& url,
                                              const std::vector<std::string>& extra_options,
                                              const std::string& output_path,
                                              absl::Duration timeout,
                                              const std::atomic<bool>* stop = nullptr) = 0;
};

// `rsync --temp-dir=/tmp -r --exclude=.snapshot --exclude=*.~tmp~ [options] URL` (upstream's
// command line, run without a shell), stdin from /dev/null, killed after `timeout` or on `stop`.
class ProcessRsyncRunner final : public RsyncRunner {
 public:
  explicit ProcessRsyncRunner(std::string binary = "rsync") : binary_(std::move(binary)) {}
  absl::StatusOr<RsyncRunResult> List(const std::string& url,
                                      const std::vector<std::string>& extra_options,
                                      const std::string& output_path, absl::Duration timeout,
                                      const std::atomic<bool>* stop = nullptr) override;

 private:
  std::string binary_;
};

}  // namespace mm::umdl
