#include "services/common/python_literal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

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
            "tab\there\nA\xC3\xA9\xF0\x9F\x98\x80"
            "A");
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
  EXPECT_THAT(ErrorOf("A = 1\n\nB = undefined_name\n"),
              HasSubstr("bad.cfg:3: name 'undefined_name' is not defined"));
  EXPECT_THAT(ErrorOf("A = f'x'\n"), HasSubstr("bad.cfg:1: f-strings"));
  EXPECT_THAT(ErrorOf("if True:\n  A = 1\n"),
              HasSubstr("bad.cfg:1: 'if' statements are not supported"));
  EXPECT_THAT(ErrorOf("A = 1\n  B = 2\n"), HasSubstr("bad.cfg:2: unexpected indent"));
  EXPECT_THAT(ErrorOf("A = 1 2\n"), HasSubstr("bad.cfg:1: unexpected 'number'"));
  EXPECT_THAT(ErrorOf("A = ]\n"), HasSubstr("bad.cfg:1: unmatched ']'"));
  EXPECT_THAT(ErrorOf("A = 99999999999999999999\n"), HasSubstr("integer literal too large"));
  EXPECT_THAT(ErrorOf("A = 1 / 0\n"), HasSubstr("division by zero"));
  EXPECT_THAT(ErrorOf("A = os.system('rm -rf /')\n"),
              HasSubstr("unsupported function 'os.system'"));
  EXPECT_THAT(ErrorOf("A = [x for x in y]\n"), HasSubstr("not defined"));
  EXPECT_THAT(ErrorOf("A = 'a' * 100000000\n"), HasSubstr("too large"));
  EXPECT_THAT(ErrorOf("A = 1 +\n"), HasSubstr("bad.cfg:1: expected a value"));
  EXPECT_THAT(ErrorOf("= 1\n"), HasSubstr("bad.cfg:1: expected 'KEY = value'"));
}

TEST(PythonLiteralTest, RawAndBytesPrefixesInEveryCase) {
  EXPECT_EQ(ValueOf("rb'\\d+'").as_string(), "\\d+");
  EXPECT_EQ(ValueOf("Rb'\\d'").as_string(), "\\d");
  EXPECT_EQ(ValueOf("bR'\\d'").as_string(), "\\d");
  EXPECT_EQ(ValueOf("BR\"\\n\"").as_string(), "\\n");
  EXPECT_EQ(ValueOf("b'\\x00\\xff'").as_string(), std::string("\x00\xff", 2));
  // Raw triple-quoted strings keep backslashes and newlines; \' does not end them.
  EXPECT_EQ(ValueOf("r'''a\\'b\n\\d'''").as_string(), "a\\'b\n\\d");
  EXPECT_EQ(ValueOf("r\"\"\"^(?!ftp)\n(.*)$\"\"\"").as_string(), "^(?!ftp)\n(.*)$");
  EXPECT_EQ(ValueOf("'''one\\\ntwo'''").as_string(), "onetwo");  // backslash-newline joins
}

TEST(PythonLiteralTest, LineNumbersCountLinesInsideMultiLineStrings) {
  auto parsed = ParsePythonAssignments(
      "A = '''one\ntwo\nthree'''\nB = r\"\"\"x\\\ny\"\"\"\n"
      "C = ('p'\n     'q')\nD = 1\n",
      "m.cfg");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].line, 1);
  EXPECT_EQ((*parsed)[1].line, 4);
  EXPECT_EQ((*parsed)[1].value.as_string(), "x\\\ny");
  EXPECT_EQ((*parsed)[2].line, 6);
  EXPECT_EQ((*parsed)[3].line, 8);
  EXPECT_EQ(ErrorOf("A = '''one\ntwo'''\nB = nope\n"), "bad.cfg:3: name 'nope' is not defined");
}

