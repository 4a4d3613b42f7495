#include "services/common/python_literal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace mm::common {
namespace {

using ::mm::testing::StatusIs;
using ::testing::HasSubstr;

PyValue ValueOf(const std::string& text) {
  auto parsed = ParsePythonAssignments("X = " + text + "\n", "t.cfg");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok() || parsed->empty()) return PyValue();
  return parsed->back().value;
}

std::string ErrorOf(const std::string& text) {
  auto parsed = ParsePythonAssignments(text, "bad.cfg");
  EXPECT_FALSE(parsed.ok()) << "parsed: " << text;
  return parsed.ok() ? "" : std::string(parsed.status().message());
}

TEST(PythonLiteralTest, StringsInEveryQuoteStyle) {
  EXPECT_EQ(ValueOf("'single'").as_string(), "single");
  EXPECT_EQ(ValueOf("\"double\"").as_string(), "double");
  EXPECT_EQ(ValueOf("'''tri\nple'''").as_string(), "tri\nple");
  EXPECT_EQ(ValueOf("\"\"\"tri\"ple\"\"\"").as_string(), "tri\"ple");
  EXPECT_EQ(ValueOf("r'^(?!ftp)(.*)$\\d'").as_string(), "^(?!ftp)(.*)$\\d");
  EXPECT_EQ(ValueOf("b'bytes'").as_string(), "bytes");
  EXPECT_EQ(ValueOf("u'unicode'").as_string(), "unicode");
  EXPECT_EQ(ValueOf("'a' 'b' \"c\"").as_string(), "abc");
  EXPECT_EQ(ValueOf("'tab\\there\\n\\x41\\u00e9\\U0001F600\\101'").as_string(),
            "tab\there\nA\xC3\xA9\xF0\x9F\x98\x80" "A");
  EXPECT_EQ(ValueOf("'keep\\qbackslash'").as_string(), "keep\\qbackslash");
}

TEST(PythonLiteralTest, Numbers) {
  EXPECT_EQ(ValueOf("42").as_int(), 42);
  EXPECT_EQ(ValueOf("-7").as_int(), -7);
  EXPECT_EQ(ValueOf("0x1F").as_int(), 31);
  EXPECT_EQ(ValueOf("0o17").as_int(), 15);
  EXPECT_EQ(ValueOf("0b101").as_int(), 5);
  EXPECT_EQ(ValueOf("1_000_000").as_int(), 1000000);
  EXPECT_DOUBLE_EQ(ValueOf("1.5").as_float(), 1.5);
  EXPECT_DOUBLE_EQ(ValueOf(".5e1").as_float(), 5.0);
  EXPECT_EQ(ValueOf("60 * 60 * 24").as_int(), 86400);
  EXPECT_EQ(ValueOf("7 // 2").as_int(), 3);
  EXPECT_EQ(ValueOf("-7 // 2").as_int(), -4);
  EXPECT_EQ(ValueOf("-7 % 3").as_int(), 2);
  EXPECT_DOUBLE_EQ(ValueOf("7 / 2").as_float(), 3.5);
}

TEST(PythonLiteralTest, ConstantsAndContainers) {
  EXPECT_TRUE(ValueOf("True").as_bool());
  EXPECT_FALSE(ValueOf("False").as_bool());
  EXPECT_TRUE(ValueOf("None").is_none());
  PyValue list = ValueOf("['a', 1, [2, 3],]");
  ASSERT_EQ(list.kind(), PyValue::Kind::kList);
  EXPECT_EQ(list.Repr(), "['a', 1, [2, 3]]");
  EXPECT_EQ(ValueOf("('one',)").Repr(), "('one',)");
  EXPECT_EQ(ValueOf("()").kind(), PyValue::Kind::kTuple);
  EXPECT_EQ(ValueOf("('x')").kind(), PyValue::Kind::kString);
  PyValue dict = ValueOf("{'live': 'a.b', 'ready': 2, 'live': 'c'}");
  ASSERT_EQ(dict.kind(), PyValue::Kind::kDict);
  EXPECT_EQ(dict.dict().size(), 2u);
  EXPECT_EQ(dict.Get("live")->as_string(), "c");
  EXPECT_EQ(ValueOf("{'a', 'b', 'a'}").Repr(), "['a', 'b']");
  EXPECT_EQ(ValueOf("['a'] + ['b']").Repr(), "['a', 'b']");
  EXPECT_EQ(ValueOf("'ab' * 2").as_string(), "abab");
}

