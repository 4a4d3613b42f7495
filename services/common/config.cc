#include "services/common/config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/file_util.h"
#include "services/common/log.h"

namespace mm::common {

extern const char kConfigDefaults[];

namespace {

// Parsed once; the defaults never change at run time.
const std::vector<PyAssignment>& DefaultAssignments() {
  static const std::vector<PyAssignment>* defaults = [] {
    auto parsed = ParsePythonAssignments(kConfigDefaults, "<defaults>");
    if (!parsed.ok()) {
      // A broken built-in table is a programming error, not bad input.
      std::fprintf(stderr, "FATAL: built-in config defaults: %s\n",
                   std::string(parsed.status().message()).c_str());
      std::abort();
    }
    return new std::vector<PyAssignment>(std::move(parsed).value());
  }();
  return *defaults;
}

const std::set<std::string, std::less<>>& KnownKeys() {
  static const auto* keys = [] {
    auto* k = new std::set<std::string, std::less<>>();
    for (const auto& a : DefaultAssignments()) k->insert(a.key);
    return k;
  }();
  return *keys;
}

// Config files also define helper names in lower case (Python variables); only upper-case names
// are configuration keys, as in Flask's from_pyfile.
bool IsConfigKeyName(std::string_view key) {
  bool has_upper = false;
  for (char c : key) {
    if (c >= 'a' && c <= 'z') return false;
    has_upper = has_upper || (c >= 'A' && c <= 'Z');
  }
  return has_upper;
}

}  // namespace

bool IsKnownConfigKey(std::string_view key) { return KnownKeys().count(key) > 0; }

Config Config::WithDefaults() {
  Config c;
  for (const auto& a : DefaultAssignments()) {
    c.entries_[a.key] = ConfigEntry{a.value, "default"};
  }
  return c;
}

void Config::NoteUnknown(const std::string& key, const std::string& origin) {
  if (!IsKnownConfigKey(key)) {
    warnings_.push_back(absl::StrCat(origin, ": unknown configuration key ", key));
  }
}

absl::Status Config::MergeText(std::string_view text, std::string_view filename) {
  PyNameLookup names = [this](std::string_view name) -> const PyValue* { return Find(name); };
  PyEnvLookup env = [](const std::string& name) -> const char* {
    return std::getenv(name.c_str());
  };
  auto parsed = ParsePythonAssignments(text, filename, names, env);
  if (!parsed.ok()) return parsed.status();
  for (auto& a : *parsed) {
    if (!IsConfigKeyName(a.key)) continue;
    std::string origin = absl::StrCat(std::string(filename), ":", a.line);
    NoteUnknown(a.key, origin);
    entries_[a.key] = ConfigEntry{std::move(a.value), std::move(origin)};
  }
  files_.emplace_back(filename);
  return absl::OkStatus();
}

absl::Status Config::MergeFile(const std::string& path) {
  // Read no more than the parser accepts: `-c /dev/zero` is an error, not unbounded memory.
  auto text = ReadFileToString(path, PyParseLimits().max_input_bytes, "configuration file");
  if (!text.ok()) return text.status();
  return MergeText(*text, path);
}

absl::Status Config::MergeEnvironment(char** envp) {
  if (envp == nullptr) return absl::OkStatus();
  for (char** e = envp; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.substr(0, 4) != "MM2_") continue;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(kv.substr(4, eq - 4));
    if (key.empty() || key == "CONFIG" || !IsConfigKeyName(key)) continue;
    std::string raw(kv.substr(eq + 1));
    std::string origin = absl::StrCat("environment MM2_", key);
    // A key whose value is a string stays a string whatever it looks like
    // (MM2_SECRET_KEY=123456 is the text "123456"), except that None turns it off, as in a
    // file (MM2_NETBLOCKS_GLOBAL_IPV6_URL=None). Other keys take a Python literal ("5" is an
    // int, "['a']" a list); what does not parse (a bare word such as "fas", a URL) is taken as
    // a plain string.
    PyValue value;
    std::optional<std::string> env_text;
    const PyValue* current = Find(key);
    if (current != nullptr && current->kind() == PyValue::Kind::kString) {
      value = raw == "None" ? PyValue::None() : PyValue::String(raw);
    } else {
      auto parsed = ParsePythonExpression(raw);
      value = parsed.ok() ? *std::move(parsed) : PyValue::String(raw);
      if (value.kind() != PyValue::Kind::kString && !value.is_none()) env_text = raw;
    }
    NoteUnknown(key, origin);
    entries_[key] = ConfigEntry{std::move(value), std::move(origin), std::move(env_text)};
  }
  return absl::OkStatus();
}

void Config::Set(std::string key, PyValue value, std::string origin) {
  entries_[std::move(key)] = ConfigEntry{std::move(value), std::move(origin)};
}

