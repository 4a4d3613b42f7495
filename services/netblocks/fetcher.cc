#include "services/netblocks/fetcher.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/version.h"

namespace mm::netblocks {
namespace {

constexpr size_t kFileChunk = 1 << 20;
constexpr size_t kMaxListingBytes = 16 << 20;
constexpr int kMaxListingEntries = 1000000;

// Collects a body into a string, up to a limit.
class StringSink final : public ByteSink {
 public:
  explicit StringSink(size_t max) : max_(max) {}
  absl::Status Write(const char* data, size_t size) override {
    if (body_.size() + size > max_) {
      return absl::ResourceExhaustedError(absl::StrCat("body exceeds ", max_, " bytes"));
    }
    body_.append(data, size);
    return absl::OkStatus();
  }
  std::string& body() { return body_; }

 private:
  size_t max_;
  std::string body_;
};

struct CurlWrite {
  ByteSink* sink;
  absl::Status status;
  const std::atomic<bool>* cancel;
};

int CurlProgressCallback(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* w = static_cast<CurlWrite*>(user);
  if (!w->status.ok()) return 1;
  if (w->cancel != nullptr && w->cancel->load()) {
    w->status = absl::CancelledError("stopped by a signal");
    return 1;
  }
  // Called at least once a second, also while the transfer waits: let the sink pass on what it
  // has finished (the parallel bzip2 decoder's blocks).
  w->status = w->sink->Idle();
  return w->status.ok() ? 0 : 1;
}

size_t CurlWriteCallback(char* data, size_t size, size_t nmemb, void* user) {
  auto* w = static_cast<CurlWrite*>(user);
  size_t n = size * nmemb;
  w->status = w->sink->Write(data, n);
  return w->status.ok() ? n : 0;
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Errno(const std::string& what, const std::string& path) {
  return absl::StrCat(what, " ", path, ": ", std::strerror(errno));
}

}  // namespace

std::string LocalPath(const std::string& url) {
  absl::string_view u(url);
  if (absl::StartsWith(u, "file://localhost/")) return std::string(u.substr(16));
  if (absl::StartsWith(u, "file:///")) return std::string(u.substr(7));
  if (absl::StartsWith(u, "/")) return url;
  return "";
}

std::vector<std::string> ExtractLinks(const std::string& html) {
  std::vector<std::string> links;
  static constexpr char kOpen[] = "<a href=\"";
  size_t pos = 0;
  while (links.size() < static_cast<size_t>(kMaxListingEntries)) {
    size_t start = html.find(kOpen, pos);
    if (start == std::string::npos) break;
    start += sizeof(kOpen) - 1;
    size_t end = html.find('"', start);
    if (end == std::string::npos) break;
    // Upstream's pattern requires the tag to close right after the quoted target.
    if (end + 1 < html.size() && html[end + 1] == '>') {
      links.push_back(html.substr(start, end - start));
    }
    pos = end + 1;
  }
  return links;
}

absl::StatusOr<std::string> Fetcher::Get(const std::string& url, size_t max_bytes) {
  StringSink sink(max_bytes);
  absl::Status s = Stream(url, sink);
  if (!s.ok()) return s;
  return std::move(sink.body());
}

UrlFetcher::UrlFetcher(UrlFetcherOptions options) : options_(std::move(options)) {
  GlobalInitOnce();
}

absl::Status UrlFetcher::Stream(const std::string& url, ByteSink& sink) {
  std::string path = LocalPath(url);
  if (path.empty()) {
    if (absl::StartsWith(url, "http://") || absl::StartsWith(url, "https://")) {
      return StreamHttp(url, sink);
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported URL '", url, "' (use http://, https://, file:// or a path)"));
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer; only regular files are read (a FIFO
  // or a device such as /dev/zero could stall or never end).
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return errno == ENOENT ? absl::NotFoundError(Errno("cannot open", path))
                           : absl::PermissionDeniedError(Errno("cannot open", path));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    bool dir = S_ISDIR(st.st_mode);
    close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat(path, dir ? " is a directory" : " is not a regular file"));
  }
  std::unique_ptr<char[]> buf(new char[kFileChunk]);
  absl::Status status;
  for (;;) {
    if (options_.cancel != nullptr && options_.cancel->load()) {
      status = absl::CancelledError("stopped by a signal");
      break;
    }
    ssize_t n = read(fd, buf.get(), kFileChunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = absl::DataLossError(Errno("cannot read", path));
      break;
    }
    if (n == 0) break;
    status = sink.Write(buf.get(), static_cast<size_t>(n));
    if (!status.ok()) break;
  }
  close(fd);
  return status;
}

absl::Status UrlFetcher::StreamHttp(const std::string& url, ByteSink& sink) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");
  CurlWrite w{&sink, absl::OkStatus(), options_.cancel};
  char error[CURL_ERROR_SIZE] = {0};
  std::string agent = absl::StrCat(options_.user_agent, "/", common::kVersion);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, agent.c_str());
  if (!options_.ca_bundle.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.total_timeout)));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(absl::ToInt64Seconds(options_.stall_timeout)));
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 256L * 1024L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CurlWriteCallback);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &w);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &CurlProgressCallback);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &w);
  CURLcode rc = curl_easy_perform(curl);
  long http_code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_code);
  curl_easy_cleanup(curl);
  if (rc == CURLE_OK) return absl::OkStatus();
  if ((rc == CURLE_WRITE_ERROR || rc == CURLE_ABORTED_BY_CALLBACK) && !w.status.ok()) {
    return w.status;
  }
  std::string detail = error[0] ? error : curl_easy_strerror(rc);
  std::string msg = absl::StrCat("GET ", url, ": ", detail);
  if (rc == CURLE_HTTP_RETURNED_ERROR && (http_code == 404 || http_code == 410)) {
    return absl::NotFoundError(msg);
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) return absl::DeadlineExceededError(msg);
  return absl::UnavailableError(msg);
}

absl::StatusOr<std::vector<std::string>> UrlFetcher::ListDirectory(const std::string& url) {
  std::string path = LocalPath(url);
  if (path.empty()) {
    std::string index = url;
    if (index.empty() || index.back() != '/') index += '/';
    auto page = Get(index + "?C=M;O=D", kMaxListingBytes);
    if (!page.ok()) return page.status();
    return ExtractLinks(*page);
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    return errno == ENOENT ? absl::NotFoundError(Errno("cannot list", path))
                           : absl::PermissionDeniedError(Errno("cannot list", path));
  }
  struct Entry {
    std::string name;
    int64_t mtime_ns;
  };
  std::vector<Entry> entries;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    if (entries.size() >= static_cast<size_t>(kMaxListingEntries)) break;
    struct stat st;
    std::string full = absl::StrCat(path, path.back() == '/' ? "" : "/", e->d_name);
    if (stat(full.c_str(), &st) != 0) continue;
    entries.push_back(
        Entry{e->d_name, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec});
  }
  closedir(dir);
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.mtime_ns != b.mtime_ns) return a.mtime_ns > b.mtime_ns;
    return a.name > b.name;
  });
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (auto& e : entries) names.push_back(std::move(e.name));
  return names;
}

}  // namespace mm::netblocks
