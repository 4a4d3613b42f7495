#pragma once
// UMDL's view of the catalog (the MasterTree and ReferenceData gRPC APIs): plain records and the
// interface the runner talks to. catalog_client.h implements it over gRPC; nothing here knows
// about gRPC.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mm::umdl {

struct CategoryInfo {
  int64_t id = 0;
  std::string name;
  std::string product_name;  // empty: the category has no product
  std::string topdir;        // name of the top directory ("pub/fedora/linux"; may be "")
  bool has_topdir = true;    // false when category.topdir_id is NULL
  int64_t product_id = 0;    // for upstream's log lines ("<Product(2 - Fedora)>")
};

// A file detail produced from a source file: its file name, timestamp and size.
struct DerivedFile {
  std::string name;
  int64_t timestamp = 0;
  int64_t size = 0;
  friend bool operator==(const DerivedFile&, const DerivedFile&) = default;
};

// A file UMDL made file details from (checksum file, repomd.xml, ostree summary) as it was when
// last read, with the file details it produced and whether each still exists.
struct DerivedFileState {
  DerivedFile file;
  bool has_file_detail = false;
};
struct SourceFileState {
  std::string name;
  int64_t timestamp = 0;  // the file's time as the scanner saw it
  int64_t size = 0;
  std::vector<DerivedFileState> derived;
};

struct DirectoryState {
  std::string name;
  int64_t ctime = 0;
  bool readable = true;
  bool has_repository = false;
  bool files_not_json = false;  // a legacy pickled `files`: rewrite it
  std::vector<SourceFileState> source_files;
};

// One entry of directory.files.
struct FileEntry {
  std::string name;
  int64_t size = 0;
  int64_t timestamp = 0;
  friend bool operator==(const FileEntry&, const FileEntry&) = default;
};

// A source file as just read: what the catalog records for the next run.
struct SourceFileRecord {
  std::string name;
  int64_t timestamp = 0;
  int64_t size = 0;
  std::vector<DerivedFile> derived;  // the file details it produced
  friend bool operator==(const SourceFileRecord&, const SourceFileRecord&) = default;
};

struct DirectoryChange {
  std::string name;              // full directory name
  std::optional<bool> readable;  // unset: keep
  std::optional<int64_t> ctime;  // unset: keep
  bool set_files = false;
  std::vector<FileEntry> files;
  bool set_source_files = false;  // replace the stored source-file records
  std::vector<SourceFileRecord> source_files;
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

// Everything one category's scan changes; applied atomically.
struct CategoryPlan {
  std::string category_name;
  std::vector<DirectoryChange> directories;  // sorted by name: parents before children
  std::vector<VersionToEnsure> versions;
  std::vector<RepositoryCandidate> repositories;
  std::vector<FileDetailCandidate> file_details;
  std::vector<std::string> deletions;  // full names
};

struct ApplyResult {
  int directories_created = 0;
  int directories_updated = 0;
  int directories_linked = 0;
  int directories_deleted = 0;
  int deletions_refused = 0;
  int versions_created = 0;
  int repositories_created = 0;
  int file_details_created = 0;
  int invalid_names_skipped = 0;  // entries whose names PostgreSQL cannot store
  std::vector<std::string> notes;
  std::vector<std::string> shared_directories;
  std::vector<std::string> created_repositories;  // directory names, at most 1000
};

class MasterTreeCatalog {
 public:
  virtual ~MasterTreeCatalog() = default;
  virtual absl::StatusOr<std::vector<CategoryInfo>> ListCategories() = 0;
  // Arch names ordered by name.
  virtual absl::StatusOr<std::vector<std::string>> ListArchNames() = 0;
  // Version names of a product, ordered by id.
  virtual absl::StatusOr<std::vector<std::string>> ListVersionNames(const std::string& product) = 0;
  // Every directory linked to the category, with its source-file records.
  virtual absl::StatusOr<std::vector<DirectoryState>> ListCategoryDirectories(
      const std::string& category) = 0;
  // Applies the whole plan in one catalog transaction (all or nothing).
  virtual absl::StatusOr<ApplyResult> ApplyCategory(const CategoryPlan& plan) = 0;
  // file_detail ageing over the whole table; returns rows deleted.
  virtual absl::StatusOr<int> AgeFileDetails(int max_stale_days, int64_t now_unix) = 0;
};

}  // namespace mm::umdl
