#pragma once
// The master tree as UMDL writes it (proto: master_tree.proto): the per-category directory state
// a rescan diffs against, the application of one category's scan result in ONE transaction, and
// the file_detail history ageing of mm2-backend.md §1.11.
//
// Atomicity: ApplyCategoryScan pulls chunks from its source inside a single transaction and
// commits only after a chunk with `commit` set; an error, a source that ends early, or a lost
// connection rolls everything back, so readers see the previous or the new state of the
// category, never a mix. Applies of one category are serialised with an advisory lock.
// Memory: chunks are applied as they arrive (set-based SQL with array parameters), so the
// catalog never holds a whole category in memory.
//
// Thread-safety: stateless apart from the pool; safe to share.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/catalog/model.h"

namespace mm::catalog {

class PgPool;

struct CategoryDirectoryState {
  std::string name;
  int64_t ctime = 0;
  bool readable = true;
  bool has_repository = false;
  bool files_not_json = false;  // directory.files is not a JSON list (a legacy pickle)
};

// A file UMDL made file details from, as last read (table mm_umdl_source_file), with the file
// details it produced and whether each still exists.
struct DerivedFile {
  std::string filename;  // no '/'
  int64_t timestamp = 0;
  int64_t size = 0;
};
struct DerivedFileState {
  DerivedFile file;
  bool has_file_detail = false;
};
struct SourceFileState {
  std::string directory_name;
  std::string filename;
  int64_t timestamp = 0;
  int64_t size = 0;
  std::vector<DerivedFileState> derived;
};

struct CategoryDirectoryPage {
  std::vector<CategoryDirectoryState> directories;
  std::vector<SourceFileState> source_files;
};

struct SourceFile {
  std::string filename;  // no '/'
  int64_t timestamp = 0;
  int64_t size = 0;
  std::vector<DerivedFile> derived;
};

struct DirectoryChange {
  std::string name;
  std::optional<bool> readable;
  std::optional<int64_t> ctime;
  bool set_files = false;
  std::vector<DirectoryFile> files;
  bool set_source_files = false;  // replace the directory's source-file records
  std::vector<SourceFile> source_files;
};

struct VersionToEnsure {
  std::string name;
  bool is_test = false;
};

struct RepositoryCandidate {
  std::string directory_name;
  std::optional<std::string> prefix;
  std::string arch_name;
  std::string version_name;
};

struct FileDetailCandidate {
  std::string directory_name;
  std::string filename;
  std::optional<int64_t> timestamp, size;
  std::optional<std::string> md5, sha1, sha256, sha512;
};

struct CategoryScanChunk {
  std::string category_name;  // required in the first chunk
  std::vector<DirectoryChange> directories;
  std::vector<VersionToEnsure> versions;
  std::vector<RepositoryCandidate> repositories;
  std::vector<FileDetailCandidate> file_details;
  std::vector<std::string> delete_directories;
  bool commit = false;
};

struct ApplyCategoryResult {
  int directories_created = 0;
  int directories_updated = 0;
  int directories_linked = 0;
  int directories_deleted = 0;
  int deletions_refused = 0;
  int versions_created = 0;
  int repositories_created = 0;
  int file_details_created = 0;
  // Entries skipped because a name is not valid UTF-8 or contains NUL (PostgreSQL text cannot
  // hold them); the first few are described in `notes`.
  int invalid_names_skipped = 0;
  std::vector<std::string> notes;                 // at most kMaxNotes
  std::vector<std::string> shared_directories;    // at most kMaxNotes
  std::vector<std::string> created_repositories;  // at most kMaxCreatedRepositories
  static constexpr size_t kMaxNotes = 20;
  static constexpr size_t kMaxCreatedRepositories = 1000;
};

class MasterTreeStore {
 public:
  explicit MasterTreeStore(PgPool& pool) : pool_(pool) {}

  // Every directory linked to the category, ordered by name, then the source-file records of
  // those directories (ordered by directory and file name), handed to `page` in pages of at most
  // `page_size` rows (one query per kind behind a cursor, so memory stays at one page). `page`
  // returns false to stop early. NOT_FOUND when the category does not exist.
  using PageFn = std::function<bool(CategoryDirectoryPage&& page)>;
  absl::Status ListCategoryDirectories(const std::string& category_name, int page_size,
                                       const PageFn& page);

  // Fills `*chunk` with the next chunk; returns false at the end of the stream.
  using ChunkSource = std::function<absl::StatusOr<bool>(CategoryScanChunk* chunk)>;
  // Applies chunks until one has `commit` set, then commits. Entries with names PostgreSQL
  // cannot store (invalid UTF-8, NUL) are skipped and counted, never an error. Errors:
  // FAILED_PRECONDITION for an unknown category or one without a product, INVALID_ARGUMENT for
  // malformed chunks, CANCELLED when the stream ends without `commit`, UNAVAILABLE when the
  // database connection was lost (nothing was applied; send the category again).
  absl::StatusOr<ApplyCategoryResult> ApplyCategoryScan(const ChunkSource& next);

  // mm2-backend.md §1.11 over the whole file_detail table; returns the number of rows deleted.
  absl::StatusOr<int> AgeFileDetails(int max_stale_days, int64_t now_unix);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
