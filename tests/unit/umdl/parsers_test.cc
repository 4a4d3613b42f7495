// The parsers of outside data: fullfiletimelist rows, rsync listing rows, checksum files,
// repomd.xml, and the small helpers around them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/umdl/checksums.h"
#include "services/umdl/fft.h"
#include "services/umdl/file_hashes.h"
#include "services/umdl/paths.h"
#include "services/umdl/python_int.h"
#include "services/umdl/repomd.h"
#include "services/umdl/rsync_listing.h"
#include "tests/testing/status_matchers.h"

namespace mm::umdl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

std::vector<FftEntry> ParseAll(std::string_view data, FftParseStats* stats) {
  std::vector<FftEntry> out;
  ParseFft(
      data, [&](const FftEntry& e) { out.push_back(e); }, stats);
  return out;
}

TEST(FftTest, ReadsOnlyTheFilesSection) {
  FftParseStats stats;
  auto rows = ParseAll(
      "[Version]\n2\n\n[Files]\n1500000000\td\t4096\tlinux\n1500000001\tf\t123\tlinux/a b.rpm\n"
      "1500000002\tl\t0\tlinux/link\n1500000003\td-\t4096\tlinux/secret\n\n"
      "[Checksums SHA1]\nabc\tf\t1\tnot/a/file\n[Files]\n7\tf\t8\tagain\n[End]\n",
      &stats);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].kind, 'd');
  EXPECT_EQ(rows[0].timestamp, 1500000000);
  EXPECT_EQ(rows[0].path, "linux");
  EXPECT_EQ(rows[1].kind, 'f');
  EXPECT_EQ(rows[1].size, 123);
  EXPECT_EQ(rows[1].path, "linux/a b.rpm");
  EXPECT_EQ(rows[2].kind, 'l');
  EXPECT_TRUE(rows[3].unreadable);
  EXPECT_FALSE(rows[1].unreadable);
  EXPECT_EQ(rows[4].path, "again");
  EXPECT_EQ(rows[4].line, 13u);
  EXPECT_EQ(stats.malformed, 0u);
}

TEST(FftTest, MalformedRowsAreCountedAndSkipped) {
  FftParseStats stats;
  auto rows = ParseAll(
      "[Files]\n1\td\t4096\tok\nnot-a-number\tf\t1\tx\n1\tf\tbig\tx\n1\tf\t2\n\t\t\t\n1\t\t2\tx\n"
      "2\tf\t3\tgood\textra\tcolumns\n3\tf\t4\ttrunc",
      &stats);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].path, "good");
  EXPECT_EQ(stats.malformed, 5u);
  EXPECT_EQ(stats.first_malformed_line, 3u);
  EXPECT_THAT(stats.first_malformed, HasSubstr("not-a-number"));
  EXPECT_TRUE(stats.truncated);  // the last row had no newline: its path may be cut short
}

// Upstream reads the time and size columns with int(): a sign, '_' between digits and spaces
// around them are fine; "1.5" is not (upstream aborted there, here the row is skipped).
TEST(FftTest, NumbersAreReadAsPythonInt) {
  FftParseStats stats;
  auto rows = ParseAll("[Files]\n+1_700_000_000 \tf\t 4_096\ta\n1.5\tf\t1\tb\n", &stats);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].timestamp, 1700000000);
  EXPECT_EQ(rows[0].size, 4096);
  EXPECT_EQ(stats.malformed, 1u);
}

TEST(FftTest, OverlongLinesAndRowLimit) {
  FftParseStats stats;
  std::string data = "[Files]\n1\tf\t1\t" + std::string(100000, 'a') + "\n1\tf\t1\tb\n1\tf\t1\tc\n";
  FftLimits limits;
  limits.max_rows = 1;
  auto rows = ParseAll(data, &stats);
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(stats.malformed, 1u);
  std::vector<FftEntry> limited;
  FftParseStats s2;
  ParseFft(
      data, [&](const FftEntry& e) { limited.push_back(e); }, &s2, limits);
  EXPECT_EQ(limited.size(), 1u);
}

