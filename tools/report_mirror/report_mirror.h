#pragma once
// report_mirror: the check-in client of private mirrors (mm2-web-and-data.md §3.1-3.2), in C++.
// The pieces are plain functions so they can be tested without a server:
//   ParseIni         the upstream config format, as Python's configparser.ConfigParser() reads
//                    it: sections, key=value or key: value, '#'/';' comment lines, indented
//                    continuation lines, [DEFAULT], strict duplicates, %-interpolation on Get
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

// One section: options in file order with lower-cased keys (optionxform), raw (not yet
// interpolated) values; a multi-line value is its lines joined by "\n", trailing blank lines
// removed.
struct IniSection {
  std::string name;
  std::vector<std::pair<std::string, std::string>> options;
  const std::string* Raw(const std::string& key) const;
};

class Ini {
 public:
  std::vector<IniSection> sections;  // file order; [DEFAULT] is not one of them
  IniSection defaults;               // [DEFAULT]: every section falls back on it
  std::string filename;

  const IniSection* Find(const std::string& section) const;
  // has_option(): the section's own options and the defaults.
  bool Has(const std::string& section, const std::string& option) const;
  // get(): the value with BasicInterpolation applied ("%%" -> "%", "%(name)s" -> that option's
  // value, 10 levels at most). NotFound when the option is absent; InvalidArgument (Python's
  // message) for a bad "%".
  absl::StatusOr<std::string> Get(const std::string& section, const std::string& option) const;
};

// Errors are InvalidArgument with Python's message (DuplicateSectionError, DuplicateOptionError,
// MissingSectionHeaderError, ParsingError). At most 1 MiB and 100,000 lines.
absl::StatusOr<Ini> ParseIni(const std::string& text, const std::string& filename);

// Exclusion patterns: one per line; blank lines and lines starting with '#' are skipped.
std::vector<std::string> ParseExcludes(const std::string& text);

struct WalkLimits {
  size_t max_directories = 5'000'000;
  int max_depth = 4096;
};
// Directories below `root` (relative paths, no leading slash; "" is the root itself). A
// sub-directory whose absolute path plus "/" contains an exclusion pattern is pruned with its
// subtree. A missing root gives an empty list. A directory that cannot be opened (unreadable,
// vanished) is left out with its subtree, as os.walk does, and adds a line to `warnings`. A tree
// deeper than max_depth, wider than max_directories or with a path too long to open is an error,
// never a silently shortened list.
absl::StatusOr<std::vector<std::string>> WalkDirectories(
    const std::string& root, const std::vector<std::string>& excludes,
    const WalkLimits& limits = {}, std::vector<std::string>* warnings = nullptr);

// The payload dict, keys in upstream's order: version 0, global, site (only when enabled = 1),
// host, stats {} and one lower-cased key per enabled category section with "enabled" and
// "dirtree"; each section carries only the options upstream sends (global: enabled, server;
// site: enabled, name, password; host: enabled, name, user_active when present). With `input`
// (-i), the saved payload is the starting point instead of a walk: its keys are kept, the
// config's options overwrite theirs, and categories disabled in the config are removed (each
// removal adds "removing disabled section <name>" to `notes`). A [global] or [host] section
// with enabled != 1 is a FailedPrecondition after the same note (upstream exits 1 there).
// Directories the walk had to leave out add a line each to `warnings`.
// A payload saved with -o, for -i: upstream's first keys (version, global, site, host, stats)
// first, the others sorted.
absl::StatusOr<nlohmann::ordered_json> PayloadFromInput(const std::string& text);

absl::StatusOr<nlohmann::ordered_json> BuildPayload(
    const Ini& config, const std::vector<std::string>& excludes,
    const std::optional<nlohmann::ordered_json>& input, std::vector<std::string>* notes = nullptr,
    std::vector<std::string>* warnings = nullptr);

struct CheckinOutcome {
  bool fault = false;
  std::string text;  // the server's answer, or the fault / transport error
};
// POSTs the XML-RPC call. A transport error or an HTTP status other than 200 is an error status.
absl::StatusOr<CheckinOutcome> SendCheckin(const std::string& server_url,
                                           const nlohmann::ordered_json& payload,
                                           long timeout_seconds = 300);

}  // namespace mm::report_mirror
