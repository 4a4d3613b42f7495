#pragma once
// One libcurl easy handle per (scheme, host:port) of a host crawl, so that requests reuse the
// connection (keep-alive, HTTP/2 over TLS when the server offers it, the FTP control
// connection). Redirects are never followed. Timeouts follow upstream's socket timeout: the
// connection must be made within `timeout`, and a transfer fails once it has received nothing
// for `timeout` (curl's low-speed limit of 1 byte/s), however long it takes in total; the
// crawl's Deadline (host and global) caps every transfer and is observed through curl's
// progress callback.
//
// Thread-safety: a session is used by one thread at a time.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "services/crawler/deadline.h"

namespace mm::crawler {

// Once per process, before threads start (idempotent).
void EnsureCurlGlobalInit();

struct HttpOptions {
  absl::Duration timeout = absl::Seconds(10);  // connect timeout and inactivity timeout
  std::string ca_bundle;                       // "" = the system store
  std::string user_agent;
  // Sent with every request besides "Pragma: no-cache" and "Connection: Keep-Alive".
  std::vector<std::string> extra_headers;
};

struct FetchResult {
  enum class Kind {
    kDone,     // the server answered; `status` holds the HTTP status or FTP reply code
    kTimeout,  // the request timed out ("try later")
    kStopped,  // the crawl's deadline passed or it was interrupted
    kError,    // connection refused, reset, TLS failure, protocol error, ...
  };
  Kind kind = Kind::kError;
  int status = 0;
  std::optional<int64_t> content_length;
  std::string body;  // GET/LIST without a sink (bounded by max_body)
  bool truncated = false;
  int curl_code = 0;
  std::string error;
  int64_t bytes = 0;
};

class CurlSession {
 public:
  CurlSession(HttpOptions options, const Deadline* deadline);
  ~CurlSession();
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;

  FetchResult Head(const std::string& url);
  // GET (HTTP) or RETR/LIST (FTP; a URL ending in "/" lists the directory). With a sink, the
  // body is streamed to it (return false to abort) instead of kept; without one, at most
  // `max_body` bytes are kept and `truncated` is set beyond that. `compressed` asks for a
  // gzip/deflate Content-Encoding, decoded before the sink sees the data (large text files).
  FetchResult Get(const std::string& url, size_t max_body,
                  const std::function<bool(std::string_view)>& sink = nullptr,
                  bool compressed = false);
  // Drops the connection (FTP 530 handling): the next request reconnects.
  void Reconnect();

  int64_t requests() const { return requests_; }
  int64_t new_connections() const { return connections_; }
  int64_t bytes() const { return bytes_; }

 private:
  FetchResult Perform(const std::string& url, bool head, size_t max_body,
                      const std::function<bool(std::string_view)>* sink, bool compressed);
  void Setup();

  HttpOptions options_;
  const Deadline* deadline_;
  void* curl_ = nullptr;
  void* headers_ = nullptr;  // curl_slist*
  int64_t requests_ = 0;
  int64_t connections_ = 0;
  int64_t bytes_ = 0;
  // Per-transfer state used by the callbacks.
  std::string* body_ = nullptr;
  size_t max_body_ = 0;
  bool truncated_ = false;
  bool sink_aborted_ = false;
  const std::function<bool(std::string_view)>* sink_ = nullptr;
  int64_t transfer_bytes_ = 0;
  friend struct CurlCallbacks;
};

}  // namespace mm::crawler
