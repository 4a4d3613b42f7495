#pragma once
// The generate-mirrorlist-cache command line (upstream options kept):
//   generate-mirrorlist-cache [-o FILE] [-c CONFIG] [-d] [--catalog HOST:PORT]
//   generate-mirrorlist-cache inspect FILE [--directory DIR | --repo REPO --arch ARCH]
//   generate-mirrorlist-cache diff OLD NEW
// Exit codes: 0 success (inspect: no problems; diff: no differences), 1 failure (the old cache
// is untouched) / problems / differences, 2 usage or configuration errors.

#include <ostream>
#include <string>
#include <vector>

namespace mm::cachegen {

// `args` excludes the program name. Blocks SIGTERM/SIGINT handling to the caller's setup
// (main calls common::BlockShutdownSignals first).
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mm::cachegen
