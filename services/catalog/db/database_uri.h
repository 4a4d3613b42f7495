#pragma once
// SQLALCHEMY_DATABASE_URI → libpq connection string. Accepts the forms MirrorManager2 configs
// use: postgresql://…, postgres://… and SQLAlchemy driver suffixes such as
// postgresql+psycopg2://…. Anything else (sqlite://, mysql://) is rejected with a clear error:
// catalog only runs on PostgreSQL.

#include <string>

#include "absl/status/statusor.h"

namespace mm::catalog {

absl::StatusOr<std::string> DatabaseUriToConninfo(const std::string& uri);
// The URI with any password replaced by "***", for logs.
std::string RedactDatabaseUri(const std::string& uri);

}  // namespace mm::catalog