TEST(PythonLiteralTest, BareTuplesChainedAndAugmentedAssignments) {
  EXPECT_EQ(ValueOf("'a', 'b'").Repr(), "('a', 'b')");
  EXPECT_EQ(ValueOf("'a',").Repr(), "('a',)");
  EXPECT_EQ(ValueOf("1, (2, 3), [4],").Repr(), "(1, (2, 3), [4])");
  auto parsed = ParsePythonAssignments(
      "A = B = 'x'\nL = ['a']\nL += ['b']\nL += ('c',)\nT = ('a',)\nT += ('b',)\n"
      "N = 2\nN *= 3\nN -= 1\nN //= 2\nS = 'ab'\nS += 'c'; S *= 2\nP = 'v%s'\nP %= 7\n",
      "aug.cfg");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::map<std::string, PyValue> last;
  for (const auto& a : *parsed) last[a.key] = a.value;
  EXPECT_EQ(last["A"].as_string(), "x");
  EXPECT_EQ(last["B"].as_string(), "x");
  EXPECT_EQ((*parsed)[1].key, "B");
  EXPECT_EQ((*parsed)[1].line, 1);
  EXPECT_EQ(last["L"].Repr(), "['a', 'b', 'c']");
  EXPECT_EQ(last["T"].Repr(), "('a', 'b')");
  EXPECT_EQ(last["N"].as_int(), 2);
  EXPECT_EQ(last["S"].as_string(), "abcabc");
  EXPECT_EQ(last["P"].as_string(), "v7");
  // += on a key defined before this file (a default).
  PyValue dflt = PyValue::MakeList({PyValue::String("sysadmin-main")});
  PyNameLookup names = [&](std::string_view n) -> const PyValue* {
    return n == "ADMIN_GROUP" ? &dflt : nullptr;
  };
  auto with_default = ParsePythonAssignments("ADMIN_GROUP += ['web']\n", "d.cfg", names);
  ASSERT_TRUE(with_default.ok()) << with_default.status();
  EXPECT_EQ((*with_default)[0].value.Repr(), "['sysadmin-main', 'web']");
  EXPECT_EQ(ErrorOf("X += [1]\n"), "bad.cfg:1: name 'X' is not defined");
  EXPECT_EQ(ErrorOf("X = 1\nX |= 2\n"), "bad.cfg:2: augmented assignment '|=' is not supported");
  EXPECT_EQ(ErrorOf("X = [1]\nX += 2\n"), "bad.cfg:2: 'int' object is not iterable");
  EXPECT_EQ(ErrorOf("True = 1\n"), "bad.cfg:1: cannot assign to True");
  EXPECT_THAT(ErrorOf("X = {}\nX['k'] = 1\n"),
              HasSubstr("bad.cfg:2: only plain 'KEY = value' assignments"));
}

TEST(PythonLiteralTest, PercentFormatting) {
  auto parsed = ParsePythonAssignments(
      "HOST = 'db'\nPORT = 5432\nURI = 'postgresql://mm@%s:%d/mm' % (HOST, PORT)\n"
      "ONE = '%s/pub' % HOST\nPCT = '100%% of %r' % 'x'\nMAP = '%(h)s-%(p)i' % {'h': HOST, 'p': "
      "1.9}\n"
      "LST = 'list: %s' % [1, 'a']\nB = '%d' % True\n",
      "fmt.cfg");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)[2].value.as_string(), "postgresql://mm@db:5432/mm");
  EXPECT_EQ((*parsed)[3].value.as_string(), "db/pub");
  EXPECT_EQ((*parsed)[4].value.as_string(), "100% of 'x'");
  EXPECT_EQ((*parsed)[5].value.as_string(), "db-1");
  EXPECT_EQ((*parsed)[6].value.as_string(), "list: [1, 'a']");
  EXPECT_EQ((*parsed)[7].value.as_string(), "1");
  EXPECT_EQ(ValueOf("'%s' % ((1, 2),)").as_string(), "(1, 2)");
  EXPECT_EQ(ErrorOf("A = '%s %s' % ('x',)\n"), "bad.cfg:1: not enough arguments for format string");
  EXPECT_EQ(ErrorOf("A = '%s' % ('x', 'y')\n"),
            "bad.cfg:1: not all arguments converted during string formatting");
  EXPECT_EQ(ErrorOf("A = '%d' % 'x'\n"),
            "bad.cfg:1: %d format: a real number is required, not str");
  EXPECT_EQ(ErrorOf("A = '%05.1f' % 1\n"),
            "bad.cfg:1: unsupported format '%0' (supported: %s, %r, %d, %i, %(name)s and %%)");
  EXPECT_EQ(ErrorOf("A = 'x%' % ()\n"), "bad.cfg:1: incomplete format");
  EXPECT_EQ(ErrorOf("A = 5 % 'x'\n"),
            "bad.cfg:1: unsupported operand types for %: 'int' and 'str'");
}

