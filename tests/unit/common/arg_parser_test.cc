#include "services/common/arg_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mm::common {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ArgParser Umdl() {
  ArgParser p("mm2_update-master-directory-list", "UMDL");
  p.Option("-c,--config", "FILE", "config")
      .Flag("--debug", "debug")
      .Repeated("--category", "NAME", "categories")
      .BoolFlag("--include-disabled", "--exclude-disabled", false, "disabled hosts");
  return p;
}

TEST(ArgParserTest, ShortLongAttachedAndEqualsForms) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"-c", "a.cfg"}, {"-ca.cfg"}, {"--config", "a.cfg"}, {"--config=a.cfg"}}) {
    ArgParser p = Umdl();
    ASSERT_TRUE(p.Parse(args).ok());
    EXPECT_EQ(p.value("--config"), "a.cfg");
  }
}

TEST(ArgParserTest, LastSingleValueWinsAndRepeatedCollects) {
  ArgParser p = Umdl();
  ASSERT_TRUE(p.Parse({"-c", "a", "--category", "Fedora Linux", "-c", "b", "--category", "^Fedora EPEL",
                       "--debug"})
                  .ok());
  EXPECT_EQ(p.value("-c"), "b");
  EXPECT_THAT(p.values("--category"), ElementsAre("Fedora Linux", "^Fedora EPEL"));
  EXPECT_TRUE(p.flag("--debug"));
}

TEST(ArgParserTest, BoolFlagPairs) {
  ArgParser p = Umdl();
  ASSERT_TRUE(p.Parse({}).ok());
  EXPECT_FALSE(p.flag("--include-disabled"));
  ArgParser q = Umdl();
  ASSERT_TRUE(q.Parse({"--include-disabled", "--exclude-disabled"}).ok());
  EXPECT_FALSE(q.flag("--include-disabled"));
  ArgParser r = Umdl();
  ASSERT_TRUE(r.Parse({"--include-disabled"}).ok());
  EXPECT_TRUE(r.flag("--include-disabled"));
}

TEST(ArgParserTest, SubcommandsAndPositionals) {
  ArgParser p("mm2_crawler", "");
  p.Option("-c,--config", "FILE", "").StopAtFirstPositional();
  ASSERT_TRUE(p.Parse({"-c", "x", "crawl", "--canary"}).ok());
  EXPECT_THAT(p.rest(), ElementsAre("crawl", "--canary"));
  ArgParser g("mm2_get-netblocks global", "");
  g.Positional("OUTPUT", "output");
  ASSERT_TRUE(g.Parse({"/tmp/out.txt"}).ok());
  EXPECT_EQ(g.positional("OUTPUT"), "/tmp/out.txt");
  ArgParser missing("x", "");
  missing.Positional("OUTPUT", "output");
  EXPECT_THAT(std::string(missing.Parse({}).message()), HasSubstr("missing argument 'OUTPUT'"));
}

TEST(ArgParserTest, Errors) {
  ArgParser p = Umdl();
  EXPECT_THAT(std::string(p.Parse({"--nope"}).message()), HasSubstr("no such option: --nope"));
  ArgParser q = Umdl();
  EXPECT_THAT(std::string(q.Parse({"--config"}).message()), HasSubstr("requires an argument"));
  ArgParser r = Umdl();
  EXPECT_THAT(std::string(r.Parse({"--debug=1"}).message()), HasSubstr("does not take a value"));
  ArgParser h = Umdl();
  ASSERT_TRUE(h.Parse({"--help"}).ok());
  EXPECT_TRUE(h.help_requested());
  EXPECT_THAT(h.Usage(), HasSubstr("--category NAME"));
}

}  // namespace
}  // namespace mm::common
