#pragma once
// The crawler's domain records (mm2-backend.md §2): what a host carries, the master's view of a
// category, per-directory decisions and per-host results. Plain structs; no gRPC or curl here.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mm::crawler {

enum class CrawlMode { kFull = 0, kCanary = 1, kRepodata = 2, kPropagation = 3 };
// §2.9 statuses; values match the catalog API's CrawlStatus.
enum class HostStatus { kUnknown = 0, kOk = 1, kFailure = 2, kTimeout = 3, kDisable = 4 };
enum class DirState { kUp2date, kStale, kUnknown };

const char* ModeName(CrawlMode mode);
const char* HostStatusName(HostStatus status);
const char* DirStateName(DirState state);

struct HostCategoryInfo {
  int64_t id = 0;  // host_category id
  int64_t category_id = 0;
  std::string category_name;
  std::string topdir;
  bool always_up2date = false;
  std::vector<std::string> urls;
};

struct HostInfo {
  int64_t id = 0;
  std::string name;
  std::string country;
  bool private_ = false;
  bool user_active = true;
  int64_t site_id = 0;
  std::string site_name;
  std::vector<HostCategoryInfo> categories;
};

struct HostRef {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> last_crawl_duration;
};

struct SampleFile {
  std::string name;
  int64_t size = 0;
  // The master's timestamp of the file (directory.files): the FFT's mtime when UMDL read the
  // master's fullfiletimelist, st_ctime when it walked the disk. 0 = unknown.
  int64_t timestamp = 0;
};

struct MasterDirectory {
  int64_t id = 0;
  std::string path;               // relative to the category's top directory, no leading slash
  std::vector<SampleFile> files;  // sorted by name
  std::string repomd_sha256;      // newest file_detail of repomd.xml here ("" = none)
};

struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using PathIndex = std::unordered_map<std::string, uint32_t, StringViewHash, std::equal_to<>>;

// The master's view of one category: every readable directory with its file sample. Immutable
// once built and shared by every host crawl of the run (one copy per category and process).
struct CategoryTree {
  int64_t category_id = 0;
  bool repodata_only = false;
  std::vector<MasterDirectory> dirs;   // by name
  std::vector<std::string> fft_names;  // fullfiletimelist-* names the master has

  // Lookup tables for listing-based decisions (FFT, rsync), built on first use:
  // "dir/file" (or "file" at the top) -> file slot; directory path -> directory index.
  struct Index {
    PathIndex files;
    PathIndex dirs;
    std::vector<uint32_t> file_dir;   // slot -> directory index
    std::vector<int64_t> file_size;   // slot -> expected size
    std::vector<int64_t> file_mtime;  // slot -> the master's timestamp (0 = unknown)
    std::vector<uint32_t> dir_first_slot;
  };
  const Index& index() const;

 private:
  mutable std::once_flag index_once_;
  mutable std::unique_ptr<Index> index_;
};

// Outcome of one host category.
struct CategoryOutcome {
  int64_t host_category_id = 0;
  std::string category_name;
  bool success = false;    // counted as a successful category (§2.4)
  bool completed = false;  // every directory decided (unseen HCDs may be marked)
  std::string method = "none";
  std::string result = "not_accessible";
  std::string url;
  int total = 0, up2date = 0, stale = 0, unknown = 0;
  int64_t requests = 0;
  int64_t duration_ms = 0;
  // Catalog could not give the category's tree or record the outcome (not the mirror's fault).
  bool catalog_error = false;
  std::string catalog_error_text;
  bool fft_distrusted = false;  // the FFT spot check failed; another method decided
};

struct HostResult {
  int64_t host_id = 0;
  std::string host_name;
  HostStatus status = HostStatus::kUnknown;
  std::string details;
  int64_t finished_at = 0;  // Unix seconds
  int64_t duration_seconds = 0;
  bool released = false;    // interrupted: the host goes back to the crawl
  bool lease_lost = false;  // another process holds the host now: nothing more is written
  std::vector<CategoryOutcome> categories;
  int64_t requests = 0;
  int64_t new_connections = 0;
  int64_t bytes = 0;
  // Propagation mode: (repository id, PropagationState) per checked repository.
  std::vector<std::pair<int64_t, int>> propagation;
  // Bookkeeping as applied by catalog.
  bool marked_not_up2date = false;
  bool disabled = false;
  bool already_completed = false;
  bool report_failed = false;  // a category or the host result could not be recorded
};

}  // namespace mm::crawler
