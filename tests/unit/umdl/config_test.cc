// UMDL_MASTER_DIRECTORIES and friends, read through the shared configuration loader.
#include "services/common/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/umdl/umdl_config.h"
#include "tests/testing/status_matchers.h"

namespace mm::umdl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

absl::StatusOr<UmdlConfig> Load(const std::string& text) {
  common::Config c = common::Config::WithDefaults();
  absl::Status s = c.MergeText(text, "test.cfg");
  if (!s.ok()) return s;
  return LoadUmdlConfig(c);
}

TEST(UmdlConfigTest, UpstreamDefaults) {
  ASSERT_OK_AND_ASSIGN(UmdlConfig c, Load(""));
  EXPECT_EQ(c.prefix, "");
  EXPECT_THAT(c.skip_paths_for_version, ElementsAre("pub/alt"));
  EXPECT_EQ(c.max_stale_days, 4);
  EXPECT_TRUE(c.master_directories.empty());
  EXPECT_EQ(c.rsync_timeout, absl::Hours(4));
}

TEST(UmdlConfigTest, EntriesOfEveryTypeWithExcludesAndOptions) {
  ASSERT_OK_AND_ASSIGN(UmdlConfig c, Load(R"(
UMDL_PREFIX = '/srv/'
MAX_STALE_DAYS = 7
UMDL_MASTER_DIRECTORIES = [
    {'type': 'directory', 'path': '/srv/pub/epel/', 'category': 'Fedora EPEL',
     'excludes': ['.*/testing/.*', '.*/playground']},
    {'type': 'rsync', 'url': 'rsync://127.0.0.1/fedora-alt/', 'category': 'Fedora Other',
     'options': "--no-motd --exclude '*.iso'"},
    {'type': 'file', 'url': '/var/lib/listing.txt', 'category': 'Fedora Archive', 'options': ['-v']},
]
)"));
  EXPECT_EQ(c.prefix, "/srv/");
  EXPECT_EQ(c.max_stale_days, 7);
  ASSERT_THAT(c.master_directories, SizeIs(3));
  const auto& d = c.master_directories[0];
  EXPECT_EQ(d.type, MasterDirectory::Type::kDirectory);
  EXPECT_EQ(d.path, "/srv/pub/epel/");
  EXPECT_TRUE(d.excluder.Excluded("pub/epel/9/testing/x"));
  EXPECT_TRUE(d.excluder.Excluded("pub/epel/playground"));
  EXPECT_TRUE(d.excluder.Excluded("pub/epel/x/.snapshot"));  // standard excludes always apply
  EXPECT_TRUE(d.excluder.Excluded("pub/epel/x/.~tmp~"));
  EXPECT_FALSE(d.excluder.Excluded("pub/epel/9/Everything"));
  EXPECT_FALSE(d.excluder.MatchesEntryPattern("pub/epel/x/.snapshot"));
  const auto& r = c.master_directories[1];
  EXPECT_EQ(r.type, MasterDirectory::Type::kRsync);
  EXPECT_THAT(r.options, ElementsAre("--no-motd", "--exclude", "*.iso"));
  EXPECT_THAT(c.master_directories[2].options, ElementsAre("-v"));
  EXPECT_TRUE(c.entry_errors.empty());
}

TEST(UmdlConfigTest, BadEntriesAreReportedAndSkipped) {
  ASSERT_OK_AND_ASSIGN(UmdlConfig c, Load(R"(
UMDL_MASTER_DIRECTORIES = [
    {'type': 'ftp', 'url': 'ftp://x', 'category': 'A'},
    {'type': 'directory', 'category': 'B'},
    {'type': 'directory', 'path': '/x', 'category': 'C', 'excludes': ['(unclosed']},
    'not a dict',
    {'type': 'directory', 'path': '/ok', 'category': 'D', 'excludes': '.*/test/.*'},
    {'type': 'directory', 'path': '/py', 'category': 'E', 'excludes': [r'\N{BULLET}']},
]
)"));
  ASSERT_THAT(c.master_directories, SizeIs(1));
  EXPECT_EQ(c.master_directories[0].category, "D");
  // One string is one pattern (upstream iterated over its characters).
  EXPECT_THAT(c.master_directories[0].excludes, ElementsAre(".*/test/.*"));
  EXPECT_TRUE(c.master_directories[0].excluder.Excluded("pub/x/test/y"));
  EXPECT_FALSE(c.master_directories[0].excluder.Excluded("pub/x/tes/y"));
  ASSERT_THAT(c.entry_errors, SizeIs(5));
  EXPECT_THAT(c.entry_errors[0], HasSubstr("entry 1 (test.cfg:2): unknown type 'ftp', skipping"));
  EXPECT_THAT(c.entry_errors[1], HasSubstr("missing 'path'"));
  EXPECT_THAT(c.entry_errors[2],
              HasSubstr("invalid exclude pattern '(unclosed': missing closing parenthesis"));
  EXPECT_THAT(c.entry_errors[3], HasSubstr("not a dict"));
  // The one piece of Python syntax with no PCRE2 equivalent is refused, not misread.
  EXPECT_THAT(c.entry_errors[4], HasSubstr("invalid exclude pattern '\\N{BULLET}'"));
}

// Entry excludes are Python regular expressions: configurations written for upstream keep
// their entries (std::regex refused these and the whole category stopped syncing).
TEST(UmdlConfigTest, ExcludesUsePythonRegularExpressionSyntax) {
  ASSERT_OK_AND_ASSIGN(UmdlConfig c, Load(R"(
UMDL_MASTER_DIRECTORIES = [
    {'type': 'directory', 'path': '/srv/pub/epel/', 'category': 'Fedora EPEL',
     'excludes': [r'(?i)pub/epel/.*/TESTING', r'pub/epel/(?P<v>\d+)/(?P=v)\Z',
                  r'''(?x) pub/epel/ .* /debug  # debuginfo trees
                      (?<!-)/tree''']},
]
)"));
  ASSERT_TRUE(c.entry_errors.empty()) << c.entry_errors[0];
  ASSERT_THAT(c.master_directories, SizeIs(1));
  const Excluder& e = c.master_directories[0].excluder;
  EXPECT_TRUE(e.Excluded("pub/epel/9/Testing/x"));
  EXPECT_TRUE(e.Excluded("pub/epel/9/9"));
  EXPECT_FALSE(e.Excluded("pub/epel/9/9\n"));  // \Z: the very end, not before a final newline
  EXPECT_FALSE(e.Excluded("pub/epel/9/8"));
  EXPECT_TRUE(e.Excluded("pub/epel/9/x86_64/debug/tree"));
  EXPECT_FALSE(e.Excluded("pub/epel/9/Everything"));
}

// A pattern that cannot decide a name within the match limit errs on the side of keeping data:
// the directory is scanned, and it is not deleted.
TEST(UmdlConfigTest, UndecidedMatchesKeepData) {
  ASSERT_OK_AND_ASSIGN(Excluder e, Excluder::Create({"pub/(a+)+$"}));
  const std::string name = "pub/" + std::string(40, 'a') + "b";
  EXPECT_FALSE(e.Excluded(name));
  EXPECT_TRUE(e.MatchesEntryPattern(name));
  EXPECT_TRUE(e.Excluded("pub/aaa"));
  EXPECT_FALSE(e.MatchesEntryPattern("pub/aaab"));
}

// Standard excludes: '.*\.snapshot' and '.*/\.~tmp~' matched from the start of the full name;
// entry patterns match from the start too (re.match), not necessarily to the end.
TEST(UmdlConfigTest, ExcludesMatchFromTheStartOfTheFullName) {
  EXPECT_TRUE(Excluder::StandardExcluded("pub/x/.snapshot"));
  EXPECT_TRUE(Excluder::StandardExcluded("pub/x/a.snapshot/b"));
  EXPECT_TRUE(Excluder::StandardExcluded("pub/x/.~tmp~"));
  EXPECT_TRUE(Excluder::StandardExcluded("pub/.~tmp~x"));
  EXPECT_FALSE(Excluder::StandardExcluded(".~tmp~"));  // needs a '/' before it
  EXPECT_FALSE(Excluder::StandardExcluded("pub/x/snapshot"));
  EXPECT_FALSE(Excluder::StandardExcluded("pub/x\ny/.snapshot"));  // '.' is not a newline
  ASSERT_OK_AND_ASSIGN(Excluder e, Excluder::Create({"pub/epel/test", ".*/debug"}));
  EXPECT_TRUE(e.Excluded("pub/epel/testing/9"));  // a prefix match
  EXPECT_FALSE(e.Excluded("x/pub/epel/test"));    // anchored at the start
  EXPECT_TRUE(e.Excluded("pub/epel/9/x86_64/debug/tree"));
  EXPECT_TRUE(e.MatchesEntryPattern("pub/epel/9/x86_64/debug"));
  EXPECT_FALSE(e.MatchesEntryPattern("pub/epel/.snapshot"));
}

TEST(UmdlConfigTest, TypeErrorsNameTheKeyAndLine) {
  EXPECT_THAT(Load("UMDL_MASTER_DIRECTORIES = 'nope'\n"),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("test.cfg:1")));
  EXPECT_THAT(Load("\nMAX_STALE_DAYS = 'four'\n"),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("test.cfg:2")));
  EXPECT_THAT(Load("MAX_STALE_DAYS = 0\n"),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("a positive number of days")));
  EXPECT_THAT(Load("MAX_STALE_DAYS = -3\n"),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  // Any positive number, as upstream (no arbitrary ceiling).
  ASSERT_OK_AND_ASSIGN(UmdlConfig big, Load("MAX_STALE_DAYS = 100000\n"));
  EXPECT_EQ(big.max_stale_days, 100000);
  EXPECT_THAT(Load("UMDL_RSYNC_TIMEOUT = -1\n"),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mm::umdl