TEST(RsyncListingTest, ParsesRowsWithSeparatorsSpacesAndLinks) {
  RsyncEntry e;
  ASSERT_TRUE(ParseRsyncRow("drwxr-xr-x          4,096 2024/01/02 03:04:05 .", &e));
  EXPECT_EQ(e.kind, 'd');
  EXPECT_EQ(e.size, 4096);
  EXPECT_EQ(e.path, ".");
  ASSERT_TRUE(
      ParseRsyncRow("-rw-r--r--      1,234,567 2024/01/02 03:04:05 a dir/file name.iso", &e));
  EXPECT_EQ(e.size, 1234567);
  EXPECT_EQ(e.path, "a dir/file name.iso");
  ASSERT_TRUE(ParseRsyncRow("-rw-r--r--             10 2024/01/02 03:04:05 x.rpm", &e));
  EXPECT_EQ(e.size, 10);
  ASSERT_TRUE(
      ParseRsyncRow("lrwxrwxrwx             11 2024/01/02 03:04:05 latest -> releases/40", &e));
  EXPECT_EQ(e.kind, 'l');
  EXPECT_EQ(e.path, "latest");
  // Local time, as upstream's time.mktime.
  struct tm tm = {};
  tm.tm_year = 124;
  tm.tm_mon = 0;
  tm.tm_mday = 2;
  tm.tm_hour = 3;
  tm.tm_min = 4;
  tm.tm_sec = 5;
  tm.tm_isdst = -1;
  EXPECT_EQ(e.mtime, static_cast<int64_t>(mktime(&tm)));
}

TEST(RsyncListingTest, RejectsNonListingLines) {
  RsyncEntry e;
  EXPECT_FALSE(ParseRsyncRow("Welcome to the mirror", &e));
  EXPECT_FALSE(ParseRsyncRow("-rw-r--r--           1.2M 2024/01/02 03:04:05 human.iso", &e));
  EXPECT_FALSE(ParseRsyncRow("-rw-r--r--             10 2024/13/02 03:04:05 bad-month", &e));
  EXPECT_FALSE(ParseRsyncRow("-rw-r--r--             10 2024/01/02 03:04 short-time", &e));
  EXPECT_FALSE(ParseRsyncRow("xrw-r--r--             10 2024/01/02 03:04:05 bad-mode", &e));
  EXPECT_FALSE(ParseRsyncRow("-rw-r--r--             10 2024/01/02 03:04:05", &e));
  RsyncParseStats stats;
  std::vector<std::string> paths;
  ParseRsyncListing(
      "MOTD line\n\ndrwxr-xr-x 4,096 2024/01/02 03:04:05 .\n-rw-r--r-- 1 2024/01/02 03:04:05 cut",
      [&](const RsyncEntry& r) { paths.emplace_back(r.path); }, &stats);
  EXPECT_THAT(paths, ElementsAre("."));
  EXPECT_EQ(stats.skipped, 2u);             // the MOTD and the last row without its newline
  EXPECT_EQ(stats.skipped_in_listing, 1u);  // the cut row may hide a directory; the MOTD not
}

TEST(RsyncExcludesTest, FollowsRsyncPatternRules) {
  ASSERT_OK_AND_ASSIGN(
      RsyncExcludes x,
      RsyncExcludes::FromOptions({"--no-motd", "--exclude", "skipme", "--exclude=/top-only/",
                                  "--exclude=*aalib*", "--exclude=mid/deep", "--exclude=pre/**/z",
                                  "--exclude=- dashed", "--exclude=whole/***", "-v"}));
  // No '/': the last component, anywhere; an excluded directory hides its subtree.
  EXPECT_TRUE(x.Excludes("skipme"));
  EXPECT_TRUE(x.Excludes("a/b/skipme"));
  EXPECT_TRUE(x.Excludes("a/skipme/below"));
  EXPECT_FALSE(x.Excludes("skipme-not"));
  EXPECT_TRUE(x.Excludes("x/libaalib-1.4"));
  // Anchored at the listed top.
  EXPECT_TRUE(x.Excludes("top-only"));
  EXPECT_TRUE(x.Excludes("top-only/sub"));
  EXPECT_FALSE(x.Excludes("a/top-only"));
  // With '/': a trailing part of the path; '*' does not cross '/', "**" does.
  EXPECT_TRUE(x.Excludes("mid/deep"));
  EXPECT_TRUE(x.Excludes("a/mid/deep/b"));
  EXPECT_FALSE(x.Excludes("amid/deep"));
  EXPECT_TRUE(x.Excludes("pre/a/b/z"));
  EXPECT_TRUE(x.Excludes("dashed"));
  EXPECT_TRUE(x.Excludes("whole"));
  EXPECT_TRUE(x.Excludes("whole/in"));
  // Upstream's standard excludes are on every command line.
  EXPECT_TRUE(x.Excludes("a/.snapshot"));
  EXPECT_TRUE(x.Excludes("a/b.~tmp~"));
  EXPECT_FALSE(x.Excludes("releases/40"));
}

