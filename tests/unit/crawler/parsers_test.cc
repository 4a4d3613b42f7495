#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/crawler/bodhi.h"
#include "services/crawler/fft_parser.h"
#include "services/crawler/listing_parsers.h"
#include "tests/testing/status_matchers.h"

namespace mm::crawler {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Collect(std::string_view text, size_t chunk, FftLimits limits = {},
                                 absl::Status* status = nullptr) {
  std::vector<std::string> out;
  FftParser p([&](const FftEntry& e) {
    out.push_back(absl::StrCat(e.timestamp, "|", std::string(1, e.type), "|", e.size, "|", std::string(e.path)));
  }, limits);
  absl::Status s;
  for (size_t i = 0; i < text.size() && s.ok(); i += chunk) s = p.Feed(text.substr(i, chunk));
  if (s.ok()) s = p.Finish();
  if (status) *status = s;
  return out;
}

TEST(FftParserTest, ReadsOnlyTheFilesSectionInAnyChunking) {
  std::string fft =
      "[Version]\n2\n[Files]\n1700000000\td\t0\treleases\n1700000001\tf\t123\treleases/a b.rpm\r\n"
      "bad line\n1700000002\tl\t7\tlink\n1\tf\tx\tbadsize\n[Checksums]\n1\tf\t1\tnot-a-file\n";
  for (size_t chunk : {1u, 3u, 7u, 1000u}) {
    EXPECT_THAT(Collect(fft, chunk), ElementsAre("1700000000|d|0|releases", "1700000001|f|123|releases/a b.rpm",
                                                 "1700000002|l|7|link"))
        << chunk;
  }
}

TEST(FftParserTest, LimitsAndMissingSection) {
  FftParser p(nullptr);
  ASSERT_OK(p.Feed("no files section\n"));
  ASSERT_OK(p.Finish());
  EXPECT_FALSE(p.saw_files_section());
  FftLimits tiny;
  tiny.max_total_bytes = 10;
  absl::Status s;
  Collect("[Files]\n1\tf\t1\tabc\n", 100, tiny, &s);
  EXPECT_THAT(s, mm::testing::StatusIs(absl::StatusCode::kResourceExhausted));
  FftLimits lines;
  lines.max_line_bytes = 8;
  EXPECT_THAT(Collect("[Files]\n1\tf\t1\taaaaaaaaaaaa\n1\tf\t1\tb\n", 3, lines), ElementsAre("1|f|1|b"));
}

TEST(ListingParsersTest, RsyncLines) {
  auto d = ParseRsyncLine("drwxr-xr-x          4,096 2024/01/02 03:04:05 .");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, 'd');
  EXPECT_EQ(d->path, ".");
  EXPECT_EQ(d->size, 4096);
  auto f = ParseRsyncLine("-rw-r--r--     1234567 2024/01/02 03:04:05 releases/40/a file.rpm");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->path, "releases/40/a file.rpm");
  EXPECT_EQ(f->size, 1234567);
  EXPECT_TRUE(f->size_valid);
  auto l = ParseRsyncLine("lrwxrwxrwx          11 2024/01/02 03:04:05 latest -> releases/40");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->path, "latest");
  auto h = ParseRsyncLine("-rw-r--r--        1.2K 2024/01/02 03:04:05 x");
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->size_valid);
  EXPECT_FALSE(ParseRsyncLine("receiving incremental file list"));
  EXPECT_FALSE(ParseRsyncLine(""));
}

TEST(ListingParsersTest, FtpLines) {
  EXPECT_FALSE(ParseFtpListLine("total 12"));
  auto f = ParseFtpListLine("-rw-r--r--    1 ftp      ftp            10 Jan 01 00:00 f1.rpm\r");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->path, "f1.rpm");
  EXPECT_EQ(f->size, 10);
  auto s = ParseFtpListLine("-rw-r--r--    1 ftp      ftp            10 Jan 01  2020 a b c");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->path, "a b c");
  auto l = ParseFtpListLine("lrwxrwxrwx    1 ftp      ftp             4 Jan 01 00:00 cur -> 40");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->type, 'l');
  EXPECT_EQ(l->path, "cur");
  EXPECT_FALSE(ParseFtpListLine("drwxr-xr-x    2 ftp      ftp          4096 Jan 01 00:00 ."));
}

TEST(BodhiTest, ParsesPagesAndMapsProducts) {
  auto p = ParseBodhiReleases(R"({"releases":[{"id_prefix":"FEDORA","version":"40","name":"F40"},
      {"id_prefix":"FEDORA-EPEL","version":9},{"bad":1}],"page":1,"pages":3})");
  ASSERT_OK(p.status());
  ASSERT_EQ(p->releases.size(), 2u);
  EXPECT_EQ(p->releases[1].version, "9");
  EXPECT_EQ(p->pages, 3);
  EXPECT_FALSE(ParseBodhiReleases("[1,2]").ok());
  EXPECT_FALSE(ParseBodhiReleases("{").ok());
  EXPECT_EQ(ProductForBodhiPrefix("FEDORA-EPEL"), "EPEL");
  EXPECT_EQ(ProductForBodhiPrefix("FEDORA-CONTAINER"), "");
  EXPECT_EQ(PropagationPrefix("Fedora", "40"), "updates-released-f40");
  EXPECT_EQ(PropagationPrefix("EPEL", "9"), "epel-9");
}

}  // namespace
}  // namespace mm::crawler
