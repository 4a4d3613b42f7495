#include "services/common/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace mm::common {
namespace {

constexpr char kTempInfix[] = ".tmp.";
constexpr size_t kTempSuffixLength = 6;  // mkstemp's XXXXXX
// Linux follows at most 40 links in one lookup (path_resolution(7)); so do we.
constexpr int kMaxSymlinkHops = 40;
constexpr size_t kMaxLinkLength = 1 << 16;

absl::Status Errno(const std::string& what, int e = errno) {
  std::string msg = absl::StrCat(what, ": ", std::strerror(e));
  if (e == ENOSPC || e == EDQUOT) return absl::ResourceExhaustedError(msg);
  if (e == EACCES || e == EPERM || e == EROFS) return absl::PermissionDeniedError(msg);
  if (e == ENOENT || e == ENOTDIR) return absl::NotFoundError(msg);
  return absl::InternalError(msg);
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Follows symbolic links in the last component of `path` (a dangling link gives the path it
// points to, which the writer then creates). Links in directory components need no
// resolving: rename(2) follows them.
absl::StatusOr<std::string> ResolveTarget(const std::string& path) {
  std::string p = path;
  for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
    struct stat st;
    if (lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::string link;
    // st_size is the link's length, or 0 on some file systems; grow until it fits.
    for (size_t size = st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 256;; size *= 2) {
      if (size > kMaxLinkLength) return Errno(absl::StrCat("readlink ", p), ENAMETOOLONG);
      std::vector<char> buf(size);
      ssize_t n = readlink(p.c_str(), buf.data(), buf.size());
      if (n < 0) return Errno(absl::StrCat("readlink ", p));
      if (static_cast<size_t>(n) < size) {
        link.assign(buf.data(), static_cast<size_t>(n));
        break;
      }
    }
    if (link.empty()) return Errno(absl::StrCat("readlink ", p), ENOENT);
    p = link[0] == '/' ? link : absl::StrCat(DirectoryOf(p), "/", link);
  }
  return Errno(absl::StrCat("resolving ", path), ELOOP);
}

bool IsTemporaryName(const std::string& name, const std::string& base) {
  std::string prefix = absl::StrCat(base, kTempInfix);
  if (name.size() != prefix.size() + kTempSuffixLength || !absl::StartsWith(name, prefix)) {
    return false;
  }
  for (size_t i = prefix.size(); i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<AtomicFile> AtomicFile::Create(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("no output file given");
  auto target = ResolveTarget(path);
  if (!target.ok()) return target.status();
  std::string pattern = absl::StrCat(*target, kTempInfix, "XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) return Errno(absl::StrCat("cannot create a temporary file next to ", *target));
  // Marks the file as a live writer's (see RemoveStaleTemporaryFiles). A cleaner may hold the
  // lock for an instant, so wait for it; a file system without locks is not an error.
  while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  // mkstemp creates 0600; outputs are read by other programs, often another user. Keep the
  // mode of the file being replaced, else what a plain open() would give.
  mode_t mask = umask(0);
  umask(mask);
  mode_t mode = 0666 & ~mask;
  struct stat st;
  if (stat(target->c_str(), &st) == 0) mode = st.st_mode & 07777;
  if (fchmod(fd, mode) != 0) {
    absl::Status s = Errno(absl::StrCat("chmod ", buf.data()));
    close(fd);
    unlink(buf.data());
    return s;
  }
  return AtomicFile(path, *target, std::string(buf.data()), fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      target_(std::move(other.target_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(other.fd_),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;  // nothing left for `other` to clean up
}

AtomicFile::~AtomicFile() {
  if (!committed_) Abandon();
}

void AtomicFile::Abandon() {
  // Unlink before close: the lock must outlive the name, or a cleaner could take the file.
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::Status AtomicFile::Commit() {
  if (committed_ || fd_ < 0) return absl::FailedPreconditionError("file already committed");
  if (fsync(fd_) != 0) return Errno(absl::StrCat("fsync ", temp_path_));
  // Renamed while still open (and locked), so that no cleaner ever sees an unlocked name.
  if (rename(temp_path_.c_str(), target_.c_str()) != 0) {
    return Errno(absl::StrCat("rename ", temp_path_, " to ", target_));
  }
  committed_ = true;
  close(fd_);  // the data is on disk (fsync above); nothing left to report
  fd_ = -1;
  // Make the rename itself durable. The new file is in place either way, so a failure here
  // is not an error of the run.
  int dir = open(DirectoryOf(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  auto file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t n = write(file->fd(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(absl::StrCat("write ", file->temp_path()));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return file->Commit();
}

absl::StatusOr<StaleTemporaryFiles> RemoveStaleTemporaryFiles(const std::string& path,
                                                              absl::Duration min_age,
                                                              absl::Duration unlockable_min_age) {
  if (path.empty()) return absl::InvalidArgumentError("no output file given");
  auto target = ResolveTarget(path);
  if (!target.ok()) return target.status();
  const std::string dir = DirectoryOf(*target);
  const std::string base = BaseName(*target);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Errno(absl::StrCat("cannot list ", dir));
  StaleTemporaryFiles out;
  const absl::Time now = absl::Now();
  while (dirent* e = readdir(d)) {  // ends at the end of the directory
    std::string name = e->d_name;
    if (!IsTemporaryName(name, base)) continue;
    std::string full = absl::StrCat(dir, "/", name);
    int fd = open(full.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    bool remove = false;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      absl::Duration age = now - absl::TimeFromTimespec(st.st_mtim);
      if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        remove = age >= min_age;  // no live writer holds it
      } else if (errno != EWOULDBLOCK && errno != EINTR) {
        remove = age >= unlockable_min_age;  // cannot tell: go by age alone
      }
      // The name must still be the file examined (not replaced meanwhile).
      struct stat now_st;
      remove = remove && lstat(full.c_str(), &now_st) == 0 && now_st.st_dev == st.st_dev &&
               now_st.st_ino == st.st_ino;
    }
    if (remove && unlink(full.c_str()) == 0) {
      ++out.removed;
      out.bytes += st.st_size;
    }
    close(fd);
  }
  closedir(d);
  return out;
}

}  // namespace mm::common
