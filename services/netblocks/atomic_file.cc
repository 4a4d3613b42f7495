#include "services/netblocks/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"

namespace mm::netblocks {
namespace {

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::PermissionDeniedError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  // Created 0644 so that the kernel applies the umask; O_EXCL with a random name is mkstemp.
  std::string tmpl;
  int fd = -1;
  std::random_device rd;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmpl = absl::StrCat(dir, "/.", base, ".tmp.", absl::Hex(rd(), absl::kZeroPad8));
    fd = open(tmpl.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return Errno("cannot create a temporary file in", dir);
  absl::Status status;
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && fchmod(fd, st.st_mode & 07777) != 0) {
    status = Errno("cannot chmod", tmpl);
  }
  const char* p = contents.data();
  size_t left = contents.size();
  while (status.ok() && left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = Errno("cannot write", tmpl);
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (status.ok() && fsync(fd) != 0) status = Errno("cannot fsync", tmpl);
  if (close(fd) != 0 && status.ok()) status = Errno("cannot close", tmpl);
  if (status.ok() && rename(tmpl.c_str(), path.c_str()) != 0) {
    status = Errno(absl::StrCat("cannot rename ", tmpl, " to"), path);
  }
  if (!status.ok()) {
    unlink(tmpl.c_str());
    return status;
  }
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);  // best effort: the rename is durable once the directory is
    close(dfd);
  }
  return absl::OkStatus();
}

}  // namespace mm::netblocks
