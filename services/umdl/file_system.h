#pragma once
// The local file system as UMDL uses it (the master tree is a read-only mount). An interface so
// that tests can inject failures a root-run test cannot produce with permissions (EACCES on a
// directory listing, a file vanishing between listing and reading).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mm::umdl {

struct FileStat {
  bool is_dir = false;
  uint32_t mode = 0;  // st_mode
  int64_t size = 0;
  int64_t ctime = 0;  // st_ctime, seconds
  int64_t mtime = 0;  // st_mtime, seconds
  int64_t mtime_nsec = 0;
};

struct DirEntry {
  std::string name;
  bool is_dir = false;       // a real directory (walked into)
  bool is_dir_link = false;  // a symbolic link to a directory (listed, not followed)
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // stat(2), following symbolic links. NOT_FOUND, PERMISSION_DENIED, ... as errors.
  virtual absl::StatusOr<FileStat> Stat(const std::string& path) const = 0;
  // The entries of a directory (without "." and ".."), in no particular order; at most
  // `max_entries` (RESOURCE_EXHAUSTED beyond).
  virtual absl::StatusOr<std::vector<DirEntry>> ListDirectory(const std::string& path,
                                                              size_t max_entries) const = 0;
  // The whole file; RESOURCE_EXHAUSTED when it is larger than `max_bytes`.
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) const = 0;
};

class RealFileSystem final : public FileSystem {
 public:
  absl::StatusOr<FileStat> Stat(const std::string& path) const override;
  absl::StatusOr<std::vector<DirEntry>> ListDirectory(const std::string& path,
                                                      size_t max_entries) const override;
  absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) const override;
};

// A read-only memory map of a whole file (FFTs and rsync listings): a concurrent rewrite by
// rename does not change what is read. Empty files map to an empty view.
class MappedFile {
 public:
  static absl::StatusOr<MappedFile> Open(const std::string& path, size_t max_bytes);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

 private:
  MappedFile() = default;
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// "Permission denied" style text for errno values.
absl::Status ErrnoStatus(int err, const std::string& what);

}  // namespace mm::umdl
