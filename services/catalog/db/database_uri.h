#pragma once
// SQLALCHEMY_DATABASE_URI → libpq connection string. Accepts the forms MirrorManager2 configs
// use: postgresql://…, postgres://… and SQLAlchemy driver suffixes such as
// postgresql+psycopg2://…. Anything else (sqlite://, mysql://) is rejected with a clear error:
// catalog only runs on PostgreSQL.

#include <string>

#include "absl/status/statusor.h"

namespace mm::catalog {

absl::StatusOr<std::string> DatabaseUriToConninfo(const std::string& uri);

// Network timeouts for every connection catalog opens.
struct ConnectionSettings {
  int connect_timeout_seconds = 10;  // connect_timeout; 0 = libpq's default (no limit)
  // TCP keepalives after this many idle seconds, then 3 probes 10 s apart; unacknowledged
  // writes give up after the same time (tcp_user_timeout). 0 = keepalives off.
  int keepalives_idle_seconds = 30;
};

// Adds the settings to a libpq connection string (URI or keyword form) where it does not set
// them itself (the operator's URI wins); returns the keyword form.
absl::StatusOr<std::string> WithConnectionSettings(const std::string& conninfo,
                                                   const ConnectionSettings& settings);
// The URI with any password replaced by "***", for logs.
std::string RedactDatabaseUri(const std::string& uri);

}  // namespace mm::catalog
