#include "services/crawler/mailer.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/crawler/curl_session.h"

namespace mm::crawler {
namespace {

struct Reader {
  std::string data;
  size_t pos = 0;
};

size_t ReadCallback(char* buf, size_t size, size_t nmemb, void* user) {
  auto* r = static_cast<Reader*>(user);
  size_t n = std::min(size * nmemb, r->data.size() - r->pos);
  std::memcpy(buf, r->data.data() + r->pos, n);
  r->pos += n;
  return n;
}

std::string Crlf(const std::string& text) {
  std::string t = absl::StrReplaceAll(text, {{"\r\n", "\n"}});
  return absl::StrReplaceAll(t, {{"\n", "\r\n"}});
}

}  // namespace

std::string FormatMail(const MailMessage& m, absl::Time date) {
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  std::string body = Crlf(m.body);
  if (body.size() < 2 || body.substr(body.size() - 2) != "\r\n") body += "\r\n";
  return absl::StrCat(
      "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", date, absl::UTCTimeZone()),
      "\r\nFrom: ", m.from, "\r\nTo: ", m.to, "\r\nSubject: ", m.subject, "\r\nMessage-ID: <",
      absl::ToUnixMicros(date), ".", getpid(), ".mm2crawler@", host,
      ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n",
      body);
}

absl::Status SendMail(const SmtpSettings& smtp, const MailMessage& m) {
  EnsureCurlGlobalInit();
  CURL* c = curl_easy_init();
  if (c == nullptr) return absl::InternalError("curl_easy_init failed");
  Reader reader{FormatMail(m, absl::Now()), 0};
  std::string url = absl::StrCat("smtp://", smtp.server);
  struct curl_slist* rcpt = nullptr;
  for (absl::string_view a : absl::StrSplit(m.to, ',', absl::SkipWhitespace())) {
    rcpt = curl_slist_append(rcpt, absl::StrCat("<", absl::StripAsciiWhitespace(a), ">").c_str());
  }
  if (rcpt == nullptr) {
    curl_easy_cleanup(c);
    return absl::InvalidArgumentError("mail without a recipient");
  }
  std::string from = absl::StrCat("<", m.from, ">");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadCallback);
  curl_easy_setopt(c, CURLOPT_READDATA, &reader);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(smtp.timeout)));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!smtp.username.empty() && !smtp.password.empty()) {  // upstream logs in only with both
    curl_easy_setopt(c, CURLOPT_USERNAME, smtp.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, smtp.password.c_str());
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  }
  if (!smtp.ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, smtp.ca_bundle.c_str());
  CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(c);
  if (code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("sending mail via ", smtp.server, ": ", curl_easy_strerror(code)));
  }
  return absl::OkStatus();
}

}  // namespace mm::crawler
