// CacheBuilder over hand-built snapshots: stream protocol, field order, streaming of file
// details, text hygiene and DNS handling. The MirrorList rules themselves are tested against
// a real catalog in tests/integration/cachegen/rules_test.cc.
#include "services/cachegen/cache_builder.h"

#include <gmock/gmock.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "services/cachegen/cache_writer.h"
#include "services/cachegen/resolver.h"
#include "tests/testing/status_matchers.h"
#include "tests/unit/cachegen/fake_snapshot.h"

namespace mm::cachegen::testing {
namespace {

using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Top-level field numbers of a serialized MirrorList, in file order.
std::vector<int> FieldOrder(const std::string& bytes) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  std::vector<int> fields;
  while (uint32_t tag = in.ReadTag()) {
    fields.push_back(static_cast<int>(tag >> 3));
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) break;
  }
  return fields;
}

TEST(CacheBuilderTest, EmptySnapshotIsJustTheTime) {
  ScriptedResolver dns;
  ASSERT_OK_AND_ASSIGN(Built b, Build({}, dns, 1700000000));
  EXPECT_EQ(b.bytes, std::string("\x08\x80\xe2\xcf\xaa\x06"));  // cache-wire-format.md §4
  ASSERT_OK_AND_ASSIGN(Built zero, Build({}, dns, 0));
  EXPECT_EQ(zero.bytes, std::string("\x08\x00", 2));  // the smallest valid cache
  EXPECT_EQ(b.stats.snapshot_time, 1699999999);
}

TEST(CacheBuilderTest, SectionsOutOfOrderAreRejected) {
  ScriptedResolver dns;
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  CacheWriter writer(&out);
  CacheBuilder builder({}, dns, writer);
  pb::MirrorlistSnapshotChunk hosts, arches;
  AddHost(hosts, 1, "DE");
  arches.add_arches()->set_id(1);
  ASSERT_THAT(builder.Consume(hosts), IsOk());
  EXPECT_THAT(builder.Consume(arches),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("arches after hosts")));
}

TEST(CacheBuilderTest, TrailerMustMatchTheRowsReceived) {
  ScriptedResolver dns;
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  CacheWriter writer(&out);
  CacheBuilder builder({}, dns, writer);
  pb::MirrorlistSnapshotChunk data, trailer;
  AddHost(data, 1, "DE");
  (*trailer.mutable_trailer()->mutable_row_counts())["hosts"] = 2;
  ASSERT_THAT(builder.Consume(data), IsOk());
  EXPECT_THAT(builder.Consume(trailer),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("received 1 rows of hosts")));
}

