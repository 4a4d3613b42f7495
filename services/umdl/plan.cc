#include "services/umdl/plan.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/umdl/checksums.h"
#include "services/umdl/file_hashes.h"
#include "services/umdl/file_system.h"
#include "services/umdl/paths.h"
#include "services/umdl/progress.h"
#include "services/umdl/repo_map.h"
#include "services/umdl/repomd.h"

namespace mm::umdl {
namespace {

constexpr size_t kMaxChecksumFileBytes = 16 << 20;
constexpr size_t kMaxRepomdBytes = 32 << 20;
constexpr size_t kMaxSummaryBytes = 64 << 20;
constexpr size_t kLoggedPerKind = 5;

// Logs the first few occurrences of a kind of problem, then summarises.
class RateLimitedLog {
 public:
  explicit RateLimitedLog(std::string what) : what_(std::move(what)) {}
  void Warn(const std::string& message) {
    if (count_++ < kLoggedPerKind) {
      MM_LOG(WARNING) << message;
    } else {
      MM_LOG(DEBUG) << message;
    }
  }
  void Summarise(PlanStats* stats) const {
    if (count_ > kLoggedPerKind) {
      stats->warnings.push_back(
          absl::StrCat(count_, " ", what_, " (first ", kLoggedPerKind, " logged)"));
    }
  }

 private:
  std::string what_;
  size_t count_ = 0;
};

bool Stopped(const PlanContext& c) { return c.stop != nullptr && c.stop->load(); }

}  // namespace

KnownDirectories MakeKnownDirectories(const std::vector<DirectoryState>& rows,
                                      const std::string& topdir, size_t* outside) {
  KnownDirectories known;
  known.reserve(rows.size());
  size_t out = 0;
  for (const auto& r : rows) {
    auto rel = RelativeToTop(topdir, r.name);
    if (!rel) {
      ++out;
      continue;
    }
    known[*rel] =
        KnownDirectory{r.ctime, r.readable, r.has_repository, r.files_not_json, r.source_files};
  }
  if (outside) *outside = out;
  return known;
}

std::vector<FileEntry> ShortFileList(const std::vector<FileEntry>& files) {
  size_t html = 0, rpm = 0, hdr = 0, drpm = 0;
  for (const auto& f : files) {
    if (absl::EndsWith(f.name, ".html")) ++html;
    if (absl::EndsWith(f.name, ".rpm")) ++rpm;
    if (absl::EndsWith(f.name, ".hdr")) ++hdr;
    if (absl::EndsWith(f.name, ".drpm")) ++drpm;
  }
  if (html <= 10 && rpm <= 10 && hdr <= 10 && drpm <= 10) return files;
  std::vector<const FileEntry*> order;
  order.reserve(files.size());
  for (const auto& f : files) order.push_back(&f);
  // Upstream sorts (timestamp, name, size) tuples and keeps the last three.
  std::sort(order.begin(), order.end(), [](const FileEntry* a, const FileEntry* b) {
    return std::tie(a->timestamp, a->name, a->size) < std::tie(b->timestamp, b->name, b->size);
  });
  std::vector<FileEntry> out;
  for (size_t i = order.size() >= 3 ? order.size() - 3 : 0; i < order.size(); ++i)
    out.push_back(*order[i]);
  return out;
}

namespace {

// How reading one source file went.
enum class ReadOutcome {
  kRead,      // read: record it with the names of the file details it produced
  kUnusable,  // read or refused for good (garbage, too large, not a regular file): record it
              // without derived names, so it is not re-read until it changes
  kRetry,     // a transient failure: do not record it, so the next run reads it again
};

ReadOutcome FailureOutcome(const absl::Status& s) {
  return s.code() == absl::StatusCode::kResourceExhausted ||
                 s.code() == absl::StatusCode::kFailedPrecondition
             ? ReadOutcome::kUnusable
             : ReadOutcome::kRetry;
}

class Planner {
 public:
  Planner(ScanResult& scan, const KnownDirectories& known, PlanContext& ctx, PlanStats* stats)
      : scan_(scan), known_(known), ctx_(ctx), stats_(stats) {}