TEST(PythonLiteralTest, StrFormatSubscriptsAndEnviron) {
  EXPECT_EQ(ValueOf("'{}/{}'.format('a', 1)").as_string(), "a/1");
  EXPECT_EQ(ValueOf("'{1}{0}{{x}}'.format('a', 'b')").as_string(), "ba{x}");
  EXPECT_EQ(ValueOf("'{root}/pub'.format(root='/srv')").as_string(), "/srv/pub");
  EXPECT_EQ(ValueOf("{'a': [10, 20]}['a'][-1]").as_int(), 20);
  EXPECT_EQ(ValueOf("('x', 'y')[0]").as_string(), "x");
  EXPECT_EQ(ErrorOf("A = '{:>5}'.format(1)\n"),
            "bad.cfg:1: format field ':>5' is not supported (only {}, {0} and {name})");
  EXPECT_EQ(ErrorOf("A = '{}{}'.format(1)\n"), "bad.cfg:1: replacement index 1 out of range");
  EXPECT_EQ(ErrorOf("A = 'x'.upper()\n"),
            "bad.cfg:1: str.upper() is not supported (only str.format() is)");
  EXPECT_EQ(ErrorOf("A = [1][5]\n"), "bad.cfg:1: list index out of range");
  EXPECT_EQ(ErrorOf("A = [1, 2][0:1]\n"), "bad.cfg:1: slices are not supported");
  EXPECT_EQ(ErrorOf("A = {'a': 1}['b']\n"), "bad.cfg:1: key 'b' is not in the dict");
  EXPECT_EQ(ErrorOf("A = 5[0]\n"), "bad.cfg:1: 'int' object is not subscriptable");
  EXPECT_EQ(ErrorOf("A = 'x'.real\n"), "bad.cfg:1: attribute access ('.real') is not supported");

  PyEnvLookup env = [](const std::string& name) -> const char* {
    return name == "DB_PASSWORD" ? "s3cret" : nullptr;
  };
  auto parsed = ParsePythonAssignments(
      "import os\nPW = os.environ['DB_PASSWORD']\n"
      "URI = 'postgresql://mm:%s@db/mm' % os.environ[\"DB_PASSWORD\"]\n"
      "OPT = os.environ.get('UNSET', 'd')\n",
      "env.cfg", nullptr, env);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)[0].value.as_string(), "s3cret");
  EXPECT_EQ((*parsed)[1].value.as_string(), "postgresql://mm:s3cret@db/mm");
  EXPECT_EQ((*parsed)[2].value.as_string(), "d");
  auto unset =
      ParsePythonAssignments("import os\n\nPW = os.environ['MISSING']\n", "env.cfg", nullptr, env);
  EXPECT_THAT(unset, StatusIs(absl::StatusCode::kInvalidArgument,
                              "env.cfg:3: environment variable 'MISSING' is not set (use "
                              "os.environ.get() for a default)"));
  EXPECT_EQ(ErrorOf("A = os.environ\n"),
            "bad.cfg:1: os.environ can only be read as os.environ['NAME'] or os.environ.get(...)");
}

// Every malformed shape ends in exactly one line "<file>:<line>: <message>": the right line, no
// newline and no raw control byte.
TEST(PythonLiteralTest, EveryMalformedShapeGivesOneLineWithFileAndLine) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"A = 1\nB = 'unterminated\n", 2},
      {"A = 1\nB = '''never\nclosed\n", 2},
      {"A = 1\nB = r'''x\\'''\n", 2},
      {"A = [1,\n2,\n", 1},
      {"A = (1,\n2]\n", 2},
      {"A = {'a' 1}\n", 1},
      {"A = {'a': 1,,}\n", 1},
      {"A = 1\n\nB = undefined_name\n", 3},
      {"A = f'x'\n", 1},
      {"if True:\n  A = 1\n", 1},
      {"A = 1\n  B = 2\n", 2},
      {"A = 1 2\n", 1},
      {"A = ]\n", 1},
      {"A = 99999999999999999999\n", 1},
      {"A = 0x\n", 1},
      {"A = 1e\n", 1},
      {"A = 012\n", 1},
      {"A = 1j\n", 1},
      {"A = 1 / 0\n", 1},
      {"A = os.system('rm -rf /')\n", 1},
      {"A = [x for x in y]\n", 1},
      {"A = 'a' * 100000000\n", 1},
      {"A = 1 +\n", 1},
      {"= 1\n", 1},
      {"A\n", 1},
      {"A == 1\n", 1},
      {"A = B = \n", 1},
      {"def f():\n  pass\n", 1},
      {"A = lambda: 1\n", 1},
      {"A = '\\x4'\n", 1},
      {"A = '\\N{DASH}'\n", 1},
      {"A = '\\ud800'\n", 1},
      {"A = b'\xc3\xa9'\n", 1},
      {"A = 'a' b'b'\n", 1},
      {"A = {[1]: 2}\n", 1},
      {"A = timedelta(fortnights=1)\n", 1},
      {"A = int('x')\n", 1},
      {"A = 1\nB = $\n", 2},
      {"A = 1\nB = \x01\n", 2},
      {std::string("A = 1\nB = \0\n", 12), 2},
      {"A = 1\nB = \xff\n", 2},
      {"A = -'x'\n", 1},
      {"A = 'x' - 1\n", 1},
      {"A = 1 ** 2\n", 1},
      {"A = dict(1)\n", 1},
      {"A = os.path.join(1)\n", 1},
      {"A = 'x' % 1\n", 1},
      {"A = '%(k)s' % 1\n", 1},
      {"x.y = 1\n", 1},
      {"A = (\n", 1},
      {"A = 1 \\\n", 1},
  };
  for (const auto& [text, line] : cases) {
    auto parsed = ParsePythonAssignments(text, "bad.cfg");
    ASSERT_FALSE(parsed.ok()) << "parsed: " << ::testing::PrintToString(text);
    std::string msg(parsed.status().message());
    EXPECT_THAT(msg, ::testing::StartsWith("bad.cfg:" + std::to_string(line) + ": "))
        << ::testing::PrintToString(text) << " -> " << msg;
    for (unsigned char c : msg) {
      EXPECT_TRUE(c >= 0x20 && c != 0x7f) << ::testing::PrintToString(text) << " -> " << msg;
    }
  }
  EXPECT_EQ(ErrorOf(std::string("A = 1\nB = \0\n", 12)), "bad.cfg:2: unexpected character '\\x00'");
  EXPECT_EQ(ErrorOf("A = '''never\nclosed\n"),
            "bad.cfg:1: unterminated triple-quoted string literal");
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