TEST(CacheBuilderTest, StreamWithoutTrailerIsIncomplete) {
  ScriptedResolver dns;
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  CacheWriter writer(&out);
  CacheBuilder builder({}, dns, writer);
  pb::MirrorlistSnapshotChunk data;
  AddHost(data, 1, "DE");
  ASSERT_THAT(builder.Consume(data), IsOk());
  EXPECT_THAT(builder.Finish(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// A snapshot that fills every field the generator writes.
pb::MirrorlistSnapshotChunk Everything() {
  pb::MirrorlistSnapshotChunk d;
  auto* arch = d.add_arches();
  arch->set_id(1);
  arch->set_name("x86_64");
  auto* cat = d.add_categories();
  cat->set_id(1);
  cat->set_topdir_id(10);
  AddDirectory(d, 10, "pub/fedora/linux");
  AddDirectory(d, 11, "pub/fedora/linux/releases/40/os");
  AddHost(d, 1, "de")->set_asn(553);
  auto* hc = d.add_host_categories();
  hc->set_id(1);
  hc->set_host_id(1);
  hc->set_category_id(1);
  hc->set_always_up2date(true);
  auto* url = d.add_host_category_urls();
  url->set_id(7);
  url->set_host_category_id(1);
  url->set_url("http://m1/fedora/linux");
  auto* allowed = d.add_host_country_allowed();
  allowed->set_host_id(1);
  allowed->set_country("de");
  auto* nb = d.add_host_netblocks();
  nb->set_host_id(1);
  nb->set_netblock("10.0.0.0/8");
  d.mutable_category_directories()->add_category_id(1);
  d.mutable_category_directories()->add_directory_id(11);
  auto* repo = d.add_repositories();
  repo->set_prefix("fedora-40");
  repo->set_arch_id(1);
  repo->set_version_id(1);
  repo->set_directory_id(11);
  repo->set_disabled(true);
  auto* rr = d.add_repository_redirects();
  rr->set_key("fedora-39");
  rr->set_value("fedora-40");
  auto* ccr = d.add_country_continent_redirects();
  ccr->set_key("IL");
  ccr->set_value("EU");
  auto* nc = d.add_netblock_countries();
  nc->set_key("192.0.2.0/24");
  nc->set_value("de");
  auto* fd = d.add_file_details();
  fd->set_directory_id(11);
  fd->set_filename("repomd.xml");
  fd->set_timestamp(5);
  fd->set_size(6);
  return d;
}

TEST(CacheBuilderTest, FieldsAreWrittenInFieldNumberOrder) {
  ScriptedResolver dns;
  ASSERT_OK_AND_ASSIGN(Built b, Build(Everything(), dns));
  std::vector<int> order = FieldOrder(b.bytes);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  std::vector<int> distinct = order;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  EXPECT_THAT(distinct, ElementsAre(1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16));
  EXPECT_TRUE(b.cache.IsInitialized());
  // The same entries written through the generated code give the same bytes.
  EXPECT_EQ(b.cache.SerializeAsString(), b.bytes);
  EXPECT_EQ(b.stats.entries.at("MirrorListCache"), 1);
  EXPECT_EQ(b.stats.entries.at("LocationCache"), 0);
  EXPECT_EQ(b.cache.netblockcountrycache(0).value(), "DE");
}

// cache-wire-format.md §4: field 16 has the two-byte tag 82 01; repeated int64 values are
// written unpacked, one tag per element (ByHostId {42: [421]} is 32 05 08 2a 10 a5 03); fields
// in field-number order inside the entry.
TEST(CacheBuilderTest, MirrorListCacheEntryBytes) {
  ScriptedResolver dns;
  pb::MirrorlistSnapshotChunk d;
  auto* cat = d.add_categories();
  cat->set_id(1);
  cat->set_topdir_id(1);
  AddDirectory(d, 1, "d");
  AddDirectory(d, 2, "d/x");
  AddHost(d, 42, "SE");
  auto* hc = d.add_host_categories();
  hc->set_id(5);
  hc->set_host_id(42);
  hc->set_category_id(1);
  hc->set_always_up2date(true);
  auto* url = d.add_host_category_urls();
  url->set_id(421);
  url->set_host_category_id(5);
  url->set_url("http://m");
  d.mutable_category_directories()->add_category_id(1);
  d.mutable_category_directories()->add_directory_id(2);
  ASSERT_OK_AND_ASSIGN(Built b, Build(d, dns));
  const std::string entry(
      "\x82\x01\x19"                      // MirrorListCache, 25 bytes
      "\x0a\x03\x64\x2f\x78"              // directory "d/x"
      "\x10\x2a"                          // Global 42
      "\x1a\x01\x78"                      // Subpath "x"
      "\x22\x06\x0a\x02\x53\x45\x10\x2a"  // ByCountry {"SE": [42]}
      "\x32\x05\x08\x2a\x10\xa5\x03",     // ByHostId {42: [421]}
      28);
  ASSERT_GE(b.bytes.size(), entry.size());
  EXPECT_EQ(b.bytes.substr(b.bytes.size() - entry.size()), entry);
}

// mirrorlist-server offers each host the first URL of its ByHostId list whose scheme it
// accepts (mirrorlist-server.md §2.16): https first, then http, ftp, rsync, others; by id
// within a scheme.
TEST(CacheBuilderTest, ByHostIdListsHttpsFirst) {
  ScriptedResolver dns;
  pb::MirrorlistSnapshotChunk d;
  auto* cat = d.add_categories();
  cat->set_id(1);
  cat->set_topdir_id(1);
  AddDirectory(d, 1, "top");
  AddDirectory(d, 2, "top/os");
  AddHost(d, 1, "DE");
  auto* hc = d.add_host_categories();
  hc->set_id(1);
  hc->set_host_id(1);
  hc->set_category_id(1);
  hc->set_always_up2date(true);
  int64_t id = 0;
  for (const char* u : {"rsync://m/a", "http://m/a", "gopher://m/a", "ftp://m/a", "https://m/a",
                        "http://m/b", "https://m/b", "HTTPS://m/c"}) {
    auto* url = d.add_host_category_urls();
    url->set_id(++id);
    url->set_host_category_id(1);
    url->set_url(u);
  }
  d.mutable_category_directories()->add_category_id(1);
  d.mutable_category_directories()->add_directory_id(2);
  ASSERT_OK_AND_ASSIGN(Built b, Build(d, dns));
  ASSERT_EQ(b.cache.mirrorlistcache_size(), 1);
  ASSERT_EQ(b.cache.mirrorlistcache(0).byhostid_size(), 1);
  // https 5, 7; http 2, 6; ftp 4; rsync 1; others (the server matches schemes exactly) 3, 8.
  EXPECT_THAT(b.cache.mirrorlistcache(0).byhostid(0).value(), ElementsAre(5, 7, 2, 6, 4, 1, 3, 8));
}

TEST(CacheBuilderTest, FileDetailsStreamAcrossChunksOneEntryPerDirectory) {
  ScriptedResolver dns;
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  BuildStats stats;
  {
    CacheWriter writer(&out);
    CacheBuilder builder({}, dns, writer);
    pb::MirrorlistSnapshotChunk dirs, fd1, fd2, fd3, trailer;
    AddDirectory(dirs, 1, "a");
    AddDirectory(dirs, 2, "b");
    auto add = [](pb::MirrorlistSnapshotChunk& c, int64_t dir, const char* file, int64_t ts) {
      auto* f = c.add_file_details();
      f->set_directory_id(dir);
      f->set_filename(file);
      f->set_timestamp(ts);
    };
    add(fd1, 1, "repomd.xml", 30);
    add(fd1, 1, "repomd.xml", 20);
    add(fd2, 1, "repomd.xml", 10);  // same file, next chunk
    add(fd2, 1, "summary", 5);
    add(fd3, 2, "repomd.xml", 1);
    auto& counts = *trailer.mutable_trailer()->mutable_row_counts();
    counts["directories"] = 2;
    counts["file_details"] = 5;
    for (auto* c : {&dirs, &fd1, &fd2, &fd3, &trailer}) ASSERT_THAT(builder.Consume(*c), IsOk());
    ASSERT_THAT(builder.Finish(), IsOk());
    ASSERT_THAT(writer.Finish(), IsOk());
  }
  mc::MirrorList cache;
  ASSERT_TRUE(cache.ParseFromString(bytes));
  ASSERT_EQ(cache.filedetailscache_size(), 2);
  const auto& a = cache.filedetailscache(0);
  EXPECT_EQ(a.directory(), "a");
  ASSERT_EQ(a.filedetailscachefiles_size(), 2);
  EXPECT_EQ(a.filedetailscachefiles(0).filename(), "repomd.xml");
  ASSERT_EQ(a.filedetailscachefiles(0).filedetails_size(), 3);
  EXPECT_EQ(a.filedetailscachefiles(0).filedetails(0).timestamp(), 30u);
  EXPECT_EQ(a.filedetailscachefiles(0).filedetails(2).timestamp(), 10u);
  EXPECT_EQ(cache.filedetailscache(1).directory(), "b");
}

TEST(CacheBuilderTest, FileDetailsOutOfDirectoryOrderAreRejected) {
  ScriptedResolver dns;
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  CacheWriter writer(&out);
  CacheBuilder builder({}, dns, writer);
  pb::MirrorlistSnapshotChunk c;
  AddDirectory(c, 1, "a");
  AddDirectory(c, 2, "b");
  for (int64_t dir : {2, 1}) {
    auto* f = c.add_file_details();
    f->set_directory_id(dir);
    f->set_filename("x");
  }
  EXPECT_THAT(builder.Consume(c), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(CacheBuilderTest, UnknownSizesAndTimesAreZeroAndHashesOptional) {
  ScriptedResolver dns;
  pb::MirrorlistSnapshotChunk d;
  AddDirectory(d, 1, "a");
  auto* f = d.add_file_details();
  f->set_directory_id(1);
  f->set_filename("f");
  f->set_sha256("abc");
  auto* g = d.add_file_details();
  g->set_directory_id(1);
  g->set_filename("g");
  g->set_timestamp(-5);
  g->set_size(-1);
  ASSERT_OK_AND_ASSIGN(Built b, Build(d, dns));
  const auto& files = b.cache.filedetailscache(0).filedetailscachefiles();
  const auto& fd = files.Get(0).filedetails(0);
  EXPECT_TRUE(fd.has_timestamp());  // required: written even when 0
  EXPECT_EQ(fd.timestamp(), 0u);
  EXPECT_EQ(fd.size(), 0u);
  EXPECT_EQ(fd.sha256(), "abc");
  EXPECT_FALSE(fd.has_md5());
  EXPECT_FALSE(fd.has_sha1());
  EXPECT_EQ(files.Get(1).filedetails(0).timestamp(), 0u);
  EXPECT_EQ(files.Get(1).filedetails(0).size(), 0u);
}

TEST(CacheBuilderTest, InvalidUtf8IsLeftOut) {
  ScriptedResolver dns;
  pb::MirrorlistSnapshotChunk d = Everything();
  AddDirectory(d, 12, "pub/fedora/linux/caf\xe9");
  d.mutable_category_directories()->add_category_id(1);
  d.mutable_category_directories()->add_directory_id(12);
  auto* url = d.add_host_category_urls();
  url->set_id(8);
  url->set_host_category_id(1);
  url->set_url("http://bad\xff");
  auto* f = d.add_file_details();
  f->set_directory_id(11);
  f->set_filename("bad\xc3");
  auto* g = d.add_file_details();
  g->set_directory_id(11);
  g->set_filename("zz");
  g->set_md5("\xff\xfe");
  g->set_sha1("ok");
  ASSERT_OK_AND_ASSIGN(Built b, Build(d, dns));
  EXPECT_EQ(b.cache.mirrorlistcache_size(), 1);  // not the Latin-1 directory
  EXPECT_EQ(b.cache.hcurlcache_size(), 1);
  EXPECT_THAT(b.cache.mirrorlistcache(0).byhostid(0).value(), ElementsAre(7));
  const auto& files = b.cache.filedetailscache(0).filedetailscachefiles();
  ASSERT_EQ(files.size(), 2);  // repomd.xml and zz
  EXPECT_FALSE(files.Get(1).filedetails(0).has_md5());
  EXPECT_EQ(files.Get(1).filedetails(0).sha1(), "ok");
  EXPECT_EQ(b.stats.dropped.at("invalid_utf8"), 4);
}

TEST(CacheBuilderTest, HostNamesResolvedForActiveHostsOnly) {
  ScriptedResolver dns;
  dns.answers["mirror.example.org"] = {"192.0.2.1", "2001:db8::1"};
  dns.answers["inactive.example.org"] = {"192.0.2.2"};
  pb::MirrorlistSnapshotChunk d;
  AddHost(d, 1, "DE");
  AddHost(d, 2, "DE")->set_admin_active(false);
  auto nb = [&](int64_t host, const char* text) {
    auto* n = d.add_host_netblocks();
    n->set_host_id(host);
    n->set_netblock(text);
  };
  nb(1, "mirror.example.org");
  nb(1, "unknown.example.org");
  nb(1, "10.0.0.0/255.0.0.0");
  nb(1, "not valid!");
  nb(2, "inactive.example.org");
  nb(3, "192.0.2.9");  // no such host
  ASSERT_OK_AND_ASSIGN(Built b, Build(d, dns));
  EXPECT_THAT(dns.asked, ElementsAre("mirror.example.org", "unknown.example.org"));
  std::vector<std::string> keys;
  for (const auto& e : b.cache.hostnetblockcache()) {
    keys.push_back(e.key());
    EXPECT_THAT(e.value(), ElementsAre(1));
  }
  EXPECT_THAT(keys, ElementsAre("192.0.2.1/32", "2001:db8::1/128", "10.0.0.0/8"));
  EXPECT_EQ(b.stats.dns_names, 2);
  EXPECT_EQ(b.stats.dns_failures, 1);
  EXPECT_EQ(b.stats.dropped.at("netblock_unresolved"), 1);
  EXPECT_EQ(b.stats.dropped.at("netblock_unparsable"), 1);
}

// Netblocks of host 1: a host name and a CIDR network.
pb::MirrorlistSnapshotChunk NameAndNetwork(const std::string& name) {
  pb::MirrorlistSnapshotChunk d;
  AddHost(d, 1, "DE");
  for (const std::string& text : {name, std::string("10.0.0.0/8")}) {
    auto* n = d.add_host_netblocks();
    n->set_host_id(1);
    n->set_netblock(text);
  }
  auto* fd = d.add_file_details();  // sections after the netblocks, as in a real stream
  fd->set_directory_id(1);
  fd->set_filename("repomd.xml");
  AddDirectory(d, 1, "pub");
  return d;
}

TEST(CacheBuilderTest, HungResolverIsCutOffAtTheDnsTimeout) {
  HangingResolver dns;
  const absl::Duration timeout = absl::Seconds(1);
  absl::Time start = absl::Now();
  ASSERT_OK_AND_ASSIGN(Built b, Build(NameAndNetwork("stuck.example.org"), dns, 1, timeout));
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(dns.calls(), 1);
  EXPECT_GE(took, timeout - absl::Milliseconds(50));   // it did wait for the resolver ...
  EXPECT_LT(took, timeout + absl::Milliseconds(300));  // ... but no longer than the timeout
  ASSERT_EQ(b.cache.hostnetblockcache_size(), 1);
  EXPECT_EQ(b.cache.hostnetblockcache(0).key(), "10.0.0.0/8");
  EXPECT_EQ(b.stats.dns_names, 1);
  EXPECT_EQ(b.stats.dns_failures, 1);
  EXPECT_EQ(b.stats.dropped.at("netblock_unresolved"), 1);
  // A second build while the first lookup is still stuck is bounded the same way.
  start = absl::Now();
  ASSERT_OK_AND_ASSIGN(Built again, Build(NameAndNetwork("stuck.example.org"), dns, 1, timeout));
  EXPECT_LT(absl::Now() - start, timeout + absl::Milliseconds(300));
  EXPECT_EQ(dns.calls(), 2);
  dns.Release();  // the abandoned lookups end; their results go nowhere
}

// The system resolver on this offline machine: a name under .invalid (RFC 6761) never
// resolves, whether the name server answers NXDOMAIN, is unreachable or does not answer.
TEST(CacheBuilderTest, SystemResolverUnresolvableNameIsBounded) {
  SystemResolver dns(4);
  const absl::Duration timeout = absl::Seconds(2);
  absl::Time start = absl::Now();
  ASSERT_OK_AND_ASSIGN(Built b, Build(NameAndNetwork("mm-unresolvable.invalid"), dns, 1, timeout));
  EXPECT_LT(absl::Now() - start, timeout + absl::Milliseconds(300));
  ASSERT_EQ(b.cache.hostnetblockcache_size(), 1);
  EXPECT_EQ(b.cache.hostnetblockcache(0).key(), "10.0.0.0/8");
  EXPECT_EQ(b.stats.dns_failures, 1);
  EXPECT_EQ(b.stats.dropped.at("netblock_unresolved"), 1);
}

TEST(CacheBuilderTest, NoDuplicateKeysInStringMaps) {
  ScriptedResolver dns;
  pb::MirrorlistSnapshotChunk d;
  auto* arch = d.add_arches();
  arch->set_id(1);
  arch->set_name("b+c");
  auto* arch2 = d.add_arches();
  arch2->set_id(2);
  arch2->set_name("c");
  AddDirectory(d, 1, "one");
  AddDirectory(d, 2, "two");
  auto repo = [&](const char* prefix, int64_t arch_id, int64_t dir, bool disabled) {
    auto* r = d.add_repositories();
    r->set_prefix(prefix);
    r->set_arch_id(arch_id);
    r->set_directory_id(dir);
    r->set_disabled(disabled);
  };
  repo("a", 1, 1, true);    // key "a+b+c"
  repo("a+b", 2, 2, true);  // key "a+b+c" again
  repo("a", 2, 2, true);    // disabled prefix "a" again (another arch)
  for (const char* from : {"x", "x"}) {
    auto* p = d.add_repository_redirects();
    p->set_key(from);
    p->set_value("y");
  }
  auto* null_redirect = d.add_repository_redirects();
  null_redirect->set_key("z");  // to_repo NULL
  for (const char* cc : {"il", "IL"}) {
    auto* p = d.add_country_continent_redirects();
    p->set_key(cc);
    p->set_value("eu");
  }
  for (const char* nb : {"192.0.2.0/24", "192.0.2.0/24", "garbage"}) {
    auto* p = d.add_netblock_countries();
    p->set_key(nb);
    p->set_value("SE");
  }
  ASSERT_OK_AND_ASSIGN(Built b, Build(d, dns));
  ASSERT_EQ(b.cache.repoarchtodirectoryname_size(), 2);
  EXPECT_EQ(b.cache.repoarchtodirectoryname(0).key(), "a+b+c");
  EXPECT_EQ(b.cache.repoarchtodirectoryname(0).value(), "one");
  EXPECT_EQ(b.cache.repoarchtodirectoryname(1).key(), "a+c");
  ASSERT_EQ(b.cache.disabledrepositorycache_size(), 2);  // "a" once, "a+b"
  ASSERT_EQ(b.cache.repositoryredirectcache_size(), 1);
  ASSERT_EQ(b.cache.countrycontinentredirectcache_size(), 1);
  EXPECT_EQ(b.cache.countrycontinentredirectcache(0).key(), "IL");
  EXPECT_EQ(b.cache.countrycontinentredirectcache(0).value(), "EU");
  ASSERT_EQ(b.cache.netblockcountrycache_size(), 1);
  EXPECT_EQ(b.stats.dropped.at("netblock_country_not_cidr"), 1);
}

// Upstream wrote country_continent_redirect verbatim and the server matches keys exactly
// against upper-case codes: only "IL" took effect there. Upper-casing must not let the earlier
// "il" row take its place; a key present only in lower case is applied.
TEST(CacheBuilderTest, CountryContinentRedirectExactKeyWinsOverCaseVariants) {
  ScriptedResolver dns;
  pb::MirrorlistSnapshotChunk d;
  for (const auto& [country, continent] : std::vector<std::pair<std::string, std::string>>{
           {"il", "AS"}, {"IL", "eu"}, {"cy", "eu"}, {"Il", "AF"}}) {
    auto* p = d.add_country_continent_redirects();
    p->set_key(country);
    p->set_value(continent);
  }
  ASSERT_OK_AND_ASSIGN(Built b, Build(d, dns));
  const auto& ccr = b.cache.countrycontinentredirectcache();
  ASSERT_EQ(ccr.size(), 2);  // row order kept
  EXPECT_EQ(ccr.Get(0).key(), "IL");
  EXPECT_EQ(ccr.Get(0).value(), "EU");
  EXPECT_EQ(ccr.Get(1).key(), "CY");
  EXPECT_EQ(ccr.Get(1).value(), "EU");
  EXPECT_EQ(b.stats.dropped.at("duplicate_key"), 2);
}

}  // namespace
}  // namespace mm::cachegen::testing