  absl::StatusOr<CategoryPlan> Build() {
    CategoryPlan plan;
    plan.category_name = ctx_.category->name;
    const std::string& topdir = ctx_.category->topdir;
    stats_->seen = scan_.directories.size();
    if (ctx_.progress)
      ctx_.progress->Begin("Syncing directories of " + ctx_.category->name,
                           scan_.directories.size());
    for (auto& d : scan_.directories) {
      if (Stopped(ctx_)) return absl::CancelledError("stopped by a signal");
      if (ctx_.progress) ctx_.progress->Advance(1);
      if (d.changed) ++stats_->changed;
      if (!d.known) ++stats_->new_directories;
      const std::string full = JoinPath(topdir, d.relative);
      std::optional<std::vector<SourceFileRecord>> records;
      if (scan_.local_root) records = SourceFiles(d, full, plan);
      AddDirectoryChange(d, full, std::move(records), plan);
      std::vector<FileEntry>().swap(d.files);
      std::vector<FileEntry>().swap(d.source_files);
    }
    if (ctx_.progress)
      ctx_.progress->Begin("Syncing repositories of " + ctx_.category->name,
                           scan_.directories.size());
    for (const auto& d : scan_.directories) {
      if (ctx_.progress) ctx_.progress->Advance(1);
      if (d.is_repository || d.is_atomic) Repository(d, plan);
    }
    if (ctx_.delete_directories) Deletions(plan);
    checksum_read_errors_.Summarise(stats_);
    checksum_garbage_.Summarise(stats_);
    repo_file_errors_.Summarise(stats_);
    repo_guess_failures_.Summarise(stats_);
    return plan;
  }

 private:
  const KnownDirectory* Known(const std::string& rel) const {
    auto it = known_.find(rel);
    return it == known_.end() ? nullptr : &it->second;
  }

  // `records`: the directory's source-file records as they should be stored now (nullopt: no
  // local files to look at, leave them alone).
  void AddDirectoryChange(const ScannedDirectory& d, const std::string& full,
                          std::optional<std::vector<SourceFileRecord>> records,
                          CategoryPlan& plan) {
    const KnownDirectory* k = Known(d.relative);
    DirectoryChange c;
    c.name = full;
    bool any = false;
    if (k == nullptr) {
      // New (or linked from another category): always sent, so that it gets linked.
      if (!d.relative.empty()) {
        MM_LOG(DEBUG) << "Created Directory(" << full << ", readable="
                      << (d.readable.has_value() ? (*d.readable ? "True" : "False") : "None")
                      << ", ctime=" << d.ctime << ")";
      }
      any = true;
      c.readable = d.readable;
      c.ctime = d.ctime;
    } else {
      if (d.readable && *d.readable != k->readable) {
        c.readable = d.readable;
        any = true;
      }
      if (d.ctime != k->ctime) {
        c.ctime = d.ctime;
        any = true;
      }
    }
    // A legacy pickled sample is rewritten even when the directory did not change.
    if (d.changed || (k != nullptr && k->files_not_json && d.files_listed)) {
      c.set_files = true;
      c.files = ShortFileList(d.files);
      any = true;
    }
    if (records && !SameRecords(*records, k)) {
      c.set_source_files = true;
      c.source_files = std::move(*records);
      any = true;
    }
    if (any) plan.directories.push_back(std::move(c));
  }

  static SourceFileRecord Record(const SourceFileState& s) {
    SourceFileRecord r{s.name, s.timestamp, s.size, {}};
    for (const auto& x : s.derived) r.derived.push_back(x.file);
    return r;
  }

