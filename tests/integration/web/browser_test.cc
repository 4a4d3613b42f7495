// Headless Chromium loads the main pages (no JavaScript needed) and checks that they render;
// screenshots are kept in the build directory (web_screenshots/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "tests/integration/web/web_harness.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kChromium[] = "/usr/bin/chromium";

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kChromium, X_OK) != 0) GTEST_SKIP() << "Debian's chromium is not installed";
    auto h = WebHarness::Start();
    ASSERT_OK(h.status());
    h_ = std::move(*h);
    fixture_ = SeedUpstreamLikeFixture(h_->db());
    shots_ = BinDir() + "/../web_screenshots";
    ASSERT_EQ(std::system(("mkdir -p '" + shots_ + "'").c_str()), 0);
  }

  std::vector<std::string> Flags() {
    return {"--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--user-data-dir=" + h_->dir() + "/chromium"};
  }

  std::string DumpDom(const std::string& path) {
    std::vector<std::string> args = Flags();
    args.push_back("--dump-dom");
    args.push_back(h_->url() + path);
    ProcessOptions o;
    o.timeout = absl::Seconds(90);
    auto r = RunProcess(kChromium, args, o);
    EXPECT_OK(r.status());
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << r->err;
    return r->out;
  }

  void Screenshot(const std::string& path, const std::string& name, int width) {
    std::string file = absl::StrCat(shots_, "/", name, ".png");
    unlink(file.c_str());
    std::vector<std::string> args = Flags();
    args.push_back("--hide-scrollbars");
    args.push_back(absl::StrCat("--window-size=", width, ",1400"));
    args.push_back("--screenshot=" + file);
    args.push_back(h_->url() + path);
    ProcessOptions o;
    o.timeout = absl::Seconds(90);
    auto r = RunProcess(kChromium, args, o);
    ASSERT_OK(r.status());
    struct stat st;
    ASSERT_EQ(stat(file.c_str(), &st), 0) << r->err;
    EXPECT_GT(st.st_size, 10000) << "a blank page compresses to almost nothing";
  }

  std::unique_ptr<WebHarness> h_;
  WebFixture fixture_;
  std::string shots_;
};

TEST_F(BrowserTest, PagesRenderInChromium) {
  std::string home = DumpDom("/");
  EXPECT_THAT(home, HasSubstr("Fedora Public Active Mirrors"));
  EXPECT_THAT(home, HasSubstr("/mirrors/Fedora/27/x86_64"));
  std::string mirrors = DumpDom("/mirrors?page_size=0");
  EXPECT_THAT(mirrors, HasSubstr("mirror26.example.org"));
  EXPECT_THAT(mirrors, HasSubstr("&lt;script&gt;alert('x')&lt;/script&gt; &amp; Co"))
      << "the hostile site name is text, not a script";
  std::string stats = DumpDom("/statistics/2026-01-02");
  EXPECT_THAT(stats, HasSubstr("Mirrorlist access breakdown by"));
  EXPECT_THAT(stats, HasSubstr("<svg"));
  std::string prop = DumpDom(absl::StrCat("/propagation/", fixture_.repos["fedora-27"]));
  EXPECT_THAT(prop, HasSubstr("Propagation for Fedora 27"));
  EXPECT_THAT(prop, HasSubstr("<rect"));
  // Every anonymous page, at desktop and at phone width.
  for (const auto& [path, name] : std::vector<std::pair<std::string, std::string>>{
           {"/", "home"},
           {"/mirrors", "mirrors"},
           {"/mirrors/Fedora/27/x86_64?country=US", "mirrors-filtered"},
           {"/statistics/2026-01-02", "statistics"},
           {"/propagation/", "propagation-index"},
           {absl::StrCat("/propagation/", fixture_.repos["fedora-27"]), "propagation"},
           {"/maps", "maps"},
           {"/propagation/999999", "error"}}) {
    Screenshot(path, name, 1280);
    Screenshot(path, name + "-mobile", 390);
  }
}

}  // namespace
}  // namespace mm::testing
