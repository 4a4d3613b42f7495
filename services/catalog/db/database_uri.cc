#include "services/catalog/db/database_uri.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mm::catalog {

absl::StatusOr<std::string> DatabaseUriToConninfo(const std::string& uri) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) {
    // Already a libpq keyword/value string ("host=... dbname=...").
    if (uri.find('=') != std::string::npos) return uri;
    return absl::InvalidArgumentError(
        absl::StrCat("SQLALCHEMY_DATABASE_URI '", RedactDatabaseUri(uri), "' is not a URI"));
  }
  std::string scheme = uri.substr(0, scheme_end);
  std::string dialect = scheme.substr(0, scheme.find('+'));
  if (dialect != "postgresql" && dialect != "postgres") {
    return absl::InvalidArgumentError(
        absl::StrCat("SQLALCHEMY_DATABASE_URI uses '", scheme,
                     "'; the catalog needs PostgreSQL (postgresql://user:pass@host/db)"));
  }
  return absl::StrCat("postgresql", uri.substr(scheme_end));
}

std::string RedactDatabaseUri(const std::string& uri) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return uri;
  size_t at = uri.find('@', scheme_end + 3);
  size_t colon = uri.find(':', scheme_end + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return uri;
  return absl::StrCat(uri.substr(0, colon + 1), "***", uri.substr(at));
}

}  // namespace mm::catalog
