#include "services/common/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "tests/testing/status_matchers.h"

namespace mm::common {
namespace {

using ::mm::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ConfigTest, DefaultsMatchUpstream) {
  Config c = Config::WithDefaults();
  EXPECT_EQ(*c.GetInt("ITEMS_PER_PAGE"), 20);
  EXPECT_EQ(*c.GetInt("PERMANENT_SESSION_LIFETIME"), 3600);
  EXPECT_EQ(*c.GetString("SQLALCHEMY_DATABASE_URI"),
            "sqlite:////var/tmp/mirrormanager2_dev.sqlite");
  EXPECT_THAT(*c.GetStringList("EMBARGOED_COUNTRIES"), ElementsAre("CU", "IR", "KP", "SD", "SY"));
  EXPECT_THAT(*c.GetStringList("ADMIN_GROUP"), ElementsAre("sysadmin-main"));
  EXPECT_EQ(*c.GetString("CRAWLER_RSYNC_PARAMETERS"), "--no-motd --timeout 14400");
  EXPECT_EQ(*c.GetInt("CRAWLER_AUTO_DISABLE"), 4);
  EXPECT_FALSE(*c.GetBool("CRAWLER_SEND_EMAIL"));
  EXPECT_EQ(*c.GetInt("MAX_STALE_DAYS"), 4);
  EXPECT_EQ(*c.GetInt("PROPAGATION_KEEP_DAYS"), 7);
  EXPECT_EQ(*c.GetInt("ACCESS_STATS_KEEP_DAYS"), 30);
  EXPECT_EQ(*c.GetString("MM_PROTOCOL_REGEX"), "^(?!ftp)(.*)$");
  EXPECT_EQ(*c.GetString("MM_IPV4_NETBLOCK_SIZE"), "/16");
  EXPECT_EQ(*c.GetString("MM_LOG_DIR"), "/var/log/mirrormanager");
  EXPECT_THAT(*c.GetStringList("SKIP_PATHS_FOR_VERSION"), ElementsAre("pub/alt"));
  EXPECT_EQ(*c.GetString("BODHI_URL"), "https://bodhi.fedoraproject.org");
  EXPECT_TRUE(*c.GetBool("SHOW_MAPS"));
  EXPECT_TRUE(c.Find("UMDL_MASTER_DIRECTORIES")->is_sequence());
  EXPECT_EQ(*c.GetString("UMDL_PREFIX"), "");
  EXPECT_FALSE(c.GetOptionalString("APPLICATION_URL")->has_value());
  EXPECT_EQ(c.Origin("ITEMS_PER_PAGE"), "default");
}

// Every key of mm2-web-and-data.md §5 and mm2-backend.md §0.2 with upstream's default, as a
// Python literal (keys "not in defaults" upstream are None, or False for CRAWLER_SEND_EMAIL,
// which the code treats as False when absent). PERMANENT_SESSION_LIFETIME is timedelta(hours=1),
// read as seconds.
constexpr std::pair<const char*, const char*> kUpstreamDefaults[] = {
    {"PERMANENT_SESSION_LIFETIME", "3600"},
    {"SQLALCHEMY_DATABASE_URI", "'sqlite:////var/tmp/mirrormanager2_dev.sqlite'"},
    {"DB_MODELS_LOCATION", "'mirrormanager2.lib.model'"},
    {"DB_ALEMBIC_LOCATION", "'mirrormanager2/lib/migrations'"},
    {"ITEMS_PER_PAGE", "20"},
    {"SECRET_KEY", "'<insert here your own key>'"},
    {"PASSWORD_SEED", "\"You'd better change it and keep it secret\""},
    {"THEME_FOLDER", "'fedora'"},
    {"MM_AUTHENTICATION", "'fas'"},
    {"OIDC_CLIENT_SECRETS", "'client_secrets.json'"},
    {"OIDC_SCOPES",
     "['openid', 'email', 'profile', 'https://id.fedoraproject.org/scope/groups', "
     "'https://id.fedoraproject.org/scope/agreements']"},
    {"ADMIN_GROUP", "['sysadmin-main']"},
    {"ADMIN_EMAIL", "'admin@fedoraproject.org'"},
    {"EMAIL_FROM", "'nobody@fedoraproject.org'"},
    {"SMTP_SERVER", "'localhost'"},
    {"SMTP_USERNAME", "None"},
    {"SMTP_PASSWORD", "None"},
    {"MAIL_ADMIN", "None"},
    {"ACCESS_STATS_KEEP_DAYS", "30"},
    {"EMBARGOED_COUNTRIES", "['CU', 'IR', 'KP', 'SD', 'SY']"},
    {"SHOW_MAPS", "True"},
    {"STATIC_MAP", "'map.png'"},
    {"INTERACTIVE_MAP", "'mirrors.html'"},
    {"SHOW_PROPAGATION", "True"},
    {"PROPAGATION_BASE", "'/var/lib/mirrormanager/statistics/data/propagation'"},
    {"PROPAGATION_KEEP_DAYS", "7"},
    {"GEOIP_BASE", "'/usr/share/GeoIP'"},
    {"MASTER_RSYNC_ACL", "False"},
    {"MM_COOKIE_REQUIRES_HTTPS", "True"},
    {"MM_COOKIE_NAME", "'MirrorManager'"},
    {"MM_LOG_DIR", "'/var/log/mirrormanager'"},
    {"MM_PROTOCOL_REGEX", "'^(?!ftp)(.*)$'"},
    {"MM_IPV4_NETBLOCK_SIZE", "'/16'"},
    {"MM_IPV6_NETBLOCK_SIZE", "'/32'"},
    {"APPLICATION_URL", "None"},
    {"CHECK_SESSION_IP", "True"},
    {"CRAWLER_RSYNC_PARAMETERS", "'--no-motd --timeout 14400'"},
    {"CRAWLER_AUTO_DISABLE", "4"},
    {"CRAWLER_SEND_EMAIL", "False"},
    {"SKIP_PATHS_FOR_VERSION", "['pub/alt']"},
    {"BODHI_URL", "'https://bodhi.fedoraproject.org'"},
    {"USE_FEDORA_MESSAGING", "True"},
    {"MAX_STALE_DAYS", "4"},
    {"UMDL_PREFIX", "''"},
    {"UMDL_MASTER_DIRECTORIES", "[]"},
    {"HEALTHZ",
     "{'live': 'mirrormanager2.health_checks.liveness', "
     "'ready': 'mirrormanager2.health_checks.readiness'}"},
};

TEST(ConfigTest, EveryUpstreamKeyHasUpstreamsDefault) {
  Config c = Config::WithDefaults();
  std::string file;
  for (const auto& [key, literal] : kUpstreamDefaults) {
    ASSERT_OK_AND_ASSIGN(PyValue expected, ParsePythonExpression(literal));
    const PyValue* actual = c.Find(key);
    ASSERT_NE(actual, nullptr) << key;
    EXPECT_EQ(actual->Repr(), expected.Repr()) << key;
    EXPECT_EQ(c.Origin(key), "default") << key;
    EXPECT_TRUE(IsKnownConfigKey(key)) << key;
    absl::StrAppend(&file, key, " = ", literal, "\n");
  }
  // An upstream configuration file setting all of them is accepted without a warning.
  ASSERT_OK(c.MergeText(file, "mirrormanager2.cfg"));
  EXPECT_THAT(c.warnings(), ::testing::IsEmpty());
}

TEST(ConfigTest, FileOverridesDefaultsAndRemembersOrigin) {
  Config c = Config::WithDefaults();
  ASSERT_OK(c.MergeText("ITEMS_PER_PAGE = 50\n\nUMDL_PREFIX = '/srv/'\nlocal_helper = 3\n",
                        "/etc/mm.cfg"));
  EXPECT_EQ(*c.GetInt("ITEMS_PER_PAGE"), 50);
  EXPECT_EQ(c.Origin("ITEMS_PER_PAGE"), "/etc/mm.cfg:1");
  EXPECT_EQ(c.Origin("UMDL_PREFIX"), "/etc/mm.cfg:3");
  EXPECT_FALSE(c.Has("local_helper"));  // lower-case names are Python variables, not keys
  EXPECT_TRUE(c.warnings().empty());
}

TEST(ConfigTest, UnknownKeysAreWarnedAbout) {
  Config c = Config::WithDefaults();
  ASSERT_OK(c.MergeText("ITEMS_PER_PAGE = 5\nTYPO_KEY = 1\n", "x.cfg"));
  EXPECT_THAT(c.warnings(), ElementsAre("x.cfg:2: unknown configuration key TYPO_KEY"));
}

TEST(ConfigTest, TypeErrorsNameFileAndLine) {
  Config c = Config::WithDefaults();
  ASSERT_OK(c.MergeText("\nCRAWLER_AUTO_DISABLE = 'four'\n", "/etc/mm.cfg"));
  EXPECT_THAT(c.GetInt("CRAWLER_AUTO_DISABLE"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "/etc/mm.cfg:2: CRAWLER_AUTO_DISABLE must be an int, got str 'four'"));
  EXPECT_THAT(c.GetStringList("ITEMS_PER_PAGE"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ConfigTest, MalformedFileGivesOneClearError) {
  Config c = Config::WithDefaults();
  EXPECT_THAT(c.MergeText("A = 1\nB = [1, 2\nC = 3\n", "/etc/broken.cfg"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("/etc/broken.cfg:")));
}

TEST(ConfigTest, EnvironmentOverrides) {
  Config c = Config::WithDefaults();
  std::string a = "MM2_CRAWLER_AUTO_DISABLE=9", b = "MM2_MM_AUTHENTICATION=local",
              d = "MM2_ADMIN_GROUP=['a', 'b']", e = "MM2_CONFIG=/ignored", f = "OTHER=1",
              g = "MM2_SQLALCHEMY_DATABASE_URI=postgresql://u@h/db";
  char* env[] = {a.data(), b.data(), d.data(), e.data(), f.data(), g.data(), nullptr};
  ASSERT_OK(c.MergeEnvironment(env));
  EXPECT_EQ(*c.GetInt("CRAWLER_AUTO_DISABLE"), 9);
  EXPECT_EQ(*c.GetString("MM_AUTHENTICATION"), "local");
  EXPECT_THAT(*c.GetStringList("ADMIN_GROUP"), ElementsAre("a", "b"));
  EXPECT_EQ(*c.GetString("SQLALCHEMY_DATABASE_URI"), "postgresql://u@h/db");
  EXPECT_EQ(c.Origin("CRAWLER_AUTO_DISABLE"), "environment MM2_CRAWLER_AUTO_DISABLE");
  EXPECT_FALSE(c.Has("CONFIG"));
}

TEST(ConfigTest, EnvironmentOverridesKeepStringKeysStrings) {
  Config c = Config::WithDefaults();
  std::string a = "MM2_SECRET_KEY=123456", b = "MM2_PASSWORD_SEED=['not', 'a', 'list']",
              d = "MM2_UMDL_PREFIX='/quoted/'", e = "MM2_ITEMS_PER_PAGE=50",
              f = "MM2_APPLICATION_URL=https://mm.example.org/", g = "MM2_METRICS_LISTEN=None",
              h = "MM2_SHOW_MAPS=False", i = "MM2_NEW_UNKNOWN_KEY=7",
              j = "MM2_NETBLOCKS_GLOBAL_IPV6_URL=None";
  char* env[] = {a.data(), b.data(), d.data(), e.data(), f.data(),
                 g.data(), h.data(), i.data(), j.data(), nullptr};
  ASSERT_OK(c.MergeEnvironment(env));
  // String keys stay strings, verbatim.
  EXPECT_EQ(c.Find("SECRET_KEY")->kind(), PyValue::Kind::kString);
  EXPECT_EQ(*c.GetString("SECRET_KEY"), "123456");
  EXPECT_EQ(*c.GetString("PASSWORD_SEED"), "['not', 'a', 'list']");
  EXPECT_EQ(*c.GetString("UMDL_PREFIX"), "'/quoted/'");
  // ... but None switches a string key off, as in a file.
  EXPECT_TRUE(c.Find("NETBLOCKS_GLOBAL_IPV6_URL")->is_none());
  // Other keys take a Python literal; None-valued keys accept a plain string too.
  EXPECT_EQ(c.Find("ITEMS_PER_PAGE")->kind(), PyValue::Kind::kInt);
  EXPECT_EQ(*c.GetInt("ITEMS_PER_PAGE"), 50);
  EXPECT_EQ(*c.GetOptionalString("APPLICATION_URL"), "https://mm.example.org/");
  EXPECT_TRUE(c.Find("METRICS_LISTEN")->is_none());
  EXPECT_FALSE(*c.GetBool("SHOW_MAPS"));
  EXPECT_EQ(*c.GetInt("NEW_UNKNOWN_KEY"), 7);
}

TEST(ConfigTest, EnvironmentOverrideFollowsTheFilesType) {
  // A file may turn a None default into a string; the environment then keeps it a string.
  Config c = Config::WithDefaults();
  ASSERT_OK(c.MergeText("METRICS_LISTEN = '127.0.0.1:9100'\n", "x.cfg"));
  std::string a = "MM2_METRICS_LISTEN=9100";
  char* env[] = {a.data(), nullptr};
  ASSERT_OK(c.MergeEnvironment(env));
  EXPECT_EQ(*c.GetString("METRICS_LISTEN"), "9100");
}

TEST(ConfigTest, NumericEnvironmentValueOfANoneKeyReadsBackAsItsText) {
  // CRAWLER_CRAWL_ID defaults to None; a numeric id is still an id, while the same key read as
  // a number keeps working.
  Config c = Config::WithDefaults();
  std::string a = "MM2_CRAWLER_CRAWL_ID=20260101", b = "MM2_ITEMS_PER_PAGE=50";
  char* env[] = {a.data(), b.data(), nullptr};
  ASSERT_OK(c.MergeEnvironment(env));
  EXPECT_EQ(*c.GetOptionalString("CRAWLER_CRAWL_ID"), "20260101");
  EXPECT_EQ(*c.GetString("CRAWLER_CRAWL_ID"), "20260101");
  EXPECT_EQ(*c.GetInt("CRAWLER_CRAWL_ID"), 20260101);
  EXPECT_EQ(*c.GetInt("ITEMS_PER_PAGE"), 50);
  // A literal from a file stays typed: a file's int is not a string.
  ASSERT_OK(c.MergeText("CRAWLER_CRAWL_ID = 7\n", "x.cfg"));
  EXPECT_FALSE(c.GetString("CRAWLER_CRAWL_ID").ok());
}

TEST(ConfigTest, DefaultFileThatExistsButCannotBeReadIsAnError) {
  // Absent: defaults, no error.
  ConfigLoadOptions absent;
  absent.apply_environment = false;
  absent.default_path = ::testing::TempDir() + "/surely/not/here.cfg";
  ASSERT_OK(LoadConfig(absent).status());
  // Present but unreadable (a directory, which even root cannot read as a file).
  std::string dir = ::testing::TempDir() + "/mm_cfg_is_a_dir.cfg";
  std::filesystem::create_directories(dir);
  ConfigLoadOptions unreadable = absent;
  unreadable.default_path = dir;
  EXPECT_THAT(LoadConfig(unreadable),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(dir + ": cannot read")));
  // Present and readable: used.
  std::string file = ::testing::TempDir() + "/mm_default.cfg";
  std::ofstream(file) << "ITEMS_PER_PAGE = 33\n";
  ConfigLoadOptions present = absent;
  present.default_path = file;
  auto c = LoadConfig(present);
  ASSERT_OK(c.status());
  EXPECT_EQ(*c->GetInt("ITEMS_PER_PAGE"), 33);
  EXPECT_EQ(c->Origin("ITEMS_PER_PAGE"), file + ":1");
}

TEST(ConfigTest, RealisticPythonFormsInAConfigFile) {
  setenv("MM_TEST_DB_PASSWORD", "pw", 1);
  Config c = Config::WithDefaults();
  absl::Status s = c.MergeText(R"cfg(import os
DB_HOST = 'db.example.org'
SQLALCHEMY_DATABASE_URI = 'postgresql://mm:%s@%s/mm' % (os.environ['MM_TEST_DB_PASSWORD'], DB_HOST)
ADMIN_GROUP += ['sysadmin-web']
EMBARGOED_COUNTRIES = 'CU', 'IR'
MM_LOG_DIR = '{}/log'.format('/srv')
SHOW_MAPS = SHOW_PROPAGATION = False
)cfg",
                               "site.cfg");
  unsetenv("MM_TEST_DB_PASSWORD");
  ASSERT_OK(s);
  EXPECT_EQ(*c.GetString("SQLALCHEMY_DATABASE_URI"), "postgresql://mm:pw@db.example.org/mm");
  EXPECT_THAT(*c.GetStringList("ADMIN_GROUP"), ElementsAre("sysadmin-main", "sysadmin-web"));
  EXPECT_THAT(*c.GetStringList("EMBARGOED_COUNTRIES"), ElementsAre("CU", "IR"));
  EXPECT_EQ(*c.GetString("MM_LOG_DIR"), "/srv/log");
  EXPECT_FALSE(*c.GetBool("SHOW_MAPS"));
  EXPECT_FALSE(*c.GetBool("SHOW_PROPAGATION"));
  EXPECT_EQ(c.Origin("SHOW_PROPAGATION"), "site.cfg:7");
  EXPECT_THAT(c.warnings(), ElementsAre("site.cfg:2: unknown configuration key DB_HOST"));
}

// A path that names an endless device or a huge file is one error line, never a crash.
TEST(ConfigTest, OversizedConfigFileIsAnErrorNotUnboundedMemory) {
  EXPECT_THAT(LoadConfig({"/dev/zero", false}),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "/dev/zero: configuration file is larger than 8388608 bytes"));
}

