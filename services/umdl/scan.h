#pragma once
// The three synchronizers of mm2-backend.md §1.4: each turns one UMDL_MASTER_DIRECTORIES entry
// into the category's directory map (relative name -> ctime, readable, repository flags and, for
// directories that are new or changed, their files).
//
// Set-based rescans: the caller passes what the catalog already has (KnownDirectories), and a
// synchronizer collects files only for directories whose ctime differs from the stored one, that
// are new, or whose stored `files` is a legacy pickle to rewrite, so an unchanged tree costs one
// pass over the listing and no per-file work. The one exception are source files (checksum
// files, repomd.xml, summary): their names, times and sizes are collected for every directory,
// so that the planner can tell which ones changed in place.
//
//  * fullfiletimelist (FFT): `<path>/fullfiletimelist-*` (`<path>/../` for "Fedora Linux"),
//    first match in name order; nullopt when there is none (the caller walks the disk instead).
//    Two passes over the memory-mapped file: directories (and source files) first, then the
//    files of the directories that need them. The top gets ctime 0. Readability: the FFT's '-'
//    mark, else stat() of changed directories.
//  * disk: a walk of `path` (symbolic links to directories are listed, never followed). A
//    directory that cannot be listed is left out (its stored state is kept), as os.walk does.
//  * rsync / file: an `rsync -r` listing of `url` (run to a temporary file) or a saved one.
//
// Exclusions prune whole subtrees. Malformed input is counted and reported in ScanResult, and
// makes the scan incomplete: --delete-directories then deletes nothing in the category.
// Thread-safety: none needed; one scan runs on one thread.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/umdl/master_tree.h"
#include "services/umdl/rsync_listing.h"
#include "services/umdl/umdl_config.h"

namespace mm::umdl {

class FileSystem;
class Progress;

struct KnownDirectory {
  int64_t ctime = 0;
  bool readable = true;
  bool has_repository = false;
  bool files_not_json = false;  // stored `files` is a legacy pickle: list and rewrite them
  std::vector<SourceFileState> source_files;
};

// Files the planner reads to make file details: checksum files (§1.7), repomd.xml, summary.
bool IsSourceFileName(std::string_view name);
// By name relative to the category top ("" = the top).
using KnownDirectories = absl::flat_hash_map<std::string, KnownDirectory>;

struct ScannedDirectory {
  std::string relative;  // "" = the category top
  int64_t ctime = 0;
  std::optional<bool> readable;  // nullopt: unknown, keep the stored value
  bool is_repository = false;    // has a repodata/ child
  bool is_atomic = false;        // has a summary file and an objects/ child
  bool known = false;            // the catalog has it linked to the category
  bool changed = false;          // ctime differs from the stored one (0 when unknown)
  bool files_listed = false;     // `files` is filled (new, changed or files_not_json)
  std::vector<FileEntry> files;
  std::vector<FileEntry> source_files;  // IsSourceFileName files, for every directory
};

enum class ScanMode { kFullFileTimeList, kDisk, kRsync, kListingFile };
const char* ScanModeName(ScanMode mode);

struct ScanResult {
  ScanMode mode = ScanMode::kDisk;
  std::string source;                         // what was read, for logs
  std::vector<ScannedDirectory> directories;  // sorted by relative name; excluded ones removed
  // Every directory the source lists, excluded ones included: the "is it gone?" test.
  absl::flat_hash_set<std::string> listed;
  // The source covered the whole tree and every row of it was understood, so directories
  // missing from it are gone. False after a failed rsync, malformed or skipped rows, an empty or
  // unreadable top directory; `incomplete_reason` says why (for the log).
  bool complete = true;
  std::string incomplete_reason;
  void MarkIncomplete(std::string reason) {
    if (complete) incomplete_reason = std::move(reason);
    complete = false;
  }
  // rsync: the --exclude options of the entry (directories they leave out are not gone).
  std::optional<RsyncExcludes> option_excludes;
  // Disk mode: confirm with stat() that a directory missing from the walk is really gone.
  bool verify_gone_on_disk = false;
  // Local directory holding the category's files (checksum files, repomd.xml), if any.
  std::optional<std::string> local_root;
  // repomd.xml / summary file details (off for rsync and file entries, as upstream).
  bool repo_file_details = true;
  size_t excluded = 0;
  size_t files_seen = 0;
  // Problems worth one log line each (malformed rows, unreadable directories, ...).
  std::vector<std::string> warnings;
};

struct ScanLimits {
  size_t max_directories = 5'000'000;
  size_t max_files = 100'000'000;
  size_t max_entries_per_directory = 1'000'000;
  int max_depth = 256;
  size_t max_listing_bytes = size_t{16} << 30;
};

struct ScanRequest {
  const MasterDirectory* entry = nullptr;
  std::string category_name;
  std::string topdir;       // the category's top directory name
  std::string umdl_prefix;  // UMDL_PREFIX
  std::string temp_dir = "/tmp";
  absl::Duration rsync_timeout = absl::Hours(4);
  const std::atomic<bool>* stop = nullptr;  // set on SIGTERM: give up (CANCELLED)
  Progress* progress = nullptr;             // optional: phases of the FFT read
  ScanLimits limits;
};

// nullopt when no fullfiletimelist-* exists (upstream's SyncImpossible).
absl::StatusOr<std::optional<ScanResult>> ScanFullFileTimeList(const ScanRequest& request,
                                                               const KnownDirectories& known,
                                                               const FileSystem& fs);
absl::StatusOr<ScanResult> ScanDisk(const ScanRequest& request, const KnownDirectories& known,
                                    const FileSystem& fs);
absl::StatusOr<ScanResult> ScanRsync(const ScanRequest& request, const KnownDirectories& known,
                                     const FileSystem& fs, RsyncRunner& rsync);
absl::StatusOr<ScanResult> ScanListingFile(const ScanRequest& request,
                                           const KnownDirectories& known, const FileSystem& fs);

// "Others may read or search" (upstream: st_mode & S_IRWXO & (S_IROTH | S_IXOTH)).
bool ModeOthersCanRead(uint32_t mode);

}  // namespace mm::umdl
