#pragma once
// Replaces a file atomically: the content goes to a temporary file in the target's directory
// (same file system), which is fsynced and renamed over the target; the directory is fsynced
// too. Until Commit() succeeds the target is untouched, and a writer destroyed without
// Commit() removes its temporary file. A process killed with SIGKILL leaves a
// "<target>.tmp.XXXXXX" file behind but never a partial target.
//
// Not thread-safe.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mm::common {

class AtomicFile {
 public:
  // Creates "<path>.tmp.XXXXXX". Its mode is the replaced file's, or 0666 minus the umask
  // (like a plain open()) for a new file: readers are often another user.
  static absl::StatusOr<AtomicFile> Create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();  // removes the temporary file unless committed

  int fd() const { return fd_; }
  const std::string& temp_path() const { return temp_path_; }
  const std::string& path() const { return path_; }
  // fsync, close, rename over the target, fsync the directory.
  absl::Status Commit();

 private:
  AtomicFile(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  void Abandon();

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// Writes `contents` through an AtomicFile (the whole file at once).
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace mm::common
