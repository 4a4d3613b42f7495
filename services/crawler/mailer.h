#pragma once
// Crawler e-mail reports (mm2-backend.md §2.12, working): one plain-text message over SMTP
// (libcurl smtp://), with optional login (SASL AUTH; STARTTLS first whenever the server offers
// it, verified against the system store or `ca_bundle`).

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace mm::crawler {

struct SmtpSettings {
  std::string server;  // "host" or "host:port" (port 25 by default)
  std::string username, password;
  std::string ca_bundle;  // "" = the system store
  absl::Duration timeout = absl::Seconds(30);
};

struct MailMessage {
  std::string from;
  std::string to;  // one address or a comma-separated list
  std::string subject, body;
};

// RFC 5322 text of the message (CRLF line ends, dot-stuffing left to curl).
std::string FormatMail(const MailMessage& message, absl::Time date);
absl::Status SendMail(const SmtpSettings& smtp, const MailMessage& message);

}  // namespace mm::crawler
