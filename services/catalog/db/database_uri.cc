#include "services/catalog/db/database_uri.h"

#include <libpq-fe.h>

#include <map>
#include <memory>

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

absl::StatusOr<std::string> WithConnectionSettings(const std::string& conninfo,
                                                   const ConnectionSettings& settings) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return absl::InvalidArgumentError(absl::StrCat("bad database connection string: ", message));
  }
  std::map<std::string, std::string> values;
  for (PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) values[o->keyword] = o->val;
  }
  auto set_default = [&](const char* key, int value) {
    values.emplace(key, std::to_string(value));
  };
  if (settings.connect_timeout_seconds > 0)
    set_default("connect_timeout", settings.connect_timeout_seconds);
  auto keepalives = values.find("keepalives");
  bool keepalives_off = keepalives != values.end() && keepalives->second == "0";
  if (settings.keepalives_idle_seconds > 0 && !keepalives_off) {
    constexpr int kInterval = 10, kCount = 3;
    set_default("keepalives", 1);
    set_default("keepalives_idle", settings.keepalives_idle_seconds);
    set_default("keepalives_interval", kInterval);
    set_default("keepalives_count", kCount);
    set_default("tcp_user_timeout", (settings.keepalives_idle_seconds + kInterval * kCount) * 1000);
  }
  std::string out;
  for (const auto& [key, value] : values) {
    if (!out.empty()) out += ' ';
    out += key + "='";
    for (char c : value) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

}  // namespace mm::catalog