TEST(RsyncExcludesTest, FiltersThatCannotBeFollowedAreRefused) {
  for (std::vector<std::string> o : std::vector<std::vector<std::string>>{{"--include=*.iso"},
                                                                          {"--filter", "- x"},
                                                                          {"-F"},
                                                                          {"-rC"},
                                                                          {"--exclude-from=/etc/x"},
                                                                          {"--exclude=+ keep"},
                                                                          {"--prune-empty-dirs"}}) {
    EXPECT_THAT(RsyncExcludes::FromOptions(o),
                mm::testing::StatusIs(absl::StatusCode::kFailedPrecondition))
        << o[0];
  }
  EXPECT_OK(RsyncExcludes::FromOptions({"--no-human-readable", "--max-size=1G", "-vh"}));
}

TEST(RsyncListingTest, OthersReadableMode) {
  EXPECT_TRUE(RsyncModeOthersCanRead("drwxr-xr-x"));
  EXPECT_TRUE(RsyncModeOthersCanRead("drwxrwxr-t"));
  EXPECT_FALSE(RsyncModeOthersCanRead("drwxr-x---"));
  EXPECT_FALSE(RsyncModeOthersCanRead("drwxr-x-w-"));
  EXPECT_FALSE(RsyncModeOthersCanRead("-rwxr-xr-x"));
}

TEST(RsyncListingTest, SplitShellWords) {
  ASSERT_OK_AND_ASSIGN(auto w,
                       SplitShellWords("--no-motd  --exclude '*aalib*' \"--exclude=a b\" x\\ y"));
  EXPECT_THAT(w, ElementsAre("--no-motd", "--exclude", "*aalib*", "--exclude=a b", "x y"));
  EXPECT_THAT(SplitShellWords("'unbalanced"),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto empty, SplitShellWords("   "));
  EXPECT_THAT(empty, IsEmpty());
}

// The algorithms whose name patterns `name` matches, with the indexes of the patterns.
std::vector<std::string> Matches(std::string_view name) {
  std::vector<std::string> out;
  for (HashAlgo algo : kHashAlgos) {
    for (size_t i = 0; i < ChecksumPatternCount(algo); ++i) {
      if (MatchesChecksumPattern(name, algo, i)) out.push_back(absl::StrCat(AlgoName(algo), i));
    }
  }
  return out;
}

TEST(ChecksumsTest, FileNamePatterns) {
  EXPECT_THAT(Matches("Fedora-20-x86_64-CHECKSUM"), ElementsAre("SHA2560"));
  EXPECT_THAT(Matches("Fedora-20-x86_64-CHECKSUM.asc"), ElementsAre("SHA2560"));  // re.match
  EXPECT_THAT(Matches("sha256sum.txt"), ElementsAre("SHA2561"));
  EXPECT_THAT(Matches("sha256sumXtxt"), ElementsAre("SHA2561"));  // '.' is any character
  EXPECT_THAT(Matches("sha256sum\ntxt"), IsEmpty());              // but a newline
  EXPECT_THAT(Matches("MD5SUM"), ElementsAre("MD51"));
  EXPECT_THAT(Matches("MD5SUMS"), ElementsAre("MD51"));  // a prefix match
  EXPECT_THAT(Matches("x.iso.md5sum"), ElementsAre("MD50"));
  EXPECT_THAT(Matches("md5sum.txt"), ElementsAre("MD52"));
  EXPECT_THAT(Matches("SHA1SUM"), ElementsAre("SHA11"));
  EXPECT_THAT(Matches("a.sha1sum"), ElementsAre("SHA10"));
  EXPECT_THAT(Matches("sha1sum.txt"), ElementsAre("SHA12"));
  EXPECT_THAT(Matches("SHA512SUM"), ElementsAre("SHA5121"));
  EXPECT_THAT(Matches("a.sha512sum"), ElementsAre("SHA5120"));
  EXPECT_THAT(Matches("sha512sum.txt"), ElementsAre("SHA5122"));
  // Several patterns, of one algorithm or of several: read for each.
  EXPECT_THAT(Matches("MD5SUM.md5sum"), ElementsAre("MD50", "MD51"));
  EXPECT_THAT(Matches("SHA1SUM-CHECKSUM"), ElementsAre("SHA11", "SHA2560"));
  // ".*" does not cross a newline.
  EXPECT_THAT(Matches("a\nb.md5sum"), IsEmpty());
  EXPECT_THAT(Matches("CHECKSUM"), IsEmpty());
  EXPECT_THAT(Matches("readme.txt"), IsEmpty());
  EXPECT_THAT(Matches("xMD5SUM"), IsEmpty());
  EXPECT_TRUE(IsChecksumFileName("SHA256SUM-CHECKSUM"));
  EXPECT_FALSE(IsChecksumFileName("SHA256SUM"));  // no such pattern upstream
}

