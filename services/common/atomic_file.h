#pragma once
// Replaces a file atomically: the content goes to a temporary file in the target's directory
// (same file system), which is fsynced and renamed over the target; the directory is fsynced
// too. Until Commit() succeeds the target is untouched, and a writer destroyed without
// Commit() removes its temporary file. A process killed with SIGKILL leaves a
// "<target>.tmp.XXXXXX" file behind but never a partial target; RemoveStaleTemporaryFiles()
// removes such leftovers.
//
// A target that is a symbolic link is written through: the link stays, and the file it points
// to (after following every link in the last path component) is replaced. Deployments often
// point the served path at a file on another volume.
//
// While a writer is alive it holds an exclusive flock(2) on its temporary file, so that a
// cleaner can tell a live writer's file (locked) from a dead one's (lock released by the
// kernel when the process died, SIGKILL included).
//
// Not thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mm::common {

class AtomicFile {
 public:
  // Creates "<target>.tmp.XXXXXX" next to the target (`path` with its symbolic links
  // resolved). Its mode is the replaced file's, or 0666 minus the umask (like a plain open())
  // for a new file: readers are often another user.
  static absl::StatusOr<AtomicFile> Create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();  // removes the temporary file unless committed

  int fd() const { return fd_; }
  const std::string& temp_path() const { return temp_path_; }
  const std::string& path() const { return path_; }      // as given
  const std::string& target() const { return target_; }  // the file that gets replaced
  // fsync, rename over the target, close, fsync the directory.
  absl::Status Commit();

 private:
  AtomicFile(std::string path, std::string target, std::string temp_path, int fd)
      : path_(std::move(path)),
        target_(std::move(target)),
        temp_path_(std::move(temp_path)),
        fd_(fd) {}
  void Abandon();

  std::string path_;
  std::string target_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// Writes `contents` through an AtomicFile (the whole file at once).
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

struct StaleTemporaryFiles {
  int removed = 0;
  int64_t bytes = 0;  // their total size
};

// Removes the temporary files that writers of `path` (resolved as AtomicFile::Create does)
// left behind: regular files named "<target>.tmp.XXXXXX" that no live writer holds locked and
// that were not modified during the last `min_age` (which covers the instant between a
// writer's mkstemp and its flock). Where the file system cannot lock, only files older than
// `unlockable_min_age` are removed. Files that cannot be examined are left alone.
absl::StatusOr<StaleTemporaryFiles> RemoveStaleTemporaryFiles(
    const std::string& path, absl::Duration min_age = absl::Minutes(1),
    absl::Duration unlockable_min_age = absl::Hours(1));

}  // namespace mm::common
