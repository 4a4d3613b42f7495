#include "services/umdl/scan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/umdl/checksums.h"
#include "services/umdl/fft.h"
#include "services/umdl/file_system.h"
#include "services/umdl/paths.h"
#include "services/umdl/progress.h"
#include "services/umdl/rsync_listing.h"

namespace mm::umdl {

const char* ScanModeName(ScanMode mode) {
  switch (mode) {
    case ScanMode::kFullFileTimeList:
      return "fullfiletimelist";
    case ScanMode::kDisk:
      return "disk";
    case ScanMode::kRsync:
      return "rsync";
    case ScanMode::kListingFile:
      return "file";
  }
  return "?";
}

bool ModeOthersCanRead(uint32_t mode) { return (mode & S_IRWXO & (S_IROTH | S_IXOTH)) != 0; }

bool IsSourceFileName(std::string_view name) {
  if (name == "repomd.xml" || name == "summary") return true;
  // Called for every file of a listing: every checksum file name pattern contains "sum" or
  // "SUM", so most names are rejected with two searches.
  if (name.find("sum") == std::string_view::npos && name.find("SUM") == std::string_view::npos)
    return false;
  return IsChecksumFileName(name);
}

namespace {

bool Stopped(const ScanRequest& r) { return r.stop != nullptr && r.stop->load(); }

absl::Status StoppedStatus() { return absl::CancelledError("stopped by a signal"); }

// Directory map built from a listing (FFT, rsync output, saved listing) in two passes.
class ListingBuilder {
 public:
  ListingBuilder(const ScanRequest& request, const KnownDirectories& known, ScanResult* out,
                 bool log_exclusions = false)
      : request_(request), known_(known), out_(out), log_exclusions_(log_exclusions) {}

  // Pass 1. The last row for a directory wins (as upstream's dict assignment).
  absl::Status AddDirectory(std::string rel, int64_t ctime, std::optional<bool> own_readable) {
    auto [it, inserted] = dirs_.try_emplace(std::move(rel));
    if (inserted && dirs_.size() > request_.limits.max_directories) {
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", request_.limits.max_directories, " directories"));
    }
    it->second.ctime = ctime;
    it->second.own_readable = own_readable;
    return absl::OkStatus();
  }
  bool HasDirectory(const std::string& rel) const { return dirs_.contains(rel); }
  // After FinishDirectories: whether any directory needs its files (pass 2).
  bool WantsFiles() const { return !index_.empty(); }
  void MarkRepository(std::string_view rel) { repo_.insert(std::string(rel)); }
  void MarkObjects(std::string_view rel) { objects_.insert(std::string(rel)); }
  void MarkSummary(std::string_view rel) { summary_.insert(std::string(rel)); }
  // Pass 1: a source file (IsSourceFileName) of directory `parent_rel`.
  void AddSourceFile(std::string_view parent_rel, std::string_view name, int64_t size, int64_t ts) {
    if (sources_.size() >= request_.limits.max_files) return;
    sources_.push_back({std::string(parent_rel), FileEntry{std::string(name), size, ts}});
  }
  void OverrideCtime(const std::string& rel, int64_t ctime) {
    auto it = dirs_.find(rel);
    if (it != dirs_.end()) it->second.ctime = ctime;
  }