TEST(ConfigTest, LoadConfigFromExplicitFile) {
  std::string path = ::testing::TempDir() + "/mm_load_test.cfg";
  std::ofstream(path) << "SHOW_MAPS = False\n";
  auto c = LoadConfig({path, false});
  ASSERT_OK(c.status());
  EXPECT_FALSE(*c->GetBool("SHOW_MAPS"));
  EXPECT_THAT(LoadConfig({"/nonexistent/mm.cfg", false}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/mm.cfg")));
}

TEST(ConfigTest, LoadConfigUsesMm2ConfigVariable) {
  std::string path = ::testing::TempDir() + "/mm_env_test.cfg";
  std::ofstream(path) << "ITEMS_PER_PAGE = 77\n";
  setenv("MM2_CONFIG", path.c_str(), 1);
  auto c = LoadConfig({"", false});
  unsetenv("MM2_CONFIG");
  ASSERT_OK(c.status());
  EXPECT_EQ(*c->GetInt("ITEMS_PER_PAGE"), 77);
}

TEST(ConfigTest, SampleUpstreamStyleConfigParses) {
  Config c = Config::WithDefaults();
  ASSERT_OK(c.MergeText(R"cfg(# -*- coding: utf-8 -*-
from datetime import timedelta
PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
SQLALCHEMY_DATABASE_URI = 'postgresql+psycopg2://mirrormanager:pw@db-mm/mirrormanager2'
ADMIN_GROUP = ('sysadmin-main', 'sysadmin-noc')
CRAWLER_SEND_EMAIL = True
UMDL_PREFIX = '/srv/'
UMDL_MASTER_DIRECTORIES = [
    {'type': 'directory', 'path': '/srv/pub/epel/', 'category': 'Fedora EPEL'},
    {'type': 'rsync', 'url': 'rsync://dl.example.org/fedora-enchilada/linux/',
     'category': 'Fedora Linux', 'excludes': ['.*/ppc64le/.*'], 'options': '--no-human-readable'},
]
)cfg",
                        "mirrormanager2.cfg"));
  EXPECT_EQ(*c.GetInt("PERMANENT_SESSION_LIFETIME"), 1800);
  EXPECT_TRUE(*c.GetBool("CRAWLER_SEND_EMAIL"));
  EXPECT_THAT(*c.GetStringList("ADMIN_GROUP"), ElementsAre("sysadmin-main", "sysadmin-noc"));
  EXPECT_EQ(c.Find("UMDL_MASTER_DIRECTORIES")->items()[1].Get("type")->as_string(), "rsync");
}

}  // namespace
}  // namespace mm::common
