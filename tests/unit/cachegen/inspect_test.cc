#include "services/cachegen/inspect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/testing/status_matchers.h"
#include "tests/unit/cachegen/fake_snapshot.h"

namespace mm::cachegen::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  std::string path =
      ::testing::TempDir() + "/inspect_" + name + "_" + std::to_string(getpid()) + ".proto";
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// Two hosts on one directory; host 2 is private and only reachable through ByHostId.
pb::MirrorlistSnapshotChunk TwoHosts(bool with_second_public_host) {
  pb::MirrorlistSnapshotChunk d;
  auto* arch = d.add_arches();
  arch->set_id(1);
  arch->set_name("x86_64");
  auto* cat = d.add_categories();
  cat->set_id(1);
  cat->set_topdir_id(1);
  AddDirectory(d, 1, "pub/fedora/linux");
  AddDirectory(d, 2, "pub/fedora/linux/releases/40/os");
  AddHost(d, 1, "DE");
  AddHost(d, 2, "SE")->set_private_(true);
  if (with_second_public_host) AddHost(d, 3, "US");
  for (int64_t h = 1; h <= (with_second_public_host ? 3 : 2); ++h) {
    auto* hc = d.add_host_categories();
    hc->set_id(h);
    hc->set_host_id(h);
    hc->set_category_id(1);
    hc->set_always_up2date(true);
    auto* u = d.add_host_category_urls();
    u->set_id(10 * h);
    u->set_host_category_id(h);
    u->set_url("http://m" + std::to_string(h) + "/linux");
  }
  d.mutable_category_directories()->add_category_id(1);
  d.mutable_category_directories()->add_directory_id(2);
  auto* r = d.add_repositories();
  r->set_prefix(with_second_public_host ? "fedora-41" : "fedora-40");
  r->set_arch_id(1);
  r->set_directory_id(2);
  return d;
}

TEST(InspectTest, SummaryCountsEveryField) {
  ScriptedResolver dns;
  ASSERT_OK_AND_ASSIGN(Built b, Build(TwoHosts(false), dns));
  std::ostringstream out;
  ASSERT_OK_AND_ASSIGN(int rc, InspectCache(WriteTemp("summary", b.bytes), {}, out));
  EXPECT_EQ(rc, 0);
  EXPECT_THAT(out.str(), HasSubstr("created: 2023-11-14 22:13:20 UTC (1700000000)"));
  EXPECT_THAT(out.str(), HasSubstr("HCUrlCache                     2\n"));
  EXPECT_THAT(out.str(), HasSubstr("MirrorListCache                1 directories (1 with hosts; "
                                   "2 ByHostId entries, 1 Global entries)"));
  EXPECT_THAT(out.str(), HasSubstr("problems: none"));
}

TEST(InspectTest, DirectoryAndRepositoryViews) {
  ScriptedResolver dns;
  ASSERT_OK_AND_ASSIGN(Built b, Build(TwoHosts(false), dns));
  std::string path = WriteTemp("dir", b.bytes);
  std::ostringstream out;
  InspectOptions o;
  o.directory = "pub/fedora/linux/releases/40/os";
  ASSERT_OK_AND_ASSIGN(int rc, InspectCache(path, o, out));
  EXPECT_EQ(rc, 0);
  EXPECT_THAT(out.str(), HasSubstr("subpath: releases/40/os\n"));
  EXPECT_THAT(out.str(), HasSubstr("host 2 [SE, bandwidth 100]: http://m2/linux/releases/40/os/"));
  EXPECT_THAT(out.str(), HasSubstr("Global (public fallback): 1 host(s)\n"
                                   "  host 1 [DE, bandwidth 100]: "
                                   "http://m1/linux/releases/40/os/\n"));

  std::ostringstream repo_out;
  InspectOptions r;
  r.repo = "fedora-40";
  r.arch = "x86_64";
  ASSERT_OK_AND_ASSIGN(rc, InspectCache(path, r, repo_out));
  EXPECT_EQ(rc, 0);
  EXPECT_THAT(repo_out.str(), HasSubstr("directory: pub/fedora/linux/releases/40/os"));

  std::ostringstream missing;
  r.repo = "nope";
  ASSERT_OK_AND_ASSIGN(rc, InspectCache(path, r, missing));
  EXPECT_EQ(rc, 1);
  EXPECT_THAT(missing.str(), HasSubstr("invalid repo or arch"));
}