  // After pass 1: sorts, applies exclusions, decides which directories changed. `readable`
  // computes the readable flag of a kept directory from its row, whether it changed, and the
  // effective flag of its parent (nullopt when unknown).
  using ReadableFn = std::function<std::optional<bool>(
      const std::string& rel, std::optional<bool> own, bool changed, std::optional<bool> parent)>;
  void FinishDirectories(const ReadableFn& readable) {
    std::vector<std::string> names;
    names.reserve(dirs_.size());
    for (const auto& [rel, _] : dirs_) names.push_back(rel);
    std::sort(names.begin(), names.end());
    absl::flat_hash_set<std::string> excluded;
    absl::flat_hash_map<std::string, std::optional<bool>> effective;
    out_->directories.reserve(names.size());
    for (auto& rel : names) {
      out_->listed.insert(rel);
      std::string parent(ParentOf(rel));
      if (!rel.empty() && (excluded.contains(parent) ||
                           request_.entry->excluder.Excluded(JoinPath(request_.topdir, rel)))) {
        // Upstream's FFT reader logs each one; the root of an excluded subtree is enough.
        if (log_exclusions_ && !excluded.contains(parent)) {
          MM_LOG(INFO) << "Excluding " << JoinPath(request_.topdir, rel);
        }
        excluded.insert(rel);
        ++out_->excluded;
        continue;
      }
      const Pending& p = dirs_.at(rel);
      ScannedDirectory d;
      d.relative = rel;
      d.ctime = p.ctime;
      auto k = known_.find(rel);
      d.known = k != known_.end();
      d.changed = (d.known ? k->second.ctime : 0) != d.ctime;
      d.files_listed = d.changed || !d.known || k->second.files_not_json;
      d.is_repository = repo_.contains(rel);
      d.is_atomic = summary_.contains(rel) && objects_.contains(rel);
      std::optional<bool> parent_readable;
      if (!rel.empty()) {
        auto e = effective.find(parent);
        if (e != effective.end()) {
          parent_readable = e->second;
        } else if (auto kp = known_.find(parent); kp != known_.end()) {
          parent_readable = kp->second.readable;
        }
      }
      d.readable = readable(rel, p.own_readable, d.changed, parent_readable);
      std::optional<bool> eff = d.readable;
      if (!eff && d.known) eff = k->second.readable;
      effective[rel] = eff;
      out_->directories.push_back(std::move(d));
    }
    dirs_.clear();
    // out_->directories is sorted by name: a binary search per source file.
    for (auto& [parent, file] : sources_) {
      auto it = std::lower_bound(
          out_->directories.begin(), out_->directories.end(), parent,
          [](const ScannedDirectory& d, const std::string& name) { return d.relative < name; });
      if (it != out_->directories.end() && it->relative == parent)
        it->source_files.push_back(std::move(file));
    }
    std::vector<std::pair<std::string, FileEntry>>().swap(sources_);
    for (size_t i = 0; i < out_->directories.size(); ++i) {
      if (out_->directories[i].files_listed) index_.emplace(out_->directories[i].relative, i);
    }
  }

  // Pass 2.
  absl::Status AddFile(std::string_view parent_rel, std::string_view name, int64_t size,
                       int64_t ts) {
    ++out_->files_seen;
    if (out_->files_seen > request_.limits.max_files) {
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", request_.limits.max_files, " files"));
    }
    auto it = index_.find(parent_rel);
    if (it == index_.end()) return absl::OkStatus();
    auto& files = out_->directories[it->second].files;
    if (files.size() >= request_.limits.max_entries_per_directory) return absl::OkStatus();
    files.push_back(FileEntry{std::string(name), size, ts});
    return absl::OkStatus();
  }