  // Whether `records` (sorted by name) equals what the catalog has stored.
  static bool SameRecords(const std::vector<SourceFileRecord>& records, const KnownDirectory* k) {
    const size_t stored = k == nullptr ? 0 : k->source_files.size();
    if (records.size() != stored) return false;
    if (stored == 0) return true;
    std::vector<SourceFileRecord> old;
    for (const auto& s : k->source_files) old.push_back(Record(s));
    std::sort(old.begin(), old.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return old == records;
  }

  static const SourceFileState* Stored(const KnownDirectory* k, const std::string& name) {
    if (k == nullptr) return nullptr;
    for (const auto& s : k->source_files) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  // A source file must be read again: it is new, its time or size changed, a file detail it
  // produced is gone, or (checksum files) a file it lists no longer has the ctime and size of
  // its file detail (upstream's loader would make a new one).
  bool NeedsRead(const FileEntry& f, const SourceFileState* stored, const std::string& dir,
                 bool checksum) const {
    if (stored == nullptr || stored->timestamp != f.timestamp || stored->size != f.size)
      return true;
    for (const auto& x : stored->derived) {
      if (!x.has_file_detail) return true;
      if (!checksum) continue;
      auto st = ctx_.fs->Stat(JoinPath(dir, x.file.name));
      if (!st.ok() || st->is_dir) continue;  // gone: reading the list again makes nothing
      if (st->ctime != x.file.timestamp || st->size != x.file.size) return true;
    }
    return false;
  }

  // §1.7 and §1.9 for one directory: reads the source files that are new or changed (all of
  // them when the directory itself is new or changed, as upstream) and returns the records to
  // store. Unchanged ones keep their stored record and cost no read.
  std::vector<SourceFileRecord> SourceFiles(const ScannedDirectory& d, const std::string& full,
                                            CategoryPlan& plan) {
    std::vector<SourceFileRecord> records;
    if (d.source_files.empty()) return records;  // most directories
    const KnownDirectory* k = Known(d.relative);
    const std::string dir = JoinPath(*scan_.local_root, d.relative);
    std::vector<const FileEntry*> checksum_files;
    for (const auto& f : d.source_files) {
      if (IsChecksumFileName(f.name)) checksum_files.push_back(&f);
    }
    // All checksum files of a directory are read together: one file detail merges the hashes
    // of every list that names the file.
    bool read_checksums = d.files_listed && !checksum_files.empty();
    for (const FileEntry* f : checksum_files) {
      if (read_checksums) break;
      read_checksums = NeedsRead(*f, Stored(k, f->name), dir, true);
    }
    if (read_checksums) {
      ChecksumFileDetails(checksum_files, dir, full, plan, records);
    } else {
      for (const FileEntry* f : checksum_files) records.push_back(Record(*Stored(k, f->name)));
    }
    if (scan_.repo_file_details) {
      for (const char* target : {"repomd.xml", "summary"}) {
        auto f = std::find_if(d.source_files.begin(), d.source_files.end(),
                              [&](const FileEntry& e) { return e.name == target; });
        if (f == d.source_files.end()) continue;
        const SourceFileState* stored = Stored(k, f->name);
        if (!d.files_listed && !NeedsRead(*f, stored, dir, false)) {
          records.push_back(Record(*stored));
          continue;
        }
        SourceFileRecord r{f->name, f->timestamp, f->size, {}};
        ReadOutcome o = RepoFileDetails(*f, dir, full, plan);
        if (o == ReadOutcome::kRead) {
          const FileDetailCandidate& fd = plan.file_details.back();
          r.derived.push_back(DerivedFile{f->name, *fd.timestamp, *fd.size});
        }
        if (o != ReadOutcome::kRetry) records.push_back(std::move(r));
      }
    }
    std::sort(records.begin(), records.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return records;
  }

  // §1.7: every checksum file of the directory; adds their records to `records`.
  void ChecksumFileDetails(const std::vector<const FileEntry*>& sources, const std::string& dir,
                           const std::string& full, CategoryPlan& plan,
                           std::vector<SourceFileRecord>& records) {
    // Read each file once, in name order (upstream: directory listing order).
    struct Source {
      const FileEntry* entry;
      std::string contents;
      std::set<std::string> names;  // the files its lists name
    };
    std::vector<Source> ok;
    for (const FileEntry* f : sources) {
      ++stats_->checksum_files;
      const std::string path = JoinPath(dir, f->name);
      auto contents = ctx_.fs->ReadFile(path, kMaxChecksumFileBytes);
      if (!contents.ok()) {
        checksum_read_errors_.Warn(
            absl::StrCat("cannot read checksum file ", path, ": ", contents.status().message()));
        if (FailureOutcome(contents.status()) == ReadOutcome::kUnusable)
          records.push_back(SourceFileRecord{f->name, f->timestamp, f->size, {}});
        continue;
      }
      ok.push_back(Source{f, std::move(*contents), {}});
    }
    std::sort(ok.begin(), ok.end(),
              [](const Source& a, const Source& b) { return a.entry->name < b.entry->name; });
    // Per algorithm, pattern by pattern, every file matching the pattern: its list is merged in
    // (a later list wins), as upstream's _checksums_from_globs. A file matching several
    // patterns, of one algorithm or of several, is read for each.
    std::array<std::map<std::string, std::string>, 4> hashes;
    std::vector<size_t> ignored(ok.size(), 0);
    std::vector<std::string> algos_of(ok.size());
    for (HashAlgo algo : kHashAlgos) {
      for (size_t p = 0; p < ChecksumPatternCount(algo); ++p) {
        for (size_t i = 0; i < ok.size(); ++i) {
          if (!MatchesChecksumPattern(ok[i].entry->name, algo, p)) continue;
          if (algos_of[i].find(AlgoName(algo)) == std::string::npos) {
            absl::StrAppend(&algos_of[i], algos_of[i].empty() ? "" : "/", AlgoName(algo));
          }
          ChecksumParseStats ps;
          for (auto& [name, hash] : ParseChecksumFile(ok[i].contents, algo, &ps)) {
            ok[i].names.insert(name);
            hashes[static_cast<int>(algo)][name] = std::move(hash);
          }
          ignored[i] = ps.ignored;
        }
      }
    }
    std::vector<std::pair<SourceFileRecord, std::vector<std::string>>> read;  // record, names
    for (size_t i = 0; i < ok.size(); ++i) {
      const FileEntry* f = ok[i].entry;
      SourceFileRecord r{f->name, f->timestamp, f->size, {}};
      if (ok[i].names.empty()) {
        checksum_garbage_.Warn(absl::StrCat("no ", algos_of[i], " checksums found in ",
                                            JoinPath(dir, f->name), " (", ignored[i],
                                            " other line(s)); ignored"));
        records.push_back(std::move(r));
        continue;
      }
      read.emplace_back(std::move(r),
                        std::vector<std::string>(ok[i].names.begin(), ok[i].names.end()));
    }
    std::map<std::string, std::array<const std::string*, 4>> files;
    for (int a = 0; a < 4; ++a) {
      for (const auto& [name, hash] : hashes[a]) files[name][a] = &hash;
    }
    absl::flat_hash_map<std::string, DerivedFile> produced;
    for (const auto& [name, h] : files) {
      // Only files of this very directory (entries may point into sub-directories).
      if (!IsPlainFileName(name)) continue;
      auto st = ctx_.fs->Stat(JoinPath(dir, name));
      if (!st.ok() || st->is_dir) continue;
      produced.emplace(name, DerivedFile{name, st->ctime, st->size});
      FileDetailCandidate fd;
      fd.directory_name = full;
      fd.filename = name;
      fd.timestamp = st->ctime;
      fd.size = st->size;
      auto opt = [](const std::string* p) {
        return p ? std::optional<std::string>(*p) : std::nullopt;
      };
      fd.md5 = opt(h[0]);
      fd.sha1 = opt(h[1]);
      fd.sha256 = opt(h[2]);
      fd.sha512 = opt(h[3]);
      plan.file_details.push_back(std::move(fd));
    }
    for (auto& [r, names] : read) {
      for (auto& n : names) {
        auto it = produced.find(n);
        if (it != produced.end()) r.derived.push_back(it->second);
      }
      records.push_back(std::move(r));
    }
  }

  // §1.9 for one repomd.xml or summary.
  ReadOutcome RepoFileDetails(const FileEntry& f, const std::string& dir, const std::string& full,
                              CategoryPlan& plan) {
    const std::string path = JoinPath(dir, f.name);
    const bool is_repomd = f.name == "repomd.xml";
    auto contents = ctx_.fs->ReadFile(path, is_repomd ? kMaxRepomdBytes : kMaxSummaryBytes);
    if (!contents.ok()) {
      repo_file_errors_.Warn(absl::StrCat("Won't make repo file details: cannot read ", path, ": ",
                                          contents.status().message()));
      return FailureOutcome(contents.status());
    }
    int64_t timestamp = 0;
    if (is_repomd) {
      auto ts = RepomdTimestamp(*contents);
      if (!ts.ok()) {
        repo_file_errors_.Warn(absl::StrCat("Won't make repo file details: ", path,
                                            " is not a repomd.xml: ", ts.status().message()));
        return ReadOutcome::kUnusable;
      }
      timestamp = *ts;
    } else {
      auto st = ctx_.fs->Stat(path);
      if (!st.ok()) return ReadOutcome::kRetry;
      // Upstream stores os.path.getmtime(), the double sec + nsec * 1e-9, in a bigint column;
      // PostgreSQL rounds the numeric literal psycopg2 sends half away from zero.
      timestamp =
          std::llround(static_cast<double>(st->mtime) + static_cast<double>(st->mtime_nsec) * 1e-9);
    }
    ++stats_->repo_files_hashed;
    FileHashes h = HashAll(*contents);
    FileDetailCandidate fd;
    fd.directory_name = full;
    fd.filename = f.name;
    fd.timestamp = timestamp;
    fd.size = static_cast<int64_t>(contents->size());
    fd.md5 = std::move(h.md5);
    fd.sha1 = std::move(h.sha1);
    fd.sha256 = std::move(h.sha256);
    fd.sha512 = std::move(h.sha512);
    plan.file_details.push_back(std::move(fd));
    return ReadOutcome::kRead;
  }

  const std::string* FindVersion(std::string_view rel) const {
    for (const auto& v : ctx_.version_names) {
      if (HasPathComponent(rel, v)) return &v;
    }
    return nullptr;
  }

  std::optional<std::string> EnsureVersionFromPath(std::string_view path, CategoryPlan& plan) {
    auto name = VersionFromPath(path);
    if (!name || name->empty()) return std::nullopt;
    if (std::find(ctx_.version_names.begin(), ctx_.version_names.end(), *name) ==
        ctx_.version_names.end()) {
      bool is_test = IsTestPath(path);
      // Upstream's text, unbalanced parenthesis and all.
      MM_LOG(INFO) << "Created Version(product=<Product(" << ctx_.category->product_id << " - "
                   << ctx_.category->product_name << ")>, name=" << *name
                   << ", is_test=" << (is_test ? "True" : "False") << ", ";
      plan.versions.push_back(VersionToEnsure{*name, is_test});
      ctx_.version_names.push_back(*name);
    }
    return name;
  }

  // §1.8 make_repo.
  void Repository(const ScannedDirectory& d, CategoryPlan& plan) {
    const std::string& rel = d.relative;
    if (IsSkippedRepoDir(rel)) return;
    const KnownDirectory* k = Known(rel);
    if (k != nullptr && k->has_repository) return;
    const std::string full = JoinPath(ctx_.category->topdir, rel);
    std::optional<std::string> arch, version;
    if (d.is_repository) {
      // os.path.join(topdir, relative), as upstream tests it: the top itself is "topdir/".
      const std::string dname =
          ctx_.category->topdir.empty() ? rel : ctx_.category->topdir + "/" + rel;
      for (const auto& skip : ctx_.config->skip_paths_for_version) {
        if (absl::StartsWith(dname, skip)) {
          MM_LOG(DEBUG) << "Skipping path " << dname << " as requested by SKIP_PATHS_FOR_VERSION";
          return;
        }
      }
      arch = GuessArch(rel, ctx_.arch_names);
      if (const std::string* v = FindVersion(rel)) {
        version = *v;
      } else {
        version = EnsureVersionFromPath(rel, plan);
      }
      if (!version || !arch) {
        repo_guess_failures_.Warn(
            absl::StrCat("Won't make repository object: could not guess version and arch ",
                         version.value_or("None"), ", ", arch.value_or("None"), " (", full, ")"));
        return;
      }
    } else {
      // ostree: only x86_64 is shipped; the version is the last path component.
      if (std::find(ctx_.arch_names.begin(), ctx_.arch_names.end(), "x86_64") ==
          ctx_.arch_names.end()) {
        repo_guess_failures_.Warn(
            absl::StrCat("Won't make repository object for ", full, ": no arch x86_64"));
        return;
      }
      arch = "x86_64";
      std::string last(BaseName(rel));
      if (std::find(ctx_.version_names.begin(), ctx_.version_names.end(), last) !=
          ctx_.version_names.end()) {
        version = last;
      } else {
        version = EnsureVersionFromPath(rel + "/", plan);
      }
      if (!version) {
        repo_guess_failures_.Warn(absl::StrCat("Won't make repository object for ", full,
                                               ": could not guess the version"));
        return;
      }
    }
    ++stats_->repository_candidates;
    RepositoryCandidate c;
    c.directory_name = full;
    c.prefix = RepoPrefix(rel, ctx_.category->name, version);
    c.arch_name = *arch;
    c.version_name = *version;
    MM_LOG(DEBUG) << "Repository candidate (prefix=" << c.prefix.value_or("None")
                  << ", version=" << *version << ", arch=" << *arch << ") -> Directory " << full;
    plan.repositories.push_back(std::move(c));
  }

  // §1.10, working in every mode.
  void Deletions(CategoryPlan& plan) {
    if (!scan_.complete) {
      stats_->warnings.push_back(absl::StrCat(
          "--delete-directories: no directory of the category is deleted this time, because the "
          "scan cannot be trusted to be complete: ",
          scan_.incomplete_reason));
      return;
    }
    if (scan_.directories.size() <= 1 && known_.size() > 1) {
      stats_->warnings.push_back(absl::StrCat(
          "--delete-directories: the scan found no directory below the top but the catalog has ",
          known_.size() - 1, "; refusing to delete them all"));
      return;
    }
    std::vector<std::string> gone;
    for (const auto& [rel, k] : known_) {
      if (rel.empty() || scan_.listed.contains(rel)) continue;
      const std::string full = JoinPath(ctx_.category->topdir, rel);
      if (ctx_.entry->excluder.MatchesEntryPattern(full)) continue;
      // Left out of the rsync listing by an --exclude option: not known to be gone.
      if (scan_.option_excludes && scan_.option_excludes->Excludes(rel)) continue;
      if (scan_.verify_gone_on_disk && scan_.local_root) {
        // Gone as upstream's `not os.path.isdir()`: missing, or no longer a directory. A
        // directory that cannot be stat()ed (permissions, I/O) is not known to be gone.
        auto st = ctx_.fs->Stat(JoinPath(*scan_.local_root, rel));
        if (st.ok() ? st->is_dir : st.status().code() != absl::StatusCode::kNotFound) continue;
      }
      gone.push_back(full);
    }
    // Bottom-up, as upstream.
    std::sort(gone.begin(), gone.end(), std::greater<>());
    size_t logged = 0;
    for (const auto& g : gone) {
      if (logged++ < 100) {
        MM_LOG(INFO) << "Deleting gone directory " << g;
      }
    }
    if (gone.size() > 100) {
      MM_LOG(INFO) << "... and " << gone.size() - 100 << " more gone directories";
    }
    stats_->gone = gone.size();
    plan.deletions = std::move(gone);
  }

  ScanResult& scan_;
  const KnownDirectories& known_;
  PlanContext& ctx_;
  PlanStats* stats_;
  RateLimitedLog checksum_read_errors_{"checksum files could not be read"};
  RateLimitedLog checksum_garbage_{"checksum files had no usable line"};
  RateLimitedLog repo_file_errors_{"repomd.xml/summary files could not be used"};
  RateLimitedLog repo_guess_failures_{"repository directories got no repository"};
};

}  // namespace

absl::StatusOr<CategoryPlan> BuildPlan(ScanResult& scan, const KnownDirectories& known,
                                       PlanContext& context, PlanStats* stats) {
  return Planner(scan, known, context, stats).Build();
}

}  // namespace mm::umdl