TEST(PythonLiteralTest, MultiLineBracketsCommentsAndImports) {
  auto parsed = ParsePythonAssignments(R"cfg(# leading comment
import os
from datetime import timedelta  # trailing
UMDL_MASTER_DIRECTORIES = [
    {   # the Fedora Linux tree
        "type": "directory",
        "path": "/srv/pub/fedora/linux/",
        "category": "Fedora Linux",
    },
]
LONG = "a" \
    "b"
SHORT = 1; OTHER = 2
)cfg",
                                       "mm.cfg");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].key, "UMDL_MASTER_DIRECTORIES");
  EXPECT_EQ((*parsed)[0].line, 4);
  EXPECT_EQ((*parsed)[0].value.items()[0].Get("category")->as_string(), "Fedora Linux");
  EXPECT_EQ((*parsed)[1].value.as_string(), "ab");
  EXPECT_EQ((*parsed)[1].line, 11);
}

TEST(PythonLiteralTest, CallsAndReferences) {
  EXPECT_EQ(ValueOf("timedelta(hours=1)").as_int(), 3600);
  EXPECT_EQ(ValueOf("datetime.timedelta(days=1, minutes=1)").as_int(), 86460);
  EXPECT_EQ(ValueOf("timedelta(0, 30)").as_int(), 30);
  EXPECT_EQ(ValueOf("os.path.join('/srv', 'pub', 'fedora')").as_string(), "/srv/pub/fedora");
  EXPECT_EQ(ValueOf("os.path.join('/srv', '/abs')").as_string(), "/abs");
  EXPECT_EQ(ValueOf("dict(a=1)").Get("a")->as_int(), 1);
  EXPECT_EQ(ValueOf("int('12')").as_int(), 12);
  EXPECT_EQ(ValueOf("os.getenv('MM_SURELY_UNSET_VARIABLE', 'dflt')").as_string(), "dflt");
  auto parsed = ParsePythonAssignments("BASE = '/srv'\nPATH = BASE + '/pub'\n", "r.cfg");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)[1].value.as_string(), "/srv/pub");
}

TEST(PythonLiteralTest, ErrorsNameFileAndLine) {
  EXPECT_EQ(ErrorOf("A = 1\nB = 'unterminated\n"), "bad.cfg:2: unterminated string literal");
  EXPECT_EQ(ErrorOf("A = [1,\n2,\n"), "bad.cfg:1: unclosed bracket");
  EXPECT_THAT(ErrorOf("A = 1\n\nB = undefined_name\n"), HasSubstr("bad.cfg:3: name 'undefined_name' is not defined"));
  EXPECT_THAT(ErrorOf("A = f'x'\n"), HasSubstr("bad.cfg:1: f-strings"));
  EXPECT_THAT(ErrorOf("if True:\n  A = 1\n"), HasSubstr("bad.cfg:1: 'if' statements are not supported"));
  EXPECT_THAT(ErrorOf("A = 1\n  B = 2\n"), HasSubstr("bad.cfg:2: unexpected indent"));
  EXPECT_THAT(ErrorOf("A = 1 2\n"), HasSubstr("bad.cfg:1: unexpected 'number'"));
  EXPECT_THAT(ErrorOf("A = ]\n"), HasSubstr("bad.cfg:1: unmatched ']'"));
  EXPECT_THAT(ErrorOf("A = 99999999999999999999\n"), HasSubstr("integer literal too large"));
  EXPECT_THAT(ErrorOf("A = 1 / 0\n"), HasSubstr("division by zero"));
  EXPECT_THAT(ErrorOf("A = os.system('rm -rf /')\n"), HasSubstr("unsupported function 'os.system'"));
  EXPECT_THAT(ErrorOf("A = [x for x in y]\n"), HasSubstr("not defined"));
  EXPECT_THAT(ErrorOf("A = 'a' * 100000000\n"), HasSubstr("too large"));
  EXPECT_THAT(ErrorOf("A = 1 +\n"), HasSubstr("bad.cfg:1: expected a value"));
  EXPECT_THAT(ErrorOf("= 1\n"), HasSubstr("bad.cfg:1: expected 'KEY = value'"));
}

TEST(PythonLiteralTest, DeepNestingIsRefusedNotACrash) {
  std::string deep = "A = " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  EXPECT_THAT(ParsePythonAssignments(deep, "deep.cfg"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested too deeply")));
  std::string minus = "A = " + std::string(10000, '-') + "1\n";
  EXPECT_THAT(ParsePythonAssignments(minus, "deep.cfg"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested too deeply")));
}

TEST(PythonLiteralTest, ExpressionParserForEnvironmentValues) {
  EXPECT_EQ(ParsePythonExpression("5")->as_int(), 5);
  EXPECT_EQ(ParsePythonExpression("['a', 'b']")->items().size(), 2u);
  EXPECT_FALSE(ParsePythonExpression("postgresql://x").ok());
  EXPECT_FALSE(ParsePythonExpression("fas").ok());
}

}  // namespace
}  // namespace mm::common