 private:
  struct Pending {
    int64_t ctime = 0;
    std::optional<bool> own_readable;
  };
  const ScanRequest& request_;
  const KnownDirectories& known_;
  ScanResult* out_;
  bool log_exclusions_;
  absl::flat_hash_map<std::string, Pending> dirs_;
  absl::flat_hash_set<std::string> repo_, objects_, summary_;
  std::vector<std::pair<std::string, FileEntry>> sources_;
  absl::flat_hash_map<std::string_view, size_t> index_;
};

std::string DirName(std::string_view path) {
  std::string p = StripTrailingSlashes(path);
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

// Rate-limited warnings about stat() failures of directories listed by an FFT.
class StatFailures {
 public:
  void Note(const std::string& path, const absl::Status& s) {
    if (count_++ < 5) {
      MM_LOG(WARNING) << "Hmm, stat()ing " << path << " failed. Theoretically this cannot happen. "
                      << s.message();
    }
  }
  void Summarise(ScanResult* out) const {
    if (count_ > 5) {
      out->warnings.push_back(
          absl::StrCat(count_,
                       " directories listed in the fullfiletimelist could not be "
                       "stat()ed on disk (first 5 logged above)"));
    }
  }

 private:
  size_t count_ = 0;
};

}  // namespace

absl::StatusOr<std::optional<ScanResult>> ScanFullFileTimeList(const ScanRequest& request,
                                                               const KnownDirectories& known,
                                                               const FileSystem& fs) {
  const std::string path = StripTrailingSlashes(request.entry->path);
  // "Fedora Linux" is the one category whose FFT (of the rsync module "fedora") starts one level
  // above the category top: its rows read "linux/...".
  const bool one_level_up = request.category_name == "Fedora Linux";
  const std::string fft_dir = one_level_up ? DirName(path) : path;
  const std::string top_component(BaseName(path));
  auto entries = fs.ListDirectory(fft_dir, 1'000'000);
  if (!entries.ok()) {
    MM_LOG(DEBUG) << "no fullfiletimelist: cannot list " << fft_dir << ": "
                  << entries.status().message();
    return std::optional<ScanResult>();
  }
  std::vector<std::string> candidates;
  for (const auto& e : *entries) {
    if (!e.is_dir && e.name.rfind("fullfiletimelist-", 0) == 0) candidates.push_back(e.name);
  }
  if (candidates.empty()) return std::optional<ScanResult>();
  std::sort(candidates.begin(), candidates.end());
  const std::string fft_path = JoinPath(fft_dir, candidates.front());
  auto mapped = MappedFile::Open(fft_path, request.limits.max_listing_bytes);
  if (!mapped.ok()) {
    MM_LOG(WARNING) << "cannot read " << fft_path << " (" << mapped.status().message()
                    << "); walking the disk instead";
    return std::optional<ScanResult>();
  }
  MM_LOG(INFO) << "Loading and parsing " << fft_path;
  if (request.progress)
    request.progress->Begin("Reading fullfiletimelist of " + request.category_name, 0);

  ScanResult out;
  out.mode = ScanMode::kFullFileTimeList;
  out.source = fft_path;
  out.local_root = path;
  ListingBuilder builder(request, known, &out, /*log_exclusions=*/true);
  size_t outside = 0;
  // Relative name of an FFT path, or nullopt for rows outside the category / unsafe paths.
  auto relative = [&](std::string_view raw) -> std::optional<std::string> {
    auto norm = NormaliseListedPath(raw);
    if (!norm) return std::nullopt;
    if (!one_level_up) return norm;
    auto rel = RelativeToTop(top_component, *norm);
    if (!rel) ++outside;
    return rel;
  };

  FftParseStats stats;
  absl::Status status;
  size_t unsafe = 0;
  ParseFft(
      mapped->data(),
      [&](const FftEntry& e) {
        if (!status.ok()) return;
        if ((stats.rows & 4095) == 0 && Stopped(request)) {
          status = StoppedStatus();
          return;
        }
        if (e.kind != 'd' && e.kind != 'f') return;
        // Pass 1 needs the directories and the source files (checksum files, repomd.xml,
        // summary); every other file waits for pass 2 (a file row cannot hide a directory, so
        // unsafe paths of files are not counted).
        if (e.kind == 'f' && !IsSourceFileName(BaseName(e.path))) return;
        auto rel = relative(e.path);
        if (!rel) {
          if (!NormaliseListedPath(e.path)) ++unsafe;
          return;
        }
        if (e.kind == 'd') {
          std::optional<bool> own;
          if (e.unreadable) own = false;
          status = builder.AddDirectory(*rel, e.timestamp, own);
          std::string_view base = BaseName(*rel);
          if (!rel->empty() && base == "repodata") builder.MarkRepository(ParentOf(*rel));
          if (!rel->empty() && base == "objects") builder.MarkObjects(ParentOf(*rel));
        } else if (!rel->empty()) {
          std::string_view base = BaseName(*rel);
          if (base == "summary") builder.MarkSummary(ParentOf(*rel));
          builder.AddSourceFile(ParentOf(*rel), base, e.size, e.timestamp);
        }
      },
      &stats);
  if (!status.ok()) return status;
  // The category top always exists, with ctime 0 (upstream).
  if (!builder.HasDirectory("")) {
    if (absl::Status s = builder.AddDirectory("", 0, std::nullopt); !s.ok()) return s;
  }
  builder.OverrideCtime("", 0);

  if (request.progress)
    request.progress->Begin("Building directory statuses of " + request.category_name, 0);
  StatFailures stat_failures;
  builder.FinishDirectories([&](const std::string& rel, std::optional<bool> own, bool changed,
                                std::optional<bool>) -> std::optional<bool> {
    if (own) return own;  // marked unreadable in the FFT
    if (!changed) return std::nullopt;
    std::string p = JoinPath(path, rel);
    auto st = fs.Stat(p);
    if (!st.ok()) {
      stat_failures.Note(p, st.status());
      return std::nullopt;
    }
    return ModeOthersCanRead(st->mode);
  });
  stat_failures.Summarise(&out);

  FftParseStats stats2;
  if (builder.WantsFiles())
    ParseFft(
        mapped->data(),
        [&](const FftEntry& e) {
          if (!status.ok() || e.kind != 'f') return;
          if ((stats2.rows & 4095) == 0 && Stopped(request)) {
            status = StoppedStatus();
            return;
          }
          auto norm = NormaliseListedPath(e.path);
          if (!norm) return;
          std::optional<std::string> rel = norm;
          if (one_level_up) {
            rel = RelativeToTop(top_component, *norm);
            if (!rel) return;
          }
          if (rel->empty()) return;
          status = builder.AddFile(ParentOf(*rel), BaseName(*rel), e.size, e.timestamp);
        },
        &stats2);
  if (!status.ok()) return status;

  if (stats.malformed > 0) {
    out.warnings.push_back(absl::StrCat(
        fft_path, ": skipped ", stats.malformed, " malformed row(s)",
        stats.truncated ? " (the file ends in the middle of a row)" : "", "; first at line ",
        stats.first_malformed_line, ": \"", stats.first_malformed, "\""));
    // A skipped row may be a directory that still exists.
    out.MarkIncomplete(absl::StrCat(fft_path, " has ", stats.malformed, " malformed row(s)"));
  }
  if (unsafe > 0) {
    out.warnings.push_back(absl::StrCat(fft_path, ": ignored ", unsafe,
                                        " row(s) with absolute paths or '.'/'..' components"));
    out.MarkIncomplete(absl::StrCat(fft_path, " has ", unsafe, " row(s) with unsafe paths"));
  }
  if (outside > 0) {
    MM_LOG(DEBUG) << fft_path << ": " << outside << " row(s) outside " << top_component
                  << "/ ignored";
  }
  if (out.directories.size() <= 1 && stats.rows == 0) {
    out.warnings.push_back(absl::StrCat(fft_path, " lists no directories of the category"));
    out.MarkIncomplete(absl::StrCat(fft_path, " lists no directories of the category"));
  }
  return std::optional<ScanResult>(std::move(out));
}

absl::StatusOr<ScanResult> ScanDisk(const ScanRequest& request, const KnownDirectories& known,
                                    const FileSystem& fs) {
  const std::string path = StripTrailingSlashes(request.entry->path);
  ScanResult out;
  out.mode = ScanMode::kDisk;
  out.source = path;
  out.local_root = path;
  out.verify_gone_on_disk = true;

  struct Item {
    std::string rel;
    int depth;
    std::optional<bool> parent_readable;
  };
  std::vector<Item> stack;
  stack.push_back({"", 0, std::nullopt});
  size_t unlisted = 0;
  while (!stack.empty()) {
    if (Stopped(request)) return StoppedStatus();
    Item item = std::move(stack.back());
    stack.pop_back();
    const std::string abs = JoinPath(path, item.rel);
    auto st = fs.Stat(abs);
    if (!st.ok() || !st->is_dir) {
      if (item.rel.empty()) {
        std::string why =
            absl::StrCat(path, " is not a readable directory (",
                         st.ok() ? "not a directory" : std::string(st.status().message()), ")");
        out.warnings.push_back(why + "; nothing to scan");
        out.MarkIncomplete(why);
        return out;
      }
      MM_LOG(DEBUG) << "Avoiding " << item.rel << ", disappeared";
      continue;
    }
    out.listed.insert(item.rel);
    if (!item.rel.empty() && request.entry->excluder.Excluded(JoinPath(request.topdir, item.rel))) {
      MM_LOG(INFO) << "excluding " << item.rel;
      ++out.excluded;
      continue;
    }
    if (out.directories.size() >= request.limits.max_directories) {
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", request.limits.max_directories, " directories under ", path));
    }
    ScannedDirectory d;
    d.relative = item.rel;
    d.ctime = st->ctime;
    auto k = known.find(item.rel);
    d.known = k != known.end();
    d.changed = (d.known ? k->second.ctime : 0) != d.ctime;
    d.files_listed = d.changed || !d.known || k->second.files_not_json;
    // Unlike upstream's walker, an unreadable parent makes its children unreadable too (as in
    // upstream's rsync mode): a mirror cannot serve below a directory it cannot enter.
    bool readable = ModeOthersCanRead(st->mode) && item.parent_readable.value_or(true);
    d.readable = readable;
    auto entries = fs.ListDirectory(abs, request.limits.max_entries_per_directory);
    if (!entries.ok()) {
      // As os.walk: a directory that cannot be listed is left out, so its stored row (ctime,
      // files) stays as it is and is looked at again next run. It still counts as present, and
      // the deletion step stat()s what lies below it.
      if (unlisted++ < 5) {
        MM_LOG(WARNING) << "cannot list " << abs << " (" << entries.status().message()
                        << "); its stored state is kept";
      }
      if (item.rel.empty()) {
        out.MarkIncomplete(absl::StrCat("the top directory ", path, " cannot be listed"));
      }
      continue;
    }
    if (d.changed) {
      MM_LOG(INFO) << item.rel << " has changed: " << (d.known ? k->second.ctime : 0)
                   << " != " << d.ctime;
    } else {
      MM_LOG(DEBUG) << "    " << item.rel << " has not changed";
    }
    bool has_repodata = false, has_objects = false, has_summary = false;
    std::vector<std::string> subdirs;
    for (const auto& e : *entries) {
      if (e.is_dir || e.is_dir_link) {
        if (e.name == "repodata") has_repodata = true;
        if (e.name == "objects") has_objects = true;
        if (e.is_dir) subdirs.push_back(e.name);
        continue;
      }
      if (e.name == "summary") has_summary = true;
      ++out.files_seen;
      const bool source = IsSourceFileName(e.name);
      if (!d.files_listed && !source) continue;
      auto fst = fs.Stat(JoinPath(abs, e.name));
      if (!fst.ok()) continue;  // dangling link, vanished file
      FileEntry f{e.name, fst->size, fst->ctime};
      if (source) d.source_files.push_back(f);
      if (d.files_listed) d.files.push_back(std::move(f));
    }
    d.is_repository = has_repodata;
    d.is_atomic = has_summary && has_objects;
    if (item.depth >= request.limits.max_depth) {
      if (!subdirs.empty()) {
        out.warnings.push_back(absl::StrCat(abs, ": deeper than ", request.limits.max_depth,
                                            " levels; not descending further"));
      }
      subdirs.clear();
    }
    std::sort(subdirs.begin(), subdirs.end(), std::greater<>());
    for (auto& s : subdirs) stack.push_back({JoinPath(item.rel, s), item.depth + 1, readable});
    out.directories.push_back(std::move(d));
  }
  if (unlisted > 0) {
    out.warnings.push_back(
        absl::StrCat(unlisted, " directories under ", path,
                     " could not be listed; they and their contents were left as stored"));
  }
  std::sort(
      out.directories.begin(), out.directories.end(),
      [](const ScannedDirectory& a, const ScannedDirectory& b) { return a.relative < b.relative; });
  return out;
}

namespace {

// Both rsync modes: two passes over the listing text.
absl::Status BuildFromRsyncListing(std::string_view data, const ScanRequest& request,
                                   const KnownDirectories& known, ScanResult* out) {
  ListingBuilder builder(request, known, out);
  RsyncParseStats stats;
  absl::Status status;
  size_t unsafe = 0;
  ParseRsyncListing(
      data,
      [&](const RsyncEntry& e) {
        if (!status.ok()) return;
        if ((stats.rows & 4095) == 0 && Stopped(request)) {
          status = StoppedStatus();
          return;
        }
        auto rel = NormaliseListedPath(e.path);  // "." is the top: ""
        if (!rel) {
          ++unsafe;
          return;
        }
        if (e.kind == 'd') {
          status = builder.AddDirectory(*rel, e.mtime, RsyncModeOthersCanRead(e.mode));
          std::string_view base = BaseName(*rel);
          if (!rel->empty() && base == "repodata") {
            std::string parent(ParentOf(*rel));
            builder.MarkRepository(parent);
            // Upstream creates the parent when its row has not been seen yet.
            if (!builder.HasDirectory(parent)) {
              status = builder.AddDirectory(parent, e.mtime, RsyncModeOthersCanRead(e.mode));
            }
          }
          if (!rel->empty() && base == "objects") builder.MarkObjects(ParentOf(*rel));
        } else if (!rel->empty()) {
          // Every other row is a file, symbolic links included (upstream: "others are files").
          std::string_view base = BaseName(*rel);
          if (base == "summary") builder.MarkSummary(ParentOf(*rel));
          if (IsSourceFileName(base)) builder.AddSourceFile(ParentOf(*rel), base, e.size, e.mtime);
        }
      },
      &stats);
  if (!status.ok()) return status;
  builder.FinishDirectories([](const std::string&, std::optional<bool> own, bool,
                               std::optional<bool> parent) -> std::optional<bool> {
    // Unreadable directories make their whole subtree unreadable.
    return own.value_or(true) && parent.value_or(true);
  });
  RsyncParseStats stats2;
  if (builder.WantsFiles())
    ParseRsyncListing(
        data,
        [&](const RsyncEntry& e) {
          if (!status.ok() || e.kind == 'd') return;
          auto rel = NormaliseListedPath(e.path);
          if (!rel || rel->empty()) return;
          status = builder.AddFile(ParentOf(*rel), BaseName(*rel), e.size, e.mtime);
        },
        &stats2);
  if (!status.ok()) return status;
  if (stats.skipped > 0) {
    out->warnings.push_back(absl::StrCat(out->source, ": skipped ", stats.skipped,
                                         " line(s) that are not listing rows; first at line ",
                                         stats.first_skipped_line, ": \"", stats.first_skipped,
                                         "\""));
  }
  if (stats.skipped_in_listing > 0) {
    // A skipped row may be a directory that still exists (a MOTD before the listing is fine).
    out->MarkIncomplete(absl::StrCat(out->source, " has ", stats.skipped_in_listing,
                                     " line(s) among its rows that could not be read"));
  }
  if (unsafe > 0) {
    out->warnings.push_back(absl::StrCat(out->source, ": ignored ", unsafe,
                                         " row(s) with absolute paths or '.'/'..' components"));
    out->MarkIncomplete(absl::StrCat(out->source, " has ", unsafe, " row(s) with unsafe paths"));
  }
  if (stats.rows == 0) {
    out->warnings.push_back(absl::StrCat(out->source, " lists nothing"));
    out->MarkIncomplete(absl::StrCat(out->source, " lists nothing"));
  }
  return absl::OkStatus();
}

std::optional<std::string> LocalRootFor(const ScanRequest& request, const FileSystem& fs) {
  std::string root =
      !request.entry->path.empty()
          ? StripTrailingSlashes(request.entry->path)
          : (request.umdl_prefix.empty() ? std::string()
                                         : JoinPath(request.umdl_prefix, request.topdir));
  if (root.empty()) return std::nullopt;
  auto st = fs.Stat(root);
  if (!st.ok() || !st->is_dir) return std::nullopt;
  return root;
}

}  // namespace

absl::StatusOr<ScanResult> ScanRsync(const ScanRequest& request, const KnownDirectories& known,
                                     const FileSystem& fs, RsyncRunner& rsync) {
  std::string url = request.entry->url;
  // A trailing slash makes rsync list the contents relative to the URL ("." is the top).
  if (url.empty() || url.back() != '/') url += '/';
  std::string tmpl = JoinPath(request.temp_dir, "mm-umdl-rsync.XXXXXX");
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return ErrnoStatus(errno, "mkstemp in " + request.temp_dir);
  ::close(fd);
  struct Cleanup {
    std::string p;
    ~Cleanup() { ::unlink(p.c_str()); }
  } cleanup{tmpl};

  ScanResult out;
  out.mode = ScanMode::kRsync;
  out.source = url;
  out.repo_file_details = false;
  out.local_root = LocalRootFor(request, fs);
  auto excludes = RsyncExcludes::FromOptions(request.entry->options);
  if (excludes.ok()) {
    out.option_excludes = std::move(*excludes);
  } else {
    out.MarkIncomplete(std::string(excludes.status().message()));
  }
  MM_LOG(DEBUG) << "running rsync -r " << url;
  auto run = rsync.List(url, request.entry->options, tmpl, request.rsync_timeout, request.stop);
  if (!run.ok()) return run.status();
  if (run->timed_out) {
    out.warnings.push_back(absl::StrCat("rsync of ", url, " was killed after ",
                                        absl::FormatDuration(request.rsync_timeout),
                                        "; using the partial listing, no deletions"));
    out.MarkIncomplete(absl::StrCat("rsync of ", url, " timed out"));
  } else if (run->exit_code != 0) {
    out.warnings.push_back(absl::StrCat(
        "rsync returned exit code ", run->exit_code, " for Category ", request.category_name, ": ",
        run->stderr_tail, " (using the listing anyway, no deletions)"));
    out.MarkIncomplete(absl::StrCat("rsync returned exit code ", run->exit_code));
  }
  auto mapped = MappedFile::Open(tmpl, request.limits.max_listing_bytes);
  if (!mapped.ok()) return mapped.status();
  if (absl::Status s = BuildFromRsyncListing(mapped->data(), request, known, &out); !s.ok())
    return s;
  return out;
}

absl::StatusOr<ScanResult> ScanListingFile(const ScanRequest& request,
                                           const KnownDirectories& known, const FileSystem& fs) {
  ScanResult out;
  out.mode = ScanMode::kListingFile;
  out.source = request.entry->url;
  out.repo_file_details = false;
  out.local_root = LocalRootFor(request, fs);
  auto mapped = MappedFile::Open(request.entry->url, request.limits.max_listing_bytes);
  if (!mapped.ok()) return mapped.status();
  if (absl::Status s = BuildFromRsyncListing(mapped->data(), request, known, &out); !s.ok())
    return s;
  return out;
}

}  // namespace mm::umdl
