#pragma once
// MirrorManager2 configuration: one file in MirrorManager2's own syntax (`KEY = value` with Python
// literals, see python_literal.h), pre-seeded with every upstream default, then overridden by
// environment variables MM2_<KEY>. Every value remembers where it came from, so errors and
// warnings can name the file and line.
//
// Thread-safety: a Config is immutable after loading; share it by const reference.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/python_literal.h"

namespace mm::common {

inline constexpr char kDefaultConfigPath[] = "/etc/mirrormanager/mirrormanager2.cfg";

struct ConfigEntry {
  PyValue value;
  std::string origin;  // "default", "<file>:<line>" or "environment MM2_<KEY>"
  // The text of an MM2_<KEY> override that parsed as a non-string literal: a key without a
  // string default (e.g. None) read as a string gets this text back (MM2_CRAWLER_CRAWL_ID=2026
  // is the id "2026", not an error).
  std::optional<std::string> env_text;
};

class Config {
 public:
  // Every upstream default (mm2-web-and-data.md §5, mm2-backend.md §0.2) plus our own keys.
  static Config WithDefaults();

  // Parses `text` (named `filename` in messages) and applies its assignments on top.
  absl::Status MergeText(std::string_view text, std::string_view filename);
  absl::Status MergeFile(const std::string& path);
  // Applies MM2_<KEY>=value overrides. When the key's current value is a string, the variable
  // is taken verbatim (MM2_SECRET_KEY=123456 stays the string "123456"; only "None" means None).
  // Otherwise a value that
  // parses as a Python literal is used as such ("5" is an int, "['a']" a list) and anything
  // else is taken as a plain string. Such a literal read back with GetString gives the raw
  // text (MM2_CRAWLER_CRAWL_ID=2026 is the id "2026").
  absl::Status MergeEnvironment(char** envp);
  // Sets one key (tests, command-line overrides).
  void Set(std::string key, PyValue value, std::string origin = "override");

  const PyValue* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  std::string Origin(std::string_view key) const;

  // Typed accessors. Errors name the key and where its value came from:
  //   "/etc/mm.cfg:12: CRAWLER_AUTO_DISABLE must be an int, got str 'four'"
  absl::StatusOr<std::string> GetString(std::string_view key) const;
  // None or a missing key gives nullopt.
  absl::StatusOr<std::optional<std::string>> GetOptionalString(std::string_view key) const;
  absl::StatusOr<int64_t> GetInt(std::string_view key) const;
  absl::StatusOr<double> GetFloat(std::string_view key) const;
  absl::StatusOr<bool> GetBool(std::string_view key) const;
  // A list or tuple of strings; a single string counts as a one-element list.
  absl::StatusOr<std::vector<std::string>> GetStringList(std::string_view key) const;

  // Keys set by the file or the environment that no component knows about.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Files merged so far, in order.
  const std::vector<std::string>& files() const { return files_; }

 private:
  absl::Status TypeError(std::string_view key, const char* wanted) const;
  const std::string* EnvText(std::string_view key) const;
  void NoteUnknown(const std::string& key, const std::string& origin);

  std::map<std::string, ConfigEntry, std::less<>> entries_;
  std::vector<std::string> warnings_;
  std::vector<std::string> files_;
};

// True for keys that MirrorManager2, Flask or this project define.
bool IsKnownConfigKey(std::string_view key);

struct ConfigLoadOptions {
  std::string explicit_path;      // from -c/--config; empty = MM2_CONFIG, then default_path
  bool apply_environment = true;  // MM2_<KEY> overrides
  std::string default_path = kDefaultConfigPath;
};

// The standard load sequence every binary uses: defaults, then the file named by -c/--config or
// MM2_CONFIG (an explicitly named file must exist; the default path may be absent, but when it
// exists it must be readable), then MM2_<KEY> overrides. Unknown keys are logged as warnings.
absl::StatusOr<Config> LoadConfig(const ConfigLoadOptions& options);

}  // namespace mm::common