const PyValue* Config::Find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second.value;
}

const std::string* Config::EnvText(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.env_text.has_value()) return nullptr;
  return &*it->second.env_text;
}

std::string Config::Origin(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? "unset" : it->second.origin;
}

absl::Status Config::TypeError(std::string_view key, const char* wanted) const {
  const PyValue* v = Find(key);
  if (v == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("configuration key ", std::string(key), " is not set"));
  }
  std::string repr = v->Repr();
  if (repr.size() > 60) repr = repr.substr(0, 57) + "...";
  return absl::InvalidArgumentError(absl::StrCat(Origin(key), ": ", std::string(key), " must be ",
                                                 wanted, ", got ", PyValue::KindName(v->kind()),
                                                 " ", repr));
}

absl::StatusOr<std::string> Config::GetString(std::string_view key) const {
  const PyValue* v = Find(key);
  if (const std::string* text = EnvText(key)) return *text;
  if (v == nullptr || v->kind() != PyValue::Kind::kString) return TypeError(key, "a string");
  return v->as_string();
}

absl::StatusOr<std::optional<std::string>> Config::GetOptionalString(std::string_view key) const {
  const PyValue* v = Find(key);
  if (const std::string* text = EnvText(key)) return std::optional<std::string>(*text);
  if (v == nullptr || v->is_none()) return std::optional<std::string>();
  if (v->kind() != PyValue::Kind::kString) return TypeError(key, "a string or None");
  return std::optional<std::string>(v->as_string());
}

absl::StatusOr<int64_t> Config::GetInt(std::string_view key) const {
  const PyValue* v = Find(key);
  if (v != nullptr && v->kind() == PyValue::Kind::kInt) return v->as_int();
  if (v != nullptr && v->kind() == PyValue::Kind::kBool) return int64_t{v->as_bool()};
  return TypeError(key, "an int");
}

absl::StatusOr<double> Config::GetFloat(std::string_view key) const {
  const PyValue* v = Find(key);
  if (v != nullptr && v->kind() == PyValue::Kind::kFloat) return v->as_float();
  if (v != nullptr && v->kind() == PyValue::Kind::kInt) return static_cast<double>(v->as_int());
  return TypeError(key, "a number");
}

absl::StatusOr<bool> Config::GetBool(std::string_view key) const {
  const PyValue* v = Find(key);
  if (v == nullptr) return TypeError(key, "a bool");
  switch (v->kind()) {
    case PyValue::Kind::kBool:
    case PyValue::Kind::kInt:
    case PyValue::Kind::kNone:
      // Python code tests these with `if config[KEY]`, so 0/1/None work upstream too.
      return v->Truthy();
    case PyValue::Kind::kString: {
      const std::string& s = v->as_string();
      if (s == "True" || s == "true" || s == "1" || s == "yes") return true;
      if (s == "False" || s == "false" || s == "0" || s == "no" || s.empty()) return false;
      break;
    }
    default:
      break;
  }
  return TypeError(key, "a bool");
}

absl::StatusOr<std::vector<std::string>> Config::GetStringList(std::string_view key) const {
  const PyValue* v = Find(key);
  if (v == nullptr) return TypeError(key, "a list of strings");
  if (v->kind() == PyValue::Kind::kString) return std::vector<std::string>{v->as_string()};
  if (v->is_none()) return std::vector<std::string>{};
  if (!v->is_sequence()) return TypeError(key, "a list of strings");
  std::vector<std::string> out;
  for (const auto& item : v->items()) {
    if (item.kind() != PyValue::Kind::kString) return TypeError(key, "a list of strings");
    out.push_back(item.as_string());
  }
  return out;
}

extern "C" char** environ;

absl::StatusOr<Config> LoadConfig(const ConfigLoadOptions& options) {
  Config config = Config::WithDefaults();
  std::string path = options.explicit_path;
  bool required = !path.empty();
  if (path.empty()) {
    if (const char* env = std::getenv("MM2_CONFIG"); env != nullptr && *env != '\0') {
      path = env;
      required = true;
    } else {
      path = options.default_path;
    }
  }
  // The default file is optional, but only when it is absent: one that exists and cannot be
  // read (permissions, a directory) is an error, not a silent fallback to the defaults.
  struct stat st;
  bool absent =
      !required && ::stat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
  if (absent) {
    MM_LOG(DEBUG) << "no configuration file at " << path << "; using defaults";
  } else {
    absl::Status s = config.MergeFile(path);
    if (!s.ok()) return s;
  }
  if (options.apply_environment) {
    absl::Status s = config.MergeEnvironment(environ);
    if (!s.ok()) return s;
  }
  for (const auto& w : config.warnings()) MM_LOG(WARNING) << w;
  return config;
}

}  // namespace mm::common
