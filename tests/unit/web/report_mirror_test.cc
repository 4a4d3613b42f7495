#include "tools/report_mirror/report_mirror.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace mm::report_mirror {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Expected values are what Python 3.11's configparser.ConfigParser() answers for the same text.
std::string Get(const Ini& ini, const std::string& section, const std::string& option) {
  auto v = ini.Get(section, option);
  return v.ok() ? *v : "ERR " + std::string(v.status().message());
}

TEST(ReportMirrorTest, ParsesConfigParserSyntax) {
  auto ini = ParseIni(
      "# top\n[global]\nEnabled = 1\nserver: http://x/xmlrpc\n; c\n[stats]\napache=/a\n  /b\n\n"
      "[Fedora Linux]\nenabled=1\npath=/p\n",
      "t.conf");
  ASSERT_TRUE(ini.ok()) << ini.status();
  ASSERT_EQ(ini->sections.size(), 3u);
  EXPECT_EQ(Get(*ini, "global", "enabled"), "1") << "keys are lower-cased";
  EXPECT_EQ(Get(*ini, "global", "server"), "http://x/xmlrpc");
  EXPECT_EQ(Get(*ini, "stats", "apache"), "/a\n/b");
  EXPECT_EQ(Get(*ini, "Fedora Linux", "path"), "/p");
  EXPECT_EQ(ini->sections[2].name, "Fedora Linux") << "section names keep their case";
}

TEST(ReportMirrorTest, MultiLineValuesLikeConfigParser) {
  // Blank lines stay inside a value (empty_lines_in_values), comment lines do not, trailing
  // blank lines are dropped; a line is a continuation when indented deeper than its option.
  auto ini = ParseIni("[a]\nk = v1\n\n  more\n# c\n  last\n\n[b]\nx:1\n", "t.conf");
  ASSERT_TRUE(ini.ok()) << ini.status();
  EXPECT_EQ(Get(*ini, "a", "k"), "v1\n\nmore\nlast");
  EXPECT_EQ(Get(*ini, "b", "x"), "1");
  auto indented = ParseIni("[s]\n  k = v\n    cont\n", "t.conf");
  EXPECT_EQ(Get(*indented, "s", "k"), "v\ncont");
  auto inline_semicolon = ParseIni("[s]\nk=v ; not a comment\n  ; comment\n  cont\n", "t.conf");
  EXPECT_EQ(Get(*inline_semicolon, "s", "k"), "v ; not a comment\ncont");
  auto header_as_value = ParseIni("[a]\nk=v\n  [b]\n", "t.conf");
  EXPECT_EQ(Get(*header_as_value, "a", "k"), "v\n[b]");
  EXPECT_EQ(header_as_value->sections.size(), 1u);
  auto greedy_header = ParseIni("[a] trailing\nk=v\n", "t.conf");
  ASSERT_TRUE(greedy_header.ok());
  EXPECT_EQ(greedy_header->sections[0].name, "a");
}

TEST(ReportMirrorTest, DefaultSectionAndInterpolation) {
  auto ini = ParseIni("[DEFAULT]\nenabled=1\nbase=/srv\n[s]\npath=%(BASE)s/x\npct=50%%\n", "t");
  ASSERT_TRUE(ini.ok()) << ini.status();
  ASSERT_EQ(ini->sections.size(), 1u) << "[DEFAULT] is not a section";
  EXPECT_TRUE(ini->Has("s", "enabled"));
  EXPECT_EQ(Get(*ini, "s", "enabled"), "1");
  EXPECT_EQ(Get(*ini, "s", "path"), "/srv/x");
  EXPECT_EQ(Get(*ini, "s", "pct"), "50%");
  EXPECT_EQ(Get(*ParseIni("[s]\nbad=50%x\n", "t"), "s", "bad"),
            "ERR '%' must be followed by '%' or '(', found: '%x'");
  EXPECT_EQ(Get(*ParseIni("[s]\nbad=%(nope)s\n", "t"), "s", "bad"),
            "ERR Bad value substitution: option 'bad' in section 's' contains an interpolation "
            "key 'nope' which is not a valid option name. Raw value: '%(nope)s'");
  EXPECT_EQ(Get(*ParseIni("[s]\na=%(b)s\nb=%(a)s\n", "t"), "s", "a"),
            "ERR Recursion limit exceeded in value substitution: option 'a' in section 's' "
            "contains an interpolation key which cannot be substituted in 10 steps. Raw value: "
            "'%(b)s'");
  EXPECT_EQ(Get(*ParseIni("[s]\nbad=%(x\n", "t"), "s", "bad"),
            "ERR bad interpolation variable reference '%(x'");
}

