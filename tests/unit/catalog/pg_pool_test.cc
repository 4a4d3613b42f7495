// PgPool's timeouts against the real PostgreSQL fixture and a silent loopback peer, and the
// connection-string settings that carry them (db/database_uri.h).
#include "services/catalog/db/pg_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/catalog/db/database_uri.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::catalog {
namespace {

using ::mm::testing::StatusIs;
using ::mm::testing::TestDatabase;
using ::testing::HasSubstr;
using ::testing::Not;

// The setting's value, or the error.
std::string Show(PgPool& pool, const std::string& setting) {
  auto v = pool.Query<std::string>([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::string> {
    return tx.exec1("SHOW " + setting)[0].as<std::string>();
  });
  return v.ok() ? *v : v.status().ToString();
}

absl::Status Sleep(PgPool& pool, double seconds, bool allow_long = false) {
  return pool.Transact([&](pqxx::transaction_base& tx) {
    if (allow_long) pool.AllowLongStatements(tx);
    tx.exec("SELECT pg_sleep(" + std::to_string(seconds) + ")");
    return absl::OkStatus();
  });
}

TEST(PgPoolTest, StatementTimeoutAppliesToEveryConnection) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create());
  PgSessionSettings settings;
  settings.statement_timeout = absl::Milliseconds(500);
  settings.bulk_statement_timeout = absl::Seconds(20);
  PgPool pool(db.conninfo(), 2, absl::Seconds(30), settings);
  EXPECT_EQ(Show(pool, "statement_timeout"), "500ms");

  absl::Time start = absl::Now();
  EXPECT_THAT(Sleep(pool, 5),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("statement timeout")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  // The connection survives the cancelled statement.
  EXPECT_OK(pool.Ping());

  // Long transactions lift the limit for themselves only (SET LOCAL).
  EXPECT_OK(Sleep(pool, 1, /*allow_long=*/true));
  EXPECT_EQ(Show(pool, "statement_timeout"), "500ms");
  EXPECT_THAT(Sleep(pool, 1), StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(PgPoolTest, NoStatementTimeoutByDefault) {
  ASSERT_OK_AND_ASSIGN(TestDatabase db, TestDatabase::Create());
  PgPool pool(db.conninfo(), 1);
  EXPECT_EQ(Show(pool, "statement_timeout"), "0");
  EXPECT_OK(Sleep(pool, 0.2, /*allow_long=*/true));  // nothing to lift: stays unlimited
  EXPECT_EQ(Show(pool, "statement_timeout"), "0");
}

// A peer that completes the TCP handshake and then says nothing (a hung server, a black-holing
// middlebox): without connect_timeout libpq would wait forever.
TEST(PgPoolTest, ConnectingToASilentServerFailsWithinTheConnectTimeout) {
  mm::testing::SilentTcpServer silent;
  ConnectionSettings settings;
  settings.connect_timeout_seconds = 2;  // libpq's minimum
  ASSERT_OK_AND_ASSIGN(
      std::string conninfo,
      WithConnectionSettings("postgresql://mm@127.0.0.1:" + std::to_string(silent.port()) + "/mm",
                             settings));
  PgPool pool(conninfo, 1);
  absl::Time start = absl::Now();
  EXPECT_THAT(pool.Ping(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot connect")));
  absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(1500));
  EXPECT_LT(took, absl::Seconds(8));
  EXPECT_GE(silent.accepted(), 1);
}

TEST(DatabaseUriTest, AcceptsSqlalchemyForms) {
  EXPECT_EQ(*DatabaseUriToConninfo("postgresql://mm:pw@db.example.org:5433/mirrormanager"),
            "postgresql://mm:pw@db.example.org:5433/mirrormanager");
  EXPECT_EQ(*DatabaseUriToConninfo("postgresql+psycopg2://mm:pw@db/mm?sslmode=require"),
            "postgresql://mm:pw@db/mm?sslmode=require");
  EXPECT_EQ(*DatabaseUriToConninfo("postgres://u@h/d"), "postgresql://u@h/d");
  EXPECT_EQ(*DatabaseUriToConninfo("host=127.0.0.1 dbname=mm"), "host=127.0.0.1 dbname=mm");
  EXPECT_FALSE(DatabaseUriToConninfo("sqlite:////var/tmp/x.sqlite").ok());
  EXPECT_FALSE(DatabaseUriToConninfo("mysql://u@h/d").ok());
  EXPECT_FALSE(DatabaseUriToConninfo("not a uri").ok());
  EXPECT_EQ(RedactDatabaseUri("postgresql://mm:secret@db/mm"), "postgresql://mm:***@db/mm");
  EXPECT_EQ(RedactDatabaseUri("postgresql://mm@db/mm"), "postgresql://mm@db/mm");
}

TEST(DatabaseUriTest, ConnectionSettingsAreAddedUnlessTheUriSetsThem) {
  ConnectionSettings s;  // defaults: 10 s connect, keepalives after 30 s
  ASSERT_OK_AND_ASSIGN(
      std::string plain,
      WithConnectionSettings("postgresql://mm:pw@db.example.org:6432/mirrormanager", s));
  EXPECT_EQ(plain,
            "connect_timeout='10' dbname='mirrormanager' host='db.example.org' keepalives='1' "
            "keepalives_count='3' keepalives_idle='30' keepalives_interval='10' password='pw' "
            "port='6432' tcp_user_timeout='60000' user='mm'");

  ASSERT_OK_AND_ASSIGN(
      std::string own,
      WithConnectionSettings("postgresql://mm@db/mm?connect_timeout=3&keepalives_idle=5", s));
  EXPECT_THAT(own, HasSubstr("connect_timeout='3'"));
  EXPECT_THAT(own, HasSubstr("keepalives_idle='5'"));

  ASSERT_OK_AND_ASSIGN(std::string keywords,
                       WithConnectionSettings("host=/run/pg dbname='my db' password='it\\'s'", s));
  EXPECT_THAT(keywords, HasSubstr("dbname='my db'"));
  EXPECT_THAT(keywords, HasSubstr("password='it\\'s'"));
  EXPECT_THAT(keywords, HasSubstr("connect_timeout='10'"));

  ASSERT_OK_AND_ASSIGN(std::string off, WithConnectionSettings("host=db keepalives=0", s));
  EXPECT_THAT(off, HasSubstr("keepalives='0'"));
  EXPECT_THAT(off, Not(HasSubstr("keepalives_idle")));
  EXPECT_THAT(off, Not(HasSubstr("tcp_user_timeout")));

  ConnectionSettings none{0, 0};
  ASSERT_OK_AND_ASSIGN(std::string bare, WithConnectionSettings("host=db", none));
  EXPECT_EQ(bare, "host='db'");

  EXPECT_THAT(WithConnectionSettings("host=db nonsense_option=1", s),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nonsense_option")));
}

}  // namespace
}  // namespace mm::catalog
