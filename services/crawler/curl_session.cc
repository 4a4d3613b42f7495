#include "services/crawler/curl_session.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "absl/strings/match.h"

namespace mm::crawler {

void EnsureCurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlCallbacks {
  static size_t Write(char* ptr, size_t size, size_t nmemb, void* user) {
    auto* s = static_cast<CurlSession*>(user);
    size_t n = size * nmemb;
    s->transfer_bytes_ += static_cast<int64_t>(n);
    if (s->sink_ != nullptr && *s->sink_) {
      if (!(*s->sink_)(std::string_view(ptr, n))) {
        s->sink_aborted_ = true;
        return 0;  // aborts the transfer
      }
      return n;
    }
    if (s->body_ != nullptr) {
      size_t room = s->max_body_ > s->body_->size() ? s->max_body_ - s->body_->size() : 0;
      if (n > room) {
        s->body_->append(ptr, room);
        s->truncated_ = true;
        return 0;
      }
      s->body_->append(ptr, n);
    }
    return n;
  }
  static int Progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* s = static_cast<CurlSession*>(user);
    return s->deadline_ != nullptr && s->deadline_->Check() != StopReason::kNone ? 1 : 0;
  }
};

CurlSession::CurlSession(HttpOptions options, const Deadline* deadline)
    : options_(std::move(options)), deadline_(deadline) {
  EnsureCurlGlobalInit();
  struct curl_slist* h = nullptr;
  h = curl_slist_append(h, "Pragma: no-cache");
  h = curl_slist_append(h, "Connection: Keep-Alive");
  for (const auto& extra : options_.extra_headers) h = curl_slist_append(h, extra.c_str());
  headers_ = h;
  curl_ = curl_easy_init();
  Setup();
}

CurlSession::~CurlSession() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
  curl_slist_free_all(static_cast<struct curl_slist*>(headers_));
}

void CurlSession::Setup() {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CurlCallbacks::Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &CurlCallbacks::Progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_FTP_FILEMETHOD, static_cast<long>(CURLFTPMETHOD_SINGLECWD));
  curl_easy_setopt(c, CURLOPT_FTP_USE_EPSV, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps");
  if (!options_.ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, static_cast<struct curl_slist*>(headers_));
}

void CurlSession::Reconnect() {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_cleanup(c);
  curl_ = curl_easy_init();
  Setup();
}

FetchResult CurlSession::Head(const std::string& url) {
  return Perform(url, true, 0, nullptr, false);
}

FetchResult CurlSession::Get(const std::string& url, size_t max_body,
                             const std::function<bool(std::string_view)>& sink, bool compressed) {
  return Perform(url, false, max_body, sink ? &sink : nullptr, compressed);
}

FetchResult CurlSession::Perform(const std::string& url, bool head, size_t max_body,
                                 const std::function<bool(std::string_view)>* sink,
                                 bool compressed) {
  FetchResult r;
  if (deadline_ != nullptr && deadline_->Check() != StopReason::kNone) {
    r.kind = FetchResult::Kind::kStopped;
    return r;
  }
  CURL* c = static_cast<CURL*>(curl_);
  // Connect within `timeout`; then abort only when nothing arrived for `timeout` (curl counts
  // whole seconds), so a large file streamed steadily is not cut off. The crawl's remaining
  // time is the only cap on the whole transfer.
  absl::Duration connect = options_.timeout;
  absl::Duration total = absl::ZeroDuration();  // 0 = none
  if (deadline_ != nullptr) {
    total = deadline_->Remaining() + absl::Milliseconds(50);
    connect = std::min(connect, total);
  }
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   std::max<long>(1, static_cast<long>(absl::ToInt64Milliseconds(connect))));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(total)));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(
      c, CURLOPT_LOW_SPEED_TIME,
      std::max<long>(1, static_cast<long>(std::ceil(absl::ToDoubleSeconds(options_.timeout)))));
  // "" = every encoding curl can decode; nullptr = no Accept-Encoding header.
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, compressed ? "" : nullptr);
  curl_easy_setopt(c, CURLOPT_NOBODY, head ? 1L : 0L);
  if (!head) curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  body_ = head ? nullptr : &r.body;
  max_body_ = max_body;
  truncated_ = false;
  sink_aborted_ = false;
  sink_ = sink;
  transfer_bytes_ = 0;
  CURLcode code = curl_easy_perform(c);
  body_ = nullptr;
  sink_ = nullptr;
  ++requests_;
  long connects = 0;
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
  connections_ += connects;
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t length = -1;
  curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  r.status = static_cast<int>(status);
  if (length >= 0) r.content_length = length;
  r.curl_code = static_cast<int>(code);
  r.bytes = transfer_bytes_;
  bytes_ += transfer_bytes_;
  r.truncated = truncated_;
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && (truncated_ || sink_aborted_))) {
    r.kind = FetchResult::Kind::kDone;
  } else if (code == CURLE_ABORTED_BY_CALLBACK ||
             (deadline_ != nullptr && deadline_->Check() != StopReason::kNone)) {
    r.kind = FetchResult::Kind::kStopped;
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    r.kind = FetchResult::Kind::kTimeout;
  } else if (status >= 400 && absl::StartsWithIgnoreCase(url, "ftp")) {
    // FTP answered with an error reply (on CWD, PASV/EPSV, LIST, RETR or login): the reply
    // code says what happened, whatever curl error it became.
    r.kind = FetchResult::Kind::kDone;
  } else {
    r.kind = FetchResult::Kind::kError;
  }
  if (code != CURLE_OK) r.error = curl_easy_strerror(code);
  return r;
}

}  // namespace mm::crawler