TEST(ReportMirrorTest, ConfigParserErrors) {
  auto message = [](const std::string& text) {
    auto ini = ParseIni(text, "t.conf");
    return ini.ok() ? std::string("ok") : std::string(ini.status().message());
  };
  EXPECT_EQ(message("[s]\nk=1\n[s]\n"),
            "While reading from 't.conf' [line  3]: section 's' already exists");
  EXPECT_EQ(message("[s]\nk=1\nK=2\n"),
            "While reading from 't.conf' [line  3]: option 'k' in section 's' already exists");
  EXPECT_EQ(message("k=1\n"),
            "File contains no section headers.\nfile: 't.conf', line: 1\n'k=1\\n'");
  EXPECT_EQ(message("[s]\nnovalue\n=x\n"),
            "Source contains parsing errors: 't.conf'\n\t[line  2]: 'novalue\\n'\n\t[line  3]: "
            "'=x\\n'");
  EXPECT_EQ(message("[]\n"), "File contains no section headers.\nfile: 't.conf', line: 1\n'[]\\n'");
  EXPECT_EQ(message(std::string(2u << 20, '#')), "t.conf is larger than 1048576 bytes");
}

TEST(ReportMirrorTest, ExcludesIgnoreBlankLinesAndComments) {
  EXPECT_THAT(ParseExcludes("# c\n\n  \nfoo\n/bar/\n  # indented comment\n  baz  \n"),
              ElementsAre("foo", "/bar/", "baz"))
      << "lines are stripped on both sides, as upstream's line.strip()";
}

TEST(ReportMirrorTest, WalkPrunesBySubstringAndSkipsSymlinks) {
  char tmpl[] = "/tmp/rm_walk.XXXXXX";
  std::string root = mkdtemp(tmpl);
  ASSERT_EQ(
      std::system(("mkdir -p " + root + "/a/b/c " + root + "/a/skip/x " + root + "/d").c_str()), 0);
  ASSERT_EQ(symlink((root + "/a").c_str(), (root + "/ln").c_str()), 0);
  auto dirs = WalkDirectories(root, {"skip/"});
  ASSERT_TRUE(dirs.ok());
  EXPECT_THAT(*dirs, ElementsAre("", "a", "a/b", "a/b/c", "d"));
  auto limited = WalkDirectories(root, {}, WalkLimits{3, 64});
  EXPECT_TRUE(absl::IsResourceExhausted(limited.status()));
  // Deeper than the bound: an error naming the place, never a silently shortened list.
  auto shallow = WalkDirectories(root, {}, WalkLimits{100, 1});
  EXPECT_TRUE(absl::IsOutOfRange(shallow.status())) << shallow.status();
  EXPECT_THAT(std::string(shallow.status().message()),
              ::testing::HasSubstr("deeper than 1 levels"));
  EXPECT_TRUE(WalkDirectories(root, {}, WalkLimits{100, 3}).ok()) << "exactly at the bound";
  EXPECT_TRUE(WalkDirectories(root + "/missing", {})->empty());
  std::system(("rm -rf " + root).c_str());
}