TEST(InspectTest, ReportsProblemsTheServerWouldTripOver) {
  mc::MirrorList m;
  m.set_time(1);
  for (int i = 0; i < 2; ++i) {
    auto* e = m.add_repoarchtodirectoryname();
    e->set_key("fedora-40+x86_64");
    e->set_value("d");
  }
  auto* nc = m.add_netblockcountrycache();
  nc->set_key("not-cidr");
  nc->set_value("SE");
  auto* bw = m.add_hostbandwidthcache();
  bw->set_key(1);
  bw->set_value(0);
  auto* url = m.add_hcurlcache();
  url->set_key(7);
  url->set_value("http://m/linux/");
  auto* mlc = m.add_mirrorlistcache();
  mlc->set_directory("d");
  auto* h = mlc->add_byhostid();
  h->set_key(1);
  h->add_value(99);
  std::ostringstream out;
  ASSERT_OK_AND_ASSIGN(int rc, InspectCacheBytes(m.SerializeAsString(), {}, out));
  EXPECT_EQ(rc, 1);
  EXPECT_THAT(out.str(), HasSubstr("duplicate key in RepoArchToDirectoryName (the server "
                                   "concatenates the values): 1\n    fedora-40+x86_64"));
  EXPECT_THAT(out.str(), HasSubstr("NetblockCountryCache key is not CIDR"));
  EXPECT_THAT(out.str(), HasSubstr("HostBandwidthCache value below 1"));
  EXPECT_THAT(out.str(), HasSubstr("ByHostId refers to an id missing from HCUrlCache: 1"));
  EXPECT_THAT(out.str(), HasSubstr("HCUrlCache URL ends with '/' (the server's URLs for it "
                                   "contain '//'): 1\n    url id 7: http://m/linux/"));
}

TEST(InspectTest, UnreadableFileIsAnError) {
  std::ostringstream out;
  EXPECT_FALSE(InspectCacheBytes("\x0a", {}, out).ok());
  EXPECT_FALSE(InspectCache("/nonexistent.proto", {}, out).ok());
}

TEST(DiffTest, HostsAndRepositoriesThatChanged) {
  ScriptedResolver dns;
  ASSERT_OK_AND_ASSIGN(Built a, Build(TwoHosts(false), dns, 1700000000));
  ASSERT_OK_AND_ASSIGN(Built b, Build(TwoHosts(true), dns, 1700003600));
  std::string old_path = WriteTemp("old", a.bytes), new_path = WriteTemp("new", b.bytes);
  std::ostringstream out;
  ASSERT_OK_AND_ASSIGN(int rc, DiffCaches(old_path, new_path, {}, out));
  EXPECT_EQ(rc, 1);
  EXPECT_THAT(out.str(), HasSubstr("pub/fedora/linux/releases/40/os: gained 3\n"));
  EXPECT_THAT(out.str(), HasSubstr("host 3: +1 -0"));
  EXPECT_THAT(out.str(), HasSubstr("+ fedora-41+x86_64 -> pub/fedora/linux/releases/40/os"));
  EXPECT_THAT(out.str(), HasSubstr("- fedora-40+x86_64 -> pub/fedora/linux/releases/40/os"));
  EXPECT_THAT(out.str(), HasSubstr("caches differ"));

  std::ostringstream same;
  ASSERT_OK_AND_ASSIGN(rc, DiffCaches(old_path, old_path, {}, same));
  EXPECT_EQ(rc, 0);
  EXPECT_THAT(same.str(), HasSubstr("no differences"));
  EXPECT_THAT(same.str(), Not(HasSubstr("gained")));
}

}  // namespace
}  // namespace mm::cachegen::testing
