#include "services/umdl/umdl_config.h"

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/umdl/rsync_listing.h"

namespace mm::umdl {

absl::StatusOr<Excluder> Excluder::Create(const std::vector<std::string>& patterns) {
  Excluder e;
  for (const auto& p : patterns) {
    auto re = common::PythonRegex::Compile(p);
    if (!re.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid exclude pattern '", p, "': ", re.status().message()));
    }
    e.patterns_.push_back(std::move(*re));
  }
  return e;
}

bool Excluder::StandardExcluded(std::string_view n) {
  // re.match(".*LITERAL"): the literal anywhere on the first line ('.' stops at a newline).
  const std::string_view first_line = n.substr(0, n.find('\n'));
  return first_line.find(".snapshot") != std::string_view::npos ||
         first_line.find("/.~tmp~") != std::string_view::npos;
}

bool Excluder::AnyPatternMatches(std::string_view n, bool on_error) const {
  constexpr size_t kLoggedErrors = 5;
  for (const auto& re : patterns_) {
    absl::StatusOr<bool> m = re.Match(n);  // re.match: from the start of the name
    if (m.ok()) {
      if (*m) return true;
      continue;
    }
    const size_t logged = errors_logged_->fetch_add(1);
    if (logged < kLoggedErrors) {
      MM_LOG(WARNING) << "excludes: cannot decide '" << absl::CHexEscape(std::string(n))
                      << "': " << m.status().message() << "; "
                      << (on_error ? "not deleting it" : "not excluding it")
                      << (logged + 1 == kLoggedErrors ? " (further such errors are not logged)"
                                                      : "");
    }
    if (on_error) return true;
  }
  return false;
}

bool Excluder::MatchesEntryPattern(std::string_view n) const {
  return AnyPatternMatches(n, /*on_error=*/true);
}

bool Excluder::Excluded(std::string_view n) const {
  return StandardExcluded(n) || AnyPatternMatches(n, /*on_error=*/false);
}

const char* TypeName(MasterDirectory::Type type) {
  switch (type) {
    case MasterDirectory::Type::kDirectory:
      return "directory";
    case MasterDirectory::Type::kRsync:
      return "rsync";
    case MasterDirectory::Type::kFile:
      return "file";
  }
  return "?";
}

namespace {

const common::PyValue* GetKey(const common::PyValue& dict, std::string_view key) {
  return dict.Get(key);
}

absl::StatusOr<MasterDirectory> ParseEntry(const common::PyValue& v, size_t index) {
  if (v.kind() != common::PyValue::Kind::kDict) {
    return absl::InvalidArgumentError(
        absl::StrCat("is a ", common::PyValue::KindName(v.kind()), ", not a dict"));
  }
  MasterDirectory m;
  m.index = index;
  auto str = [&](std::string_view key, std::string* out, bool required) -> absl::Status {
    const common::PyValue* p = GetKey(v, key);
    if (p == nullptr || p->is_none()) {
      if (required)
        return absl::InvalidArgumentError(absl::StrCat("missing '", std::string(key), "'"));
      return absl::OkStatus();
    }
    if (p->kind() != common::PyValue::Kind::kString) {
      return absl::InvalidArgumentError(absl::StrCat("'", std::string(key), "' must be a string"));
    }
    *out = p->as_string();
    return absl::OkStatus();
  };
  std::string type;
  if (auto s = str("category", &m.category, true); !s.ok()) return s;
  if (auto s = str("type", &type, true); !s.ok()) return s;
  if (type == "directory") {
    m.type = MasterDirectory::Type::kDirectory;
    if (auto s = str("path", &m.path, true); !s.ok()) return s;
  } else if (type == "rsync" || type == "file") {
    m.type = type == "rsync" ? MasterDirectory::Type::kRsync : MasterDirectory::Type::kFile;
    if (auto s = str("url", &m.url, true); !s.ok()) return s;
    str("path", &m.path, false).IgnoreError();
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown type '", type, "'"));
  }
  if (const common::PyValue* ex = GetKey(v, "excludes"); ex != nullptr && !ex->is_none()) {
    if (ex->kind() == common::PyValue::Kind::kString) {
      m.excludes.push_back(ex->as_string());
    } else if (ex->is_sequence()) {
      for (const auto& item : ex->items()) {
        if (item.kind() != common::PyValue::Kind::kString) {
          return absl::InvalidArgumentError("'excludes' must be a list of strings");
        }
        m.excludes.push_back(item.as_string());
      }
    } else {
      return absl::InvalidArgumentError("'excludes' must be a list of strings");
    }
  }
  auto excluder = Excluder::Create(m.excludes);
  if (!excluder.ok()) return excluder.status();
  m.excluder = std::move(*excluder);
  if (const common::PyValue* op = GetKey(v, "options"); op != nullptr && !op->is_none()) {
    if (op->kind() == common::PyValue::Kind::kString) {
      auto words = SplitShellWords(op->as_string());
      if (!words.ok())
        return absl::InvalidArgumentError(absl::StrCat("'options': ", words.status().message()));
      m.options = std::move(*words);
    } else if (op->is_sequence()) {
      for (const auto& item : op->items()) {
        if (item.kind() != common::PyValue::Kind::kString) {
          return absl::InvalidArgumentError("'options' must be a string or a list of strings");
        }
        m.options.push_back(item.as_string());
      }
    } else {
      return absl::InvalidArgumentError("'options' must be a string or a list of strings");
    }
  }
  return m;
}

}  // namespace

absl::StatusOr<UmdlConfig> LoadUmdlConfig(const common::Config& config) {
  UmdlConfig out;
  auto prefix = config.GetString("UMDL_PREFIX");
  if (!prefix.ok()) return prefix.status();
  out.prefix = *prefix;
  auto skip = config.GetStringList("SKIP_PATHS_FOR_VERSION");
  if (!skip.ok()) return skip.status();
  out.skip_paths_for_version = *skip;
  auto stale = config.GetInt("MAX_STALE_DAYS");
  if (!stale.ok()) return stale.status();
  // Upstream takes any number; zero or less would expire every file_detail but the newest at
  // once (metalinks lose their alternates), so only positive numbers are accepted.
  if (*stale < 1 || *stale > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        config.Origin("MAX_STALE_DAYS"), ": MAX_STALE_DAYS must be a positive number of days"));
  }
  out.max_stale_days = static_cast<int>(*stale);
  auto rsync_timeout = config.GetFloat("UMDL_RSYNC_TIMEOUT");
  if (!rsync_timeout.ok()) return rsync_timeout.status();
  auto apply_timeout = config.GetFloat("UMDL_APPLY_TIMEOUT");
  if (!apply_timeout.ok()) return apply_timeout.status();
  if (*rsync_timeout <= 0 || *apply_timeout <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.Origin("UMDL_RSYNC_TIMEOUT"),
                     ": UMDL_RSYNC_TIMEOUT and UMDL_APPLY_TIMEOUT must be positive"));
  }
  out.rsync_timeout = absl::Seconds(*rsync_timeout);
  out.apply_timeout = absl::Seconds(*apply_timeout);

  const common::PyValue* dirs = config.Find("UMDL_MASTER_DIRECTORIES");
  if (dirs == nullptr || dirs->is_none()) return out;
  if (!dirs->is_sequence()) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.Origin("UMDL_MASTER_DIRECTORIES"),
                     ": UMDL_MASTER_DIRECTORIES must be a list of dicts"));
  }
  for (size_t i = 0; i < dirs->items().size(); ++i) {
    auto entry = ParseEntry(dirs->items()[i], i);
    if (!entry.ok()) {
      out.entry_errors.push_back(absl::StrCat("UMDL_MASTER_DIRECTORIES entry ", i + 1, " (",
                                              config.Origin("UMDL_MASTER_DIRECTORIES"),
                                              "): ", entry.status().message(), ", skipping"));
      continue;
    }
    out.master_directories.push_back(std::move(*entry));
  }
  return out;
}

}  // namespace mm::umdl
