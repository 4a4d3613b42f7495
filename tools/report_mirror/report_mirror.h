#pragma once
// report_mirror: the check-in client of private mirrors (mm2-web-and-data.md §3.1-3.2), in C++.
// The pieces are plain functions so they can be tested without a server:
//   ParseIni         the upstream config format (configparser: sections, key=value or key: value,
//                    '#'/';' comments, indented continuation lines)
//   BuildPayload     config -> payload dict (walks each enabled category's path)
//   WalkDirectories  directory walk with substring excludes (symlinks not followed)
//   SendCheckin      JSON -> bz2 -> URL-safe base64 -> XML-RPC checkin over HTTP(S)
//
// Fixed upstream quirks: blank lines of the exclude file are ignored (they used to exclude
// everything); categories with enabled != 1 are never sent (they used to be walked and sent,
// which deleted the host's directories of that category); -o writes the file correctly.
// Kept: every section needs `enabled` (a category without it is a configuration error), and
// redirects are not followed.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace mm::report_mirror {

// Sections in file order; options in file order with lower-cased keys (configparser's optionxform).
struct IniSection {
  std::string name;
  std::vector<std::pair<std::string, std::string>> options;
  std::optional<std::string> Get(const std::string& key) const;
};
using Ini = std::vector<IniSection>;

absl::StatusOr<Ini> ParseIni(const std::string& text, const std::string& filename);
const IniSection* FindSection(const Ini& ini, const std::string& name);

// Exclusion patterns: one per line; blank lines and lines starting with '#' are skipped.
std::vector<std::string> ParseExcludes(const std::string& text);

struct WalkLimits {
  size_t max_directories = 5'000'000;
  int max_depth = 4096;
};
// Directories below `root` (relative paths, no leading slash; "" is the root itself). A
// sub-directory whose absolute path plus "/" contains an exclusion pattern is pruned with its
// subtree. A missing root gives an empty list; unreadable directories are listed, not descended
// (as os.walk). A tree deeper than max_depth, wider than max_directories or with a path too long
// to open is an error, never a silently shortened list.
absl::StatusOr<std::vector<std::string>> WalkDirectories(const std::string& root,
                                                         const std::vector<std::string>& excludes,
                                                         const WalkLimits& limits = {});

// The payload dict: version 0, global, site (only when enabled = 1), host, stats {} and one
// lower-cased key per category section with "enabled" and "dirtree". With `input` (-i), the
// saved payload is used instead of walking, and categories disabled in the config are removed.
absl::StatusOr<nlohmann::json> BuildPayload(const Ini& config,
                                            const std::vector<std::string>& excludes,
                                            const std::optional<nlohmann::json>& input);

struct CheckinOutcome {
  bool fault = false;
  std::string text;  // the server's answer, or the fault / transport error
};
// POSTs the XML-RPC call. A transport error or an HTTP status other than 200 is an error status.
absl::StatusOr<CheckinOutcome> SendCheckin(const std::string& server_url,
                                           const nlohmann::json& payload,
                                           long timeout_seconds = 300);

}  // namespace mm::report_mirror