TEST(ReportMirrorTest, WalksDeepTrees) {
  char tmpl[] = "/tmp/rm_deep.XXXXXX";
  std::string root = mkdtemp(tmpl);
  std::string path = root;
  for (int i = 0; i < 300; ++i) path += "/d";  // 300 levels, far beyond the old bound of 64
  ASSERT_EQ(std::system(("mkdir -p " + path).c_str()), 0);
  auto dirs = WalkDirectories(root, {});
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  ASSERT_EQ(dirs->size(), 301u);
  EXPECT_EQ(dirs->back().size(), 300u * 2 - 1);
  std::system(("rm -rf " + root).c_str());
}

TEST(ReportMirrorTest, EverySectionNeedsEnabled) {
  auto base = std::string(
      "[global]\nenabled=1\nserver=s\n[site]\nenabled=1\nname=n\npassword=p\n"
      "[host]\nenabled=1\nname=h\n");
  auto message = [](const std::string& text) {
    auto ini = ParseIni(text, "t");
    EXPECT_TRUE(ini.ok()) << ini.status();
    auto p = BuildPayload(*ini, {}, std::nullopt);
    return p.ok() ? std::string("ok") : std::string(p.status().message());
  };
  EXPECT_EQ(message(base + "[Fedora Linux]\npath=/nonexistent\n"),
            "missing required option enabled in config [Fedora Linux]\n"
            "Invalid configuration - Exiting");
  EXPECT_EQ(message(base + "[Fedora Linux]\nenabled=1\n"),
            "missing required option path in config [Fedora Linux]\n"
            "Invalid configuration - Exiting");
  EXPECT_EQ(message(base + "[Fedora Linux]\nenabled=0\n"), "ok") << "disabled: not sent anyway";
  EXPECT_EQ(message("[global]\nenabled=1\nserver=s\n[site]\nenabled=1\nname=n\npassword=p\n"
                    "[host]\nname=h\n"),
            "missing required option enabled in config [host]\nInvalid configuration - Exiting");
  // Upstream prints "(server AND enabled)" only for a disabled [global]; a missing option is a
  // MissingOption like any other.
  EXPECT_EQ(message("[global]\nenabled=1\n[site]\n[host]\n"),
            "missing required option server in config [global]\nInvalid configuration - Exiting");
  EXPECT_EQ(message("[global]\nenabled=1\nserver=s\n[site]\nenabled=1\nname=n\npassword=p\n"),
            "Invalid configuration - missing section [host]");
  // [DEFAULT] counts for has_option(), as in configparser.
  EXPECT_EQ(message("[DEFAULT]\nenabled=1\n[global]\nserver=s\n[site]\nname=n\npassword=p\n"
                    "[host]\nname=h\n[Fedora Linux]\npath=/nonexistent\n"),
            "ok");
}

TEST(ReportMirrorTest, DisabledGlobalOrHostStopsTheRun) {
  std::vector<std::string> notes;
  auto global = ParseIni(
      "[global]\nenabled=0\nserver=s\n[site]\nenabled=1\nname=n\npassword=p\n"
      "[host]\nenabled=1\nname=h\n",
      "t");
  auto p = BuildPayload(*global, {}, std::nullopt, &notes);
  EXPECT_TRUE(absl::IsFailedPrecondition(p.status()));
  EXPECT_EQ(p.status().message(),
            "missing required options (server AND enabled) in [global] section");
  EXPECT_THAT(notes, ElementsAre("removing disabled section global"));
  notes.clear();
  auto host = ParseIni(
      "[global]\nenabled=1\nserver=s\n[site]\nenabled=1\nname=n\npassword=p\n"
      "[host]\nenabled=0\nname=h\n",
      "t");
  EXPECT_TRUE(absl::IsFailedPrecondition(BuildPayload(*host, {}, std::nullopt, &notes).status()));
  EXPECT_THAT(notes, ElementsAre("removing disabled section host"));
}

