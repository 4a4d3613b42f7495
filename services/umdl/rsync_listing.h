#pragma once
// rsync listings (`rsync -r URL` output, mm2-backend.md §1.4c), read from a running rsync or from
// a saved file (`file` entries). A row is: mode (10 characters), size, date YYYY/MM/DD, time
// HH:MM:SS (local time), then one space and the path, which may contain spaces (symbolic links
// end in " -> target"). Two upstream defects are fixed here: the top directory is listed as "."
// (it becomes ""), and sizes are printed with thousands separators by rsync >= 3.1 ("4,096").
// Rows that do not look like listing rows (MOTD lines, warnings, human-readable sizes such as
// "1.2M", impossible dates) are counted and skipped.

#include <sys/types.h>

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

// Runs the rsync binary to list a tree; the outside world for the `rsync` synchronizer.
class RsyncRunner {
 public:
  virtual ~RsyncRunner() = default;
  // Writes the listing of `url` to `output_path`. Non-zero exit codes are results, not errors;
  // an error means rsync could not be run at all.
  virtual absl::StatusOr<RsyncRunResult> List(const std::string& url,
                                              const std::vector<std::string>& extra_options,
                                              const std::string& output_path,
                                              absl::Duration timeout) = 0;
};

// `rsync --temp-dir=/tmp -r --exclude=.snapshot --exclude=*.~tmp~ [options] URL` (upstream's
// command line, run without a shell), stdin from /dev/null, killed after `timeout`.
class ProcessRsyncRunner final : public RsyncRunner {
 public:
  explicit ProcessRsyncRunner(std::string binary = "rsync") : binary_(std::move(binary)) {}
  absl::StatusOr<RsyncRunResult> List(const std::string& url,
                                      const std::vector<std::string>& extra_options,
                                      const std::string& output_path,
                                      absl::Duration timeout) override;

 private:
  std::string binary_;
};

}  // namespace mm::umdl
