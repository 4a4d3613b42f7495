#pragma once
// Runs the rsync binary for one listing or one file, streaming its standard output line by line
// to a callback. The child is killed (SIGKILL) when the crawl's deadline passes or the output
// exceeds its bound, so rsync never outlives a host's time budget.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "services/crawler/deadline.h"

namespace mm::crawler {

struct RsyncRun {
  bool spawned = false;
  int exit_code = -1;        // rsync's exit status; -signal when killed by a signal
  bool stopped = false;      // killed because the deadline passed / the crawl stopped
  bool output_limit = false; // killed because the output exceeded `max_output_bytes`
  std::string stderr_tail;   // last few KiB of standard error
  int64_t output_bytes = 0;
};

// `args` excludes the program name. `on_line` gets every stdout line without its newline.
RsyncRun RunRsync(const std::string& binary, const std::vector<std::string>& args,
                  const Deadline& deadline, const std::function<void(std::string_view)>& on_line,
                  int64_t max_output_bytes = 4LL << 30);

// Splits CRAWLER_RSYNC_PARAMETERS-style strings on blanks, honouring single and double quotes.
std::vector<std::string> SplitCommandLine(const std::string& text);

}  // namespace mm::crawler
