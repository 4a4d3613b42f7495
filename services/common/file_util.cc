#include "services/common/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace mm::common {

absl::StatusOr<std::string> ReadFileToString(const std::string& path, size_t max_bytes,
                                             std::string_view what) {
  const std::string w(what);  // Debian's absl::StrCat does not take std::string_view
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return absl::Status(err == ENOENT || err == ENOTDIR ? absl::StatusCode::kNotFound
                                                        : absl::StatusCode::kPermissionDenied,
                        absl::StrCat(path, ": cannot open ", w, ": ", std::strerror(err)));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": cannot read ", w, ": it is a directory"));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return absl::DataLossError(
          absl::StrCat(path, ": read error in ", w, ": ", std::strerror(err)));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return absl::ResourceExhaustedError(
          absl::StrCat(path, ": ", w, " is larger than ", max_bytes, " bytes"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace mm::common