TEST(ChecksumsTest, GnuAndBsdLinesWithPgpArmour) {
  const std::string sha = std::string(64, 'a');
  const std::string sha2 = std::string(64, 'B');
  std::string text = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# a.iso: 123 bytes\n" +
                     sha + " *a.iso\nSHA256 (b.iso) = " + sha2 +
                     "\r\nMD5 (c.iso) = " + std::string(32, 'c') + "\r" + std::string(63, 'd') +
                     "  short.iso\n" + std::string(64, 'z') + "  nothex.iso\n" + sha +
                     "  sub/dir.iso\n" + std::string(64, 'e') + "\x1f**e.iso\n" +
                     "-----BEGIN PGP SIGNATURE-----\niQIcBAEBCAAGBQJ\n";
  ChecksumParseStats stats;
  auto m = ParseChecksumFile(text, HashAlgo::kSha256, &stats);
  // Lines end at \r\n and a lone \r too; \x1f separates tokens (Python's str.split()); every
  // leading '*' of a name is stripped.
  EXPECT_THAT(
      m, UnorderedElementsAre(Pair("a.iso", sha), Pair("b.iso", sha2), Pair("sub/dir.iso", sha),
                              Pair("e.iso", std::string(64, 'e'))));
  EXPECT_EQ(stats.entries, 4u);
  auto md5 = ParseChecksumFile(text, HashAlgo::kMd5);
  EXPECT_THAT(md5, UnorderedElementsAre(Pair("c.iso", std::string(32, 'c'))));
  EXPECT_THAT(ParseChecksumFile("\x01\x02garbage\xff\n\n", HashAlgo::kSha256), IsEmpty());
}

TEST(ChecksumsTest, EveryAlgorithmInGnuAndBsdForm) {
  for (HashAlgo algo : kHashAlgos) {
    SCOPED_TRACE(AlgoName(algo));
    const std::string hash(HexLength(algo), 'a');
    std::string text = hash + " *gnu.iso\n" + AlgoName(algo) + " (bsd.iso) = " + hash + "\n";
    for (HashAlgo other : kHashAlgos) {
      // Another algorithm's BSD line, even with this algorithm's hash length, is not ours.
      if (other != algo) absl::StrAppend(&text, AlgoName(other), " (other.iso) = ", hash, "\n");
    }
    EXPECT_THAT(ParseChecksumFile(text, algo),
                UnorderedElementsAre(Pair("gnu.iso", hash), Pair("bsd.iso", hash)));
  }
}

TEST(RepomdTest, LargestDataTimestamp) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1386855999</revision>
  <data type="primary"><timestamp>1386855911</timestamp></data>
  <data type="other"><timestamp> 1386855915 </timestamp></data>
  <data type="group"><timestamp>1386855999.7</timestamp></data>
  <data type="bad"><timestamp>later</timestamp></data>
  <data type="empty"><timestamp/></data>
