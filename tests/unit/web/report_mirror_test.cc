#include "tools/report_mirror/report_mirror.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace mm::report_mirror {
namespace {

using ::testing::ElementsAre;

TEST(ReportMirrorTest, ParsesConfigParserSyntax) {
  auto ini = ParseIni(
      "# top\n[global]\nEnabled = 1\nserver: http://x/xmlrpc\n; c\n[stats]\napache=/a\n  /b\n\n"
      "[Fedora Linux]\nenabled=1\npath=/p\npath=/q\n",
      "t.conf");
  ASSERT_TRUE(ini.ok()) << ini.status();
  ASSERT_EQ(ini->size(), 3u);
  EXPECT_EQ((*ini)[0].Get("enabled"), "1") << "keys are lower-cased";
  EXPECT_EQ((*ini)[0].Get("server"), "http://x/xmlrpc");
  EXPECT_EQ((*ini)[1].Get("apache"), "/a\n/b");
  EXPECT_EQ((*ini)[2].Get("path"), "/q");
  EXPECT_FALSE(ParseIni("key=value\n", "t").ok());
  EXPECT_FALSE(ParseIni("[x\n", "t").ok());
  EXPECT_FALSE(ParseIni("[x]\nnovalue\n", "t").ok());
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
  auto no_enabled = ParseIni(base + "[Fedora Linux]\npath=/nonexistent\n", "t");
  auto p = BuildPayload(*no_enabled, {}, std::nullopt);
  EXPECT_TRUE(absl::IsInvalidArgument(p.status()));
  EXPECT_EQ(p.status().message(), "missing required option enabled in config [Fedora Linux]");
  auto no_path = ParseIni(base + "[Fedora Linux]\nenabled=1\n", "t");
  EXPECT_EQ(BuildPayload(*no_path, {}, std::nullopt).status().message(),
            "missing required option path in config [Fedora Linux]");
  auto disabled_no_path = ParseIni(base + "[Fedora Linux]\nenabled=0\n", "t");
  EXPECT_TRUE(BuildPayload(*disabled_no_path, {}, std::nullopt).ok())
      << "disabled: not sent anyway";
  auto no_host_enabled = ParseIni(
      "[global]\nenabled=1\nserver=s\n[site]\nenabled=1\nname=n\n"
      "password=p\n[host]\nname=h\n",
      "t");
  EXPECT_EQ(BuildPayload(*no_host_enabled, {}, std::nullopt).status().message(),
            "missing required option enabled in config [host]");
  auto no_server = ParseIni("[global]\nenabled=1\n[site]\n[host]\n", "t");
  EXPECT_EQ(BuildPayload(*no_server, {}, std::nullopt).status().message(),
            "missing required options (server AND enabled) in [global] section");
  auto no_host = ParseIni("[global]\nenabled=1\nserver=s\n[site]\n", "t");
  EXPECT_EQ(BuildPayload(*no_host, {}, std::nullopt).status().message(),
            "Invalid configuration - missing section [host]");
}

TEST(ReportMirrorTest, PayloadShape) {
  auto ini = ParseIni(
      "[global]\nenabled=1\nserver=s\n[site]\nenabled=0\nname=n\npassword=p\n"
      "[host]\nenabled=1\nname=h\n[Fedora Linux]\nenabled=1\npath=/nonexistent\n"
      "[Off]\nenabled=0\npath=/\n",
      "t");
  auto p = BuildPayload(*ini, {}, std::nullopt);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)["version"], 0);
  EXPECT_FALSE(p->contains("site")) << "[site] enabled != 1 is removed";
  EXPECT_TRUE((*p)["fedora linux"]["dirtree"].empty());
  EXPECT_FALSE(p->contains("off"));
  EXPECT_EQ((*p)["stats"], nlohmann::json::object());
  auto bad = ParseIni("[global]\nenabled=1\n", "t");
  EXPECT_FALSE(BuildPayload(*bad, {}, std::nullopt).ok());
}

}  // namespace
}  // namespace mm::report_mirror
