// Python `re` semantics over PCRE2 (services/common/python_regex.h). The expected answers of the
// table are Python 3.11's: re.match(pattern, name) with the name decoded as os.fsdecode() does
// (UTF-8, invalid bytes as surrogate escapes).
#include "services/common/python_regex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/status_matchers.h"

namespace mm::common {
namespace {

using ::mm::testing::StatusIs;
using ::testing::HasSubstr;

MATCHER_P(IsOkAndHolds, value, "is OK and holds " + ::testing::PrintToString(value)) {
  if (!arg.ok()) {
    *result_listener << "status: " << arg.status();
    return false;
  }
  *result_listener << "value: " << *arg;
  return *arg == value;
}

struct Case {
  const char* pattern;
  std::string text;
  bool match;
};

class PythonRegexTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(PythonRegexTableTest, MatchesAsPythonDoes) {
  const Case& c = GetParam();
  ASSERT_OK_AND_ASSIGN(PythonRegex re, PythonRegex::Compile(c.pattern));
  ASSERT_OK_AND_ASSIGN(bool m, re.Match(c.text));
  EXPECT_EQ(m, c.match) << "pattern '" << c.pattern << "' on '" << c.text << "'";
}

INSTANTIATE_TEST_SUITE_P(
    PythonSyntax, PythonRegexTableTest,
    ::testing::Values(
        // Python-only syntax std::regex (ECMAScript) refused.
        Case{R"((?P<arch>x86_64|aarch64)/(?P=arch))", "x86_64/x86_64", true},
        Case{R"((?P<arch>x86_64|aarch64)/(?P=arch))", "x86_64/aarch64", false},
        Case{R"((?i)pub/EPEL/testing)", "pub/epel/Testing/9", true},
        Case{R"(pub/(?i:EPEL)/x)", "pub/epel/x", true},
        Case{R"(pub/(?i:EPEL)/x)", "pub/epel/X", false},
        Case{"(?x) pub / epel  # the EPEL tree [\n / testing", "pub/epel/testing", true},
        Case{R"(.*(?<!debug)/repodata)", "a/b/repodata", true},
        Case{R"(.*(?<!debug)/repodata)", "a/debug/repodata", false},
        Case{R"(\Apub/alt)", "pub/alt/x", true}, Case{R"(pub/(?#comment [)alt)", "pub/alt", true},
        // \Z is the very end in Python; $ also matches before a final newline.
        Case{R"(.*\.iso\Z)", "a/b.iso", true}, Case{R"(.*\.iso\Z)", "a/b.iso\n", false},
        Case{R"(.*\.iso$)", "a/b.iso\n", true},
        // Quantifiers PCRE2 10.42 would take literally; '{}' is literal in both.
        Case{R"(a{,2}b)", "aab", true}, Case{R"(a{,2}b)", "aaab", false},
        Case{R"(a{,}b)", "aaab", true}, Case{R"(a{})", "a{}", true},
        // '[' in a class is literal in Python (no POSIX classes).
        Case{R"([[:alpha:]])", "p]", true}, Case{R"([[:alpha:]])", "p", false},
        Case{R"(\u00e9t\u00e9)", "\xc3\xa9t\xc3\xa9", true},
        Case{R"(\U0001F600)", "\xf0\x9f\x98\x80", true},
        // Characters, not bytes; Unicode classes and case folding unless (?a).
        Case{R"(\w+/x)", "caf\xc3\xa9/x", true}, Case{R"((?a)\w+/x)", "caf\xc3\xa9/x", false},
        Case{R"((?u)\w+/x)", "caf\xc3\xa9/x", true}, Case{R"(.{4}/)", "caf\xc3\xa9/", true},
        Case{"(?i)CAF\xc3\x89", "caf\xc3\xa9", true}, Case{R"(\d)", "\xd9\xa3", true},
        // Names that are not UTF-8: one character per invalid byte.
        Case{R"(.*\.snapshot)", "pub/\xff/.snapshot", true}, Case{R"(pub/./x)", "pub/\xff/x", true},
        Case{R"(pub/\w/x)", "pub/\xff/x", false}, Case{R"(pub/\W/x)", "pub/\xff/x", true},
        Case{R"(pub/[^/]+/x)", "pub/\xff\xfe/x", true}, Case{R"(pub/./x)", "pub/\xff\xfe/x", false},
        Case{R"(pub/../x)", "pub/\xe2\x82/x", true}, Case{R"(pub/.\.x)", "pub/\xc3\xa9.x", true},
        // re.match: anchored at the start only.
        Case{"pub/epel/test", "pub/epel/testing/9", true},
        Case{"pub/epel/test", "x/pub/epel/test", false}, Case{"", "anything", true}));

TEST(PythonRegexTest, SearchFindsAMatchAnywhere) {
  ASSERT_OK_AND_ASSIGN(PythonRegex re, PythonRegex::Compile(R"(/debug(/|\Z))"));
  EXPECT_THAT(re.Match("pub/x/debug/tree"), IsOkAndHolds(false));
  EXPECT_THAT(re.Search("pub/x/debug/tree"), IsOkAndHolds(true));
  EXPECT_THAT(re.Search("pub/x/debug"), IsOkAndHolds(true));
  EXPECT_THAT(re.Search("pub/x/debug\n"), IsOkAndHolds(false));
  EXPECT_THAT(re.Search("pub/x/debuginfo"), IsOkAndHolds(false));
  EXPECT_EQ(re.pattern(), R"(/debug(/|\Z))");
}

TEST(PythonRegexTest, TranslationRewritesOnlyWhatDiffers) {
  ASSERT_OK_AND_ASSIGN(TranslatedRegex t, TranslatePythonRegex(R"(a\Z[\Z[]x{,3}y{2,}\u00e9)"));
  EXPECT_EQ(t.pcre2, R"(a\z[\Z\[]x{0,3}y{2,}\x{00e9})");
  EXPECT_FALSE(t.ascii);
  ASSERT_OK_AND_ASSIGN(t, TranslatePythonRegex("(?ai)(?u)x(?u:y)(?i-s:z)"));
  EXPECT_EQ(t.pcre2, "(?i)x(?:y)(?i-s:z)");
  EXPECT_TRUE(t.ascii);
  // Verbose comments and (?#...) are copied untouched: no class starts inside them.
  ASSERT_OK_AND_ASSIGN(t, TranslatePythonRegex("(?x)a # [\\Z\nb(?#[)"));
  EXPECT_EQ(t.pcre2, "(?x)a # [\\Z\nb(?#[)");
  // Verbose mode ends with its group.
  ASSERT_OK_AND_ASSIGN(t, TranslatePythonRegex("(?x:a )# [\\Z]"));
  EXPECT_EQ(t.pcre2, "(?x:a )# [\\Z]");
}

TEST(PythonRegexTest, UnsupportedAndInvalidPatternsAreClearErrors) {
  EXPECT_THAT(PythonRegex::Compile(R"(\N{LATIN SMALL LETTER E WITH ACUTE})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\\N{...}")));
  EXPECT_THAT(PythonRegex::Compile("(?L)x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'L' flag")));
  EXPECT_THAT(PythonRegex::Compile("(?a:x)"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only at the start")));
  EXPECT_THAT(PythonRegex::Compile("x(?a)"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only at the start")));
  EXPECT_THAT(PythonRegex::Compile("(?au)x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("incompatible")));
  EXPECT_THAT(PythonRegex::Compile("(?-u:x)"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot turn off")));
  EXPECT_THAT(PythonRegex::Compile(R"(\u12)"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("incomplete escape \\u")));
  EXPECT_THAT(PythonRegex::Compile(R"(\U00110000)"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad escape \\U")));
  EXPECT_THAT(PythonRegex::Compile("(unclosed"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at offset 9")));
  // Offsets are the user's, not the translated pattern's (\u00e9 became \x{00e9}).
  EXPECT_THAT(PythonRegex::Compile(R"(\u00e9*+*)"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at offset 8")));
  EXPECT_THAT(PythonRegex::Compile("[a"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PythonRegex::Compile("\xff"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(PythonRegex::Compile(std::string(PythonRegex::kMaxPatternBytes + 1, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("longer than")));
}

// Catastrophic backtracking stops at the match limit with a clear error instead of running
// for ages (Python needs about 2^40 steps here).
TEST(PythonRegexTest, PathologicalPatternsHitTheMatchLimit) {
  const std::string name = std::string(40, 'a') + "b";
  for (const char* p : {"(a+)+$", "(a|aa)+$", "(?:a*)*c"}) {
    ASSERT_OK_AND_ASSIGN(PythonRegex re, PythonRegex::Compile(p));
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<bool> m = re.Match(name);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::seconds(5)) << p;
    if (m.ok()) {
      EXPECT_FALSE(*m) << p;  // PCRE2 saw through it
    } else {
      EXPECT_THAT(m, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("limit"))) << p;
      EXPECT_THAT(m.status().message(), HasSubstr(p));
    }
  }
  ASSERT_OK_AND_ASSIGN(PythonRegex re, PythonRegex::Compile("(a+)+$"));
  EXPECT_THAT(re.Match(name), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(re.Match(std::string(40, 'a')), IsOkAndHolds(true));
}

// std::regex recursed per character and overflowed the stack on long names.
TEST(PythonRegexTest, LongNamesAreMatchedWithoutRecursion) {
  std::string name;
  for (int i = 0; i < 2000; ++i) name += "dir/";
  name += "x";
  ASSERT_OK_AND_ASSIGN(PythonRegex re, PythonRegex::Compile("(?:[^/]+/)*x$"));
  EXPECT_THAT(re.Match(name), IsOkAndHolds(true));
  ASSERT_OK_AND_ASSIGN(PythonRegex alt, PythonRegex::Compile("(a|b)*c"));
  std::string long_ab;
  for (int i = 0; i < 500000; ++i) long_ab += "ab";
  absl::StatusOr<bool> m = alt.Match(long_ab);
  if (m.ok()) {
    EXPECT_FALSE(*m);
  } else {
    EXPECT_THAT(m, StatusIs(absl::StatusCode::kResourceExhausted));
  }
}

TEST(PythonRegexTest, CopiesShareCodeAndThreadsMatchConcurrently) {
  ASSERT_OK_AND_ASSIGN(PythonRegex re, PythonRegex::Compile(R"((?i).*/(debug|source)(/|\Z))"));
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([copy = re, &wrong, t] {
      for (int i = 0; i < 2000; ++i) {
        const bool want = i % 2 == 0;
        const std::string name =
            want ? "pub/" + std::to_string(i) + "/DEBUG/x" : "pub/" + std::to_string(i) + "/x";
        auto m = copy.Match(name);
        if (!m.ok() || *m != want) ++wrong[t];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace mm::common
