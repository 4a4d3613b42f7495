#include "services/umdl/umdl_runner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "services/common/log.h"
#include "services/umdl/file_system.h"
#include "services/umdl/paths.h"
#include "services/umdl/plan.h"
#include "services/umdl/progress.h"
#include "services/umdl/scan.h"
#include "services/umdl/umdl_metrics.h"

namespace mm::umdl {

UmdlRunner::UmdlRunner(const UmdlConfig& config, UmdlOptions options, UmdlDeps deps)
    : config_(config), options_(std::move(options)), deps_(deps) {}

std::vector<UmdlRunner::Selected> UmdlRunner::SelectEntries(
    const std::vector<CategoryInfo>& categories) const {
  std::vector<std::string> include, exclude;
  for (const auto& n : options_.categories) {
    if (!n.empty() && n[0] == '^') {
      exclude.push_back(n.substr(1));
    } else {
      include.push_back(n);
    }
  }
  std::vector<Selected> out;
  for (const auto& e : config_.master_directories) {
    if (!include.empty() && std::find(include.begin(), include.end(), e.category) == include.end())
      continue;
    if (std::find(exclude.begin(), exclude.end(), e.category) != exclude.end()) continue;
    auto c = std::find_if(categories.begin(), categories.end(),
                          [&](const CategoryInfo& ci) { return ci.name == e.category; });
    if (c == categories.end()) {
      MM_LOG(ERROR) << "UMDL_MASTER_DIRECTORIES Category " << e.category
                    << " does not exist in the database, skipping";
      continue;
    }
    if (c->product_name.empty()) {
      MM_LOG(ERROR) << "UMDL_MASTER_DIRECTORIES Category " << e.category
                    << " has null Product, skipping";
      continue;
    }
    if (!c->has_topdir) {
      MM_LOG(ERROR) << "UMDL_MASTER_DIRECTORIES Category " << e.category
                    << " has no top directory, skipping";
      continue;
    }
    out.push_back(Selected{&e, *c});
  }
  return out;
}

int UmdlRunner::Run() {
  if (options_.list_categories) {
    auto categories = deps_.catalog->ListCategories();
    if (!categories.ok()) {
      MM_LOG(ERROR) << "cannot list categories: " << categories.status().message();
      return kExitCategoryFailed;
    }
    std::sort(categories->begin(), categories->end(),
              [](const CategoryInfo& a, const CategoryInfo& b) { return a.id < b.id; });
    for (const auto& c : *categories)
      MM_LOG(INFO) << "<Category(" << c.id << " - " << c.name << ")>";
    return kExitOk;
  }

  MM_LOG(INFO) << "Starting umdl";
  for (const auto& err : config_.entry_errors) MM_LOG(ERROR) << err;
  bool failed = !config_.entry_errors.empty();
  auto categories = deps_.catalog->ListCategories();
  if (!categories.ok()) {
    MM_LOG(ERROR) << "cannot reach the catalog: " << categories.status().message();
    if (deps_.metrics) deps_.metrics->RecordRun(false);
    return kExitCategoryFailed;
  }
  std::vector<Selected> selected = SelectEntries(*categories);
  std::vector<std::string> arches;
  if (!selected.empty()) {
    auto a = deps_.catalog->ListArchNames();
    if (!a.ok()) {
      MM_LOG(ERROR) << "cannot list arches: " << a.status().message();
      if (deps_.metrics) deps_.metrics->RecordRun(false);
      return kExitCategoryFailed;
    }
    arches = std::move(*a);
  }
  for (const auto& s : selected) {
    if (Stopped()) break;
    if (!SyncCategory(s, arches)) failed = true;
  }
  // One progress line for the whole run (upstream's rich Progress context).
  if (deps_.progress) deps_.progress->End();
  if (Stopped()) {
    MM_LOG(WARNING)
        << "Interrupted: stopping before the remaining categories; nothing partial was stored";
    if (deps_.metrics) deps_.metrics->RecordRun(false);
    return kExitInterrupted;
  }

  MM_LOG(DEBUG) << "Refresh the list of repomd.xml";
  auto aged = deps_.catalog->AgeFileDetails(config_.max_stale_days,
                                            absl::ToUnixSeconds(deps_.clock->Now()));
  if (!aged.ok()) {
    MM_LOG(ERROR) << "file_detail ageing failed: " << aged.status().message();
    failed = true;
  } else {
    MM_LOG(DEBUG) << "Aged " << *aged << " file_detail rows";
    if (deps_.metrics) deps_.metrics->RecordAged(*aged);
  }
  if (deps_.metrics) deps_.metrics->RecordRun(!failed);
  MM_LOG(INFO) << "Ending umdl";
  return failed ? kExitCategoryFailed : kExitOk;
}

bool UmdlRunner::SyncCategory(const Selected& s, const std::vector<std::string>& arches) {
  const MasterDirectory& entry = *s.entry;
  const CategoryInfo& category = s.category;
  common::ScopedLogContext log_context(category.name + ": ");
  const absl::Time start = deps_.clock->Now();
  auto fail = [&](const std::string& what, const absl::Status& status) {
    MM_LOG(ERROR) << what << ": " << status.message() << "; category skipped, nothing stored";
    if (deps_.metrics)
      deps_.metrics->RecordFailure(category.name,
                                   absl::ToDoubleSeconds(deps_.clock->Now() - start));
    return false;
  };

  if (entry.type == MasterDirectory::Type::kDirectory && !config_.prefix.empty()) {
    std::string expected = JoinPath(config_.prefix, category.topdir);
    if (StripTrailingSlashes(entry.path) != StripTrailingSlashes(expected)) {
      MM_LOG(WARNING) << "path " << entry.path
                      << " is not UMDL_PREFIX + the category's top directory (" << expected
                      << "); directory names are taken relative to " << category.topdir;
    }
  }

  auto rows = deps_.catalog->ListCategoryDirectories(category.name);
  if (!rows.ok())
    return fail("cannot read the category's directories from the catalog", rows.status());
  size_t outside = 0;
  KnownDirectories known = MakeKnownDirectories(*rows, category.topdir, &outside);
  rows->clear();
  rows->shrink_to_fit();
  if (outside > 0) {
    MM_LOG(DEBUG) << outside << " directories linked to the category are not below "
                  << category.topdir << "; left alone";
  }
  auto versions = deps_.catalog->ListVersionNames(category.product_name);
  if (!versions.ok()) return fail("cannot list versions", versions.status());

  ScanRequest req;
  req.entry = &entry;
  req.category_name = category.name;
  req.topdir = category.topdir;
  req.umdl_prefix = config_.prefix;
  req.temp_dir = options_.temp_dir;
  req.rsync_timeout = config_.rsync_timeout;
  req.stop = deps_.stop;
  req.progress = deps_.progress;
  // Upstream's progress task is called "Processing" until a phase names itself.
  if (deps_.progress) deps_.progress->Begin("Processing", 0);
  absl::StatusOr<ScanResult> scan = absl::InternalError("no synchronizer ran");
  switch (entry.type) {
    case MasterDirectory::Type::kDirectory: {
      if (!options_.skip_fullfiletimelist) {
        auto fft = ScanFullFileTimeList(req, known, *deps_.fs);
        if (!fft.ok()) {
          scan = fft.status();
          break;
        }
        if (fft->has_value()) {
          scan = std::move(**fft);
          break;
        }
      }
      scan = ScanDisk(req, known, *deps_.fs);
      break;
    }
    case MasterDirectory::Type::kRsync:
      scan = ScanRsync(req, known, *deps_.fs, *deps_.rsync);
      break;
    case MasterDirectory::Type::kFile:
      scan = ScanListingFile(req, known, *deps_.fs);
      break;
  }
  if (!scan.ok())
    return fail(
        absl::StrCat("cannot scan ",
                     entry.type == MasterDirectory::Type::kDirectory ? entry.path : entry.url),
        scan.status());
  for (const auto& w : scan->warnings) MM_LOG(WARNING) << w;

  PlanContext ctx;
  ctx.category = &category;
  ctx.entry = &entry;
  ctx.config = &config_;
  ctx.arch_names = arches;
  ctx.version_names = std::move(*versions);
  ctx.delete_directories = options_.delete_directories;
  ctx.fs = deps_.fs;
  ctx.stop = deps_.stop;
  ctx.progress = deps_.progress;
  PlanStats stats;
  auto plan = BuildPlan(*scan, known, ctx, &stats);
  if (!plan.ok()) return fail("cannot plan the changes", plan.status());
  for (const auto& w : stats.warnings) MM_LOG(WARNING) << w;
  const ScanMode mode = scan->mode;
  // The scan (file lists of every changed directory) is no longer needed.
  scan = absl::CancelledError("released");
  known.clear();

  ApplyResult applied;
  const bool empty = plan->directories.empty() && plan->versions.empty() &&
                     plan->repositories.empty() && plan->file_details.empty() &&
                     plan->deletions.empty();
  if (!empty) {
    if (Stopped()) return fail("not applied", absl::CancelledError("stopped by a signal"));
    auto r = deps_.catalog->ApplyCategory(*plan);
    if (!r.ok()) return fail("the catalog did not apply the category", r.status());
    applied = std::move(*r);
  }
  if (deps_.progress) deps_.progress->Complete();
  for (const auto& name : applied.created_repositories) {
    auto c = std::find_if(plan->repositories.begin(), plan->repositories.end(),
                          [&](const RepositoryCandidate& r) { return r.directory_name == name; });
    if (c == plan->repositories.end()) continue;
    MM_LOG(INFO) << "Created Repository(prefix=" << c->prefix.value_or("None")
                 << ", version=" << c->version_name << ", arch=" << c->arch_name
                 << ", category=" << category.name << ") -> Directory " << name;
  }
  for (const auto& n : applied.notes) MM_LOG(WARNING) << n;
  if (applied.invalid_names_skipped > 0) {
    MM_LOG(WARNING) << applied.invalid_names_skipped
                    << " entries were skipped because their names are not valid UTF-8 (or hold "
                       "NUL), which the database cannot store; examples above";
  }
  if (!applied.shared_directories.empty()) {
    MM_LOG(WARNING) << "overlapping categories: directories such as "
                    << absl::StrJoin(applied.shared_directories.begin(),
                                     applied.shared_directories.begin() +
                                         std::min<size_t>(3, applied.shared_directories.size()),
                                     ", ")
                    << " also belong to another category";
  }
  if (applied.deletions_refused > 0) {
    MM_LOG(WARNING) << applied.deletions_refused
                    << " gone directories were kept: they belong to another category as well or "
                       "are a top directory";
  }
  const double seconds = absl::ToDoubleSeconds(deps_.clock->Now() - start);
  MM_LOG(INFO) << "synced (" << ScanModeName(mode) << "): " << stats.seen << " directories, "
               << stats.changed << " changed, " << applied.directories_created << " created, "
               << applied.directories_updated << " updated, " << applied.directories_deleted
               << " deleted, " << applied.file_details_created << " file details, "
               << applied.repositories_created << " repositories, " << applied.versions_created
               << " versions created in " << absl::StrFormat("%.2f", seconds) << " s";
  if (deps_.metrics) {
    UmdlMetrics::CategoryCounts c;
    c.seen = static_cast<double>(stats.seen);
    c.changed = static_cast<double>(stats.changed);
    c.created = applied.directories_created;
    c.deleted = applied.directories_deleted;
    c.file_details = applied.file_details_created;
    c.repositories = applied.repositories_created;
    c.invalid_names = applied.invalid_names_skipped;
    deps_.metrics->RecordCategory(category.name, c, seconds);
  }
  return true;
}

}  // namespace mm::umdl
