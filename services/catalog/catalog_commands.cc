#include "services/catalog/catalog_commands.h"

#include <algorithm>
#include <iostream>

#include "absl/strings/str_join.h"
#include "services/catalog/catalog_server.h"
#include "services/catalog/db/database_uri.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/schema/migrator.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/common/shutdown.h"
#include "services/common/status_macros.h"

namespace mm::catalog {
namespace {

absl::StatusOr<std::string> Conninfo(const common::Config& config) {
  MM_ASSIGN_OR_RETURN(std::string uri, config.GetString("SQLALCHEMY_DATABASE_URI"));
  MM_ASSIGN_OR_RETURN(std::string conninfo, DatabaseUriToConninfo(uri));
  MM_ASSIGN_OR_RETURN(int64_t connect_timeout, config.GetInt("CATALOG_DB_CONNECT_TIMEOUT"));
  MM_ASSIGN_OR_RETURN(int64_t keepalives_idle, config.GetInt("CATALOG_DB_KEEPALIVES_IDLE"));
  ConnectionSettings settings;
  settings.connect_timeout_seconds =
      static_cast<int>(std::clamp<int64_t>(connect_timeout, 0, 86400));
  settings.keepalives_idle_seconds =
      static_cast<int>(std::clamp<int64_t>(keepalives_idle, 0, 86400));
  return WithConnectionSettings(conninfo, settings);
}

absl::StatusOr<PgSessionSettings> SessionSettings(const common::Config& config) {
  MM_ASSIGN_OR_RETURN(int64_t statement, config.GetInt("CATALOG_DB_STATEMENT_TIMEOUT"));
  MM_ASSIGN_OR_RETURN(int64_t bulk, config.GetInt("CATALOG_DB_BULK_STATEMENT_TIMEOUT"));
  PgSessionSettings s;
  s.statement_timeout = absl::Seconds(std::max<int64_t>(0, statement));
  s.bulk_statement_timeout = absl::Seconds(std::max<int64_t>(0, bulk));
  return s;
}

}  // namespace

int RunMigrate(const common::Config& config, const MigrateCommand& command) {
  auto conninfo = Conninfo(config);
  if (!conninfo.ok()) {
    MM_LOG(ERROR) << conninfo.status().message();
    return 2;
  }
  PgPool pool(*conninfo, 1);
  Migrator migrator(pool);
  if (command.check_only) {
    absl::Status s = migrator.CheckCurrent();
    if (!s.ok()) {
      std::cout << s.message() << "\n";
      return 1;
    }
    std::cout << "schema is current\n";
    return 0;
  }
  auto applied = migrator.Migrate();
  if (!applied.ok()) {
    MM_LOG(ERROR) << applied.status().message();
    return 1;
  }
  if (applied->empty()) {
    MM_LOG(INFO) << "schema is current; nothing to do";
  } else {
    MM_LOG(INFO) << "applied migrations " << absl::StrJoin(*applied, ", ");
  }
  return 0;
}

int RunServe(const common::Config& config, const ServeCommand& command) {
  auto conninfo = Conninfo(config);
  auto pool_size = config.GetInt("CATALOG_DB_POOL_SIZE");
  auto listen = config.GetString("CATALOG_LISTEN");
  auto http_listen = config.GetString("CATALOG_HTTP_LISTEN");
  auto session = SessionSettings(config);
  for (const absl::Status& s : {pool_size.status(), listen.status(), http_listen.status(),
                                conninfo.status(), session.status()}) {
    if (!s.ok()) {
      MM_LOG(ERROR) << s.message();
      return 2;
    }
  }
  if (command.migrate && RunMigrate(config, MigrateCommand{}) != 0) return 1;
  CatalogOptions options;
  options.conninfo = *conninfo;
  options.pool_size = static_cast<int>(*pool_size);
  options.statement_timeout = session->statement_timeout;
  options.bulk_statement_timeout = session->bulk_statement_timeout;
  options.grpc_listen = command.listen.empty() ? *listen : command.listen;
  options.http_listen = command.http_listen.empty() ? *http_listen : command.http_listen;
  CatalogServer server(options, config);
  if (absl::Status s = server.Start(); !s.ok()) {
    MM_LOG(ERROR) << "cannot start catalog: " << s.message();
    return 1;
  }
  int sig = common::WaitForShutdownSignal();
  MM_LOG(INFO) << "signal " << sig << " received; draining";
  server.Stop(absl::Seconds(10));
  MM_LOG(INFO) << "catalog stopped";
  return 0;
}

}  // namespace mm::catalog