TEST(ReportMirrorTest, PayloadShape) {
  auto ini = ParseIni(
      "[DEFAULT]\nroot=/nonexistent\n"
      "[global]\nenabled=1\nserver=s\nextra=x\n[site]\nenabled=0\nname=n\npassword=p%%w\n"
      "[host]\nenabled=1\nname=h\nuser_active=0\ncomment=c\n"
      "[stats]\nenabled=0\napache=/a\n"
      "[Fedora Linux]\nenabled=1\npath=%(root)s/linux\nother=o\n[Off]\nenabled=0\npath=/\n",
      "t");
  ASSERT_TRUE(ini.ok()) << ini.status();
  auto p = BuildPayload(*ini, {}, std::nullopt);
  ASSERT_TRUE(p.ok()) << p.status();
  // Upstream's keys, in its order, and only the options it sends.
  EXPECT_EQ(p->dump(), R"({"version":0,"global":{"enabled":"1","server":"s"},)"
                       R"("host":{"enabled":"1","name":"h","user_active":"0"},"stats":{},)"
                       R"("fedora linux":{"enabled":"1","dirtree":{}}})")
      << "[site] enabled != 1 is removed; [stats] is never read; disabled categories are not sent";
  auto multi = ParseIni(
      "[global]\nenabled=1\nserver=s\n[site]\nenabled=1\nname=n\npassword=p%%w\n"
      "[host]\nenabled=1\nname=h\n  second line\n",
      "t");
  auto m = BuildPayload(*multi, {}, std::nullopt);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)["site"]["password"], "p%w") << "interpolated";
  EXPECT_EQ((*m)["host"]["name"], nlohmann::ordered_json::parse(R"(["h", "second", "line"])"))
      << "multi-line values become lists of words";
  auto bad = ParseIni("[global]\nenabled=1\n", "t");
  EXPECT_FALSE(BuildPayload(*bad, {}, std::nullopt).ok());
}

TEST(ReportMirrorTest, InputModeKeepsTheSavedPayload) {
  auto input = PayloadFromInput(
      R"({"zeta": {"enabled": "1", "dirtree": {"a": {}}}, "stats": {"x": "y"},)"
      R"( "fedora linux": {"enabled": "1", "dirtree": {"": {}, "b": {}}},)"
      R"( "fedora epel": {"enabled": "1", "dirtree": {}}, "host": {"name": "old", "keep": "k"},)"
      R"( "version": 0})");
  ASSERT_TRUE(input.ok()) << input.status();
  auto ini = ParseIni(
      "[global]\nenabled=1\nserver=s\n[site]\nenabled=1\nname=n\npassword=p\n"
      "[host]\nenabled=1\nname=h\n[Fedora Linux]\nenabled=1\npath=/nonexistent\n"
      "[Fedora EPEL]\nenabled=0\npath=/x\n",
      "t");
  std::vector<std::string> notes;
  auto p = BuildPayload(*ini, {}, *input, &notes);
  ASSERT_TRUE(p.ok()) << p.status();
  // The saved keys stay (upstream's first keys first, the others sorted); the config's options
  // are set on top; global and site come back from the config.
  EXPECT_EQ(
      p->dump(),
      R"({"version":0,"host":{"keep":"k","name":"h","enabled":"1"},"stats":{"x":"y"},)"
      R"("fedora linux":{"dirtree":{"":{},"b":{}},"enabled":"1"},)"
      R"("zeta":{"dirtree":{"a":{}},"enabled":"1"},)"
      R"("global":{"enabled":"1","server":"s"},"site":{"enabled":"1","name":"n","password":"p"}})");
  EXPECT_THAT(notes, ElementsAre("removing disabled section Fedora EPEL"));
  EXPECT_FALSE(PayloadFromInput("[1, 2]").ok());
  EXPECT_FALSE(PayloadFromInput("{").ok());
}

}  // namespace
}  // namespace mm::report_mirror
