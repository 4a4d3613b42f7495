#pragma once
// Where RIB dumps, directory indexes and the cloud ranges document come from (STYLE.md rule 6:
// the outside world behind a small interface). UrlFetcher serves http://, https:// (libcurl),
// file:// URLs and plain absolute paths.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/netblocks/byte_sink.h"

namespace mm::netblocks {

class Fetcher {
 public:
  virtual ~Fetcher() = default;

  // Streams the body of `url` into `sink` as it arrives (no buffering of the whole body).
  // HTTP statuses >= 400 are errors (NOT_FOUND for 404/410, UNAVAILABLE otherwise); a sink
  // error stops the transfer and is returned.
  virtual absl::Status Stream(const std::string& url, ByteSink& sink) = 0;

  // The entries of a directory: for http(s), the targets of the index page's `<a href="...">`
  // links in page order, the page requested with "?C=M;O=D" (Apache: newest first) as upstream
  // does; for file://, the names of the directory sorted newest first (mtime, then name).
  virtual absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& url) = 0;

  // The whole body, refusing more than `max_bytes` (RESOURCE_EXHAUSTED).
  absl::StatusOr<std::string> Get(const std::string& url, size_t max_bytes);
};

// Time limits of every http(s) request (RIB dumps, directory indexes, the EC2 ranges document);
// a request that hits one fails with DEADLINE_EXCEEDED. Upstream's requests calls have none.
struct UrlFetcherOptions {
  // Establishing the connection (TCP and TLS).
  absl::Duration connect_timeout = absl::Seconds(30);
  // A transfer slower than 1 KiB/s for this long is aborted, waiting for the response included
  // (libcurl averages the speed over the last ~5 s, so a stall after a fast start is noticed up
  // to ~6 s later).
  absl::Duration stall_timeout = absl::Seconds(120);
  // Upper bound for one whole transfer (a source that trickles on just above the stall limit).
  absl::Duration total_timeout = absl::Hours(2);
  std::string user_agent = "mirrormanager-cpp-netblocks";
  // When set (by a signal watcher), transfers stop within about a second with CANCELLED.
  const std::atomic<bool>* cancel = nullptr;
  // PEM file of the CAs trusted for https:// (empty: the system store). Peers are always
  // verified.
  std::string ca_bundle;
};

class UrlFetcher final : public Fetcher {
 public:
  explicit UrlFetcher(UrlFetcherOptions options = {});
  absl::Status Stream(const std::string& url, ByteSink& sink) override;
  absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& url) override;

 private:
  absl::Status StreamHttp(const std::string& url, ByteSink& sink);
  UrlFetcherOptions options_;
};

// "file:///x" and "/x" name the local file /x ("file://localhost/x" too); empty otherwise.
std::string LocalPath(const std::string& url);

// The `<a href="X">` targets of an HTML page, in order.
std::vector<std::string> ExtractLinks(const std::string& html);

}  // namespace mm::netblocks
