#pragma once
// From a category's scan result and what the catalog already has, the changes to apply
// (mm2-backend.md §1.5-1.10): directories to create or update with their file samples, file
// details from checksum files and from repomd.xml / ostree summary files, versions and
// repositories, and directories to delete.
//
// Only new or changed directories are looked at closely (their files sampled, every source
// file read). In the others, a source file (checksum file, repomd.xml, summary) is read only when
// its time or size differs from the record the catalog keeps of the last read, or a file detail
// it produced is missing or (checksum files) no longer matches the file's ctime and size; so a
// file rewritten in place is seen without re-reading the whole tree every run. Local file
// problems (unreadable or garbage checksum files, unparsable repomd.xml) are logged and the
// directory is still synced; a file that could not be read for a transient reason is not
// recorded, so the next run reads it again.

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/umdl/master_tree.h"
#include "services/umdl/scan.h"
#include "services/umdl/umdl_config.h"

namespace mm::umdl {

class FileSystem;
class Progress;

// The known directories of a category from the catalog's rows. Rows that are not below the
// category's top directory are counted in `*outside` and left alone.
KnownDirectories MakeKnownDirectories(const std::vector<DirectoryState>& rows,
                                      const std::string& topdir, size_t* outside);

// The "short file list" of §1.6: when more than 10 files of one kind (*.html, *.rpm, *.hdr,
// *.drpm) are present, only the 3 most recent files (by timestamp, then name) are kept.
std::vector<FileEntry> ShortFileList(const std::vector<FileEntry>& files);

struct PlanContext {
  const CategoryInfo* category = nullptr;
  const MasterDirectory* entry = nullptr;
  const UmdlConfig* config = nullptr;
  std::vector<std::string> arch_names;     // ordered by name
  std::vector<std::string> version_names;  // the product's, ordered by id; grows as planned
  bool delete_directories = false;
  const FileSystem* fs = nullptr;
  const std::atomic<bool>* stop = nullptr;
  Progress* progress = nullptr;  // optional: advanced once per directory
};

struct PlanStats {
  size_t seen = 0;
  size_t changed = 0;
  size_t new_directories = 0;
  size_t checksum_files = 0;
  size_t repo_files_hashed = 0;
  size_t repository_candidates = 0;
  size_t gone = 0;
  std::vector<std::string> warnings;
};

// Consumes the file lists of `scan` (each directory's `files` is released once planned, so a
// first import does not hold every file twice).
absl::StatusOr<CategoryPlan> BuildPlan(ScanResult& scan, const KnownDirectories& known,
                                       PlanContext& context, PlanStats* stats);

}  // namespace mm::umdl