</repomd>)";
  // The revision is not a <data> timestamp, and int("1386855999.7") raises in rpmmd: ignored.
  ASSERT_OK_AND_ASSIGN(int64_t ts, RepomdTimestamp(xml));
  EXPECT_EQ(ts, 1386855915);
  // rpmmd's RepoData keeps the last <timestamp> of a <data>; <data> counts wherever it is.
  ASSERT_OK_AND_ASSIGN(
      int64_t last,
      RepomdTimestamp("<repomd><data><timestamp>9</timestamp><timestamp>7</timestamp></data>"
                      "<tags><data><timestamp>+8</timestamp></data></tags></repomd>"));
  EXPECT_EQ(last, 8);
  ASSERT_OK_AND_ASSIGN(int64_t negative,
                       RepomdTimestamp("<repomd><data><timestamp>-5</timestamp></data></repomd>"));
  EXPECT_EQ(negative, 0);
  ASSERT_OK_AND_ASSIGN(int64_t none, RepomdTimestamp("<repomd/>"));
  EXPECT_EQ(none, 0);
  EXPECT_THAT(RepomdTimestamp("<html><body>404</body></html>"),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RepomdTimestamp("<repomd><data>"),
              mm::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RepomdTimestamp(""), mm::testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PythonIntTest, IntRules) {
  EXPECT_EQ(ParsePythonInt("42"), 42);
  EXPECT_EQ(ParsePythonInt(" \t+42\n"), 42);
  EXPECT_EQ(ParsePythonInt("-42"), -42);
  EXPECT_EQ(ParsePythonInt("007"), 7);
  EXPECT_EQ(ParsePythonInt("1_386_855_915"), 1386855915);
  EXPECT_EQ(ParsePythonInt("1__0"), std::nullopt);
  EXPECT_EQ(ParsePythonInt("_10"), std::nullopt);
  EXPECT_EQ(ParsePythonInt("10_"), std::nullopt);
  EXPECT_EQ(ParsePythonInt("1.5"), std::nullopt);
  EXPECT_EQ(ParsePythonInt("0x10"), std::nullopt);
  EXPECT_EQ(ParsePythonInt(""), std::nullopt);
  EXPECT_EQ(ParsePythonInt("+"), std::nullopt);
  EXPECT_EQ(ParsePythonInt("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParsePythonInt("9223372036854775808"), std::nullopt);
}

TEST(FileHashesTest, KnownVectors) {
  FileHashes h = HashAll("abc");
  EXPECT_EQ(h.md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(h.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(h.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(h.sha512.substr(0, 32), "ddaf35a193617abacc417349ae204131");
  EXPECT_EQ(h.sha512.size(), 128u);
}

TEST(PathsTest, JoinRelativeNormalise) {
  EXPECT_EQ(JoinPath("pub/fedora", "linux"), "pub/fedora/linux");
  EXPECT_EQ(JoinPath("", "linux"), "linux");
  EXPECT_EQ(JoinPath("pub", ""), "pub");
  EXPECT_EQ(ParentOf("a/b/c"), "a/b");
  EXPECT_EQ(ParentOf("a"), "");
  EXPECT_EQ(BaseName("a/b/c"), "c");
  EXPECT_EQ(RelativeToTop("pub/fedora/linux", "pub/fedora/linux"), "");
  EXPECT_EQ(RelativeToTop("pub/fedora/linux", "pub/fedora/linux/releases"), "releases");
  EXPECT_EQ(RelativeToTop("pub/fedora/linux", "pub/fedora/linuxx"), std::nullopt);
  EXPECT_EQ(RelativeToTop("pub/fedora/linux", "pub/epel"), std::nullopt);
  EXPECT_EQ(RelativeToTop("", "anything/at/all"), "anything/at/all");
  EXPECT_EQ(NormaliseListedPath("."), "");
  EXPECT_EQ(NormaliseListedPath("./a//b/"), "a/b");
  EXPECT_EQ(NormaliseListedPath("/etc/passwd"), std::nullopt);
  EXPECT_EQ(NormaliseListedPath("a/../../etc"), std::nullopt);
  EXPECT_EQ(NormaliseListedPath("a/./b"), std::nullopt);
  EXPECT_TRUE(IsPlainFileName("Fedora.iso"));
  EXPECT_FALSE(IsPlainFileName("../x.iso"));
  EXPECT_FALSE(IsPlainFileName("sub/x.iso"));
  EXPECT_FALSE(IsPlainFileName(".."));
  EXPECT_FALSE(IsPlainFileName(""));
  EXPECT_EQ(StripTrailingSlashes("/srv/pub//"), "/srv/pub");
  EXPECT_EQ(StripTrailingSlashes("/"), "/");
}

}  // namespace
}  // namespace mm::umdl
