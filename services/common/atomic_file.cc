#include "services/common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mm::common {
namespace {

absl::Status Errno(const std::string& what) {
  int e = errno;
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

}  // namespace

absl::StatusOr<AtomicFile> AtomicFile::Create(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("no output file given");
  std::string pattern = absl::StrCat(path, ".tmp.XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) return Errno(absl::StrCat("cannot create a temporary file next to ", path));
  // mkstemp creates 0600; outputs are read by other programs, often another user. Keep the
  // mode of the file being replaced, else what a plain open() would give.
  mode_t mask = umask(0);
  umask(mask);
  mode_t mode = 0666 & ~mask;
  struct stat st;
  if (stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  if (fchmod(fd, mode) != 0) {
    absl::Status s = Errno(absl::StrCat("chmod ", buf.data()));
    close(fd);
    unlink(buf.data());
    return s;
  }
  return AtomicFile(path, std::string(buf.data()), fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
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
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
}

absl::Status AtomicFile::Commit() {
  if (committed_ || fd_ < 0) return absl::FailedPreconditionError("file already committed");
  if (fsync(fd_) != 0) return Errno(absl::StrCat("fsync ", temp_path_));
  int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) return Errno(absl::StrCat("close ", temp_path_));
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return Errno(absl::StrCat("rename ", temp_path_, " to ", path_));
  }
  committed_ = true;
  // Make the rename itself durable. The new file is in place either way, so a failure here
  // is not an error of the run.
  int dir = open(DirectoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

}  // namespace mm::common
