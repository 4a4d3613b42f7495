// The MRT reader against files written by tests/unit/netblocks/mrt_writer: every record shape the
// reader knows, checked against Debian's bgpdump (the reference reader) and against explicit
// expectations; malformed input is counted and skipped, never a crash.
#include "services/netblocks/mrt_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <random>

#include "services/netblocks/netblock_table.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/unit/netblocks/bgpdump_reference.h"
#include "tests/unit/netblocks/mrt_writer.h"
#include "tests/unit/netblocks/server_netblocks_model.h"

namespace mm::netblocks {
namespace {

using ::mm::testing::IsOk;
using ::mm::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAreArray;
using namespace ::mm::netblocks::testing;  // NOLINT: test helpers

using Entries = std::vector<std::pair<std::string, uint32_t>>;

// Records every route.
class CollectingSink final : public RouteSink {
 public:
  absl::Status OnRoute(const Prefix& p, std::optional<uint32_t> origin) override {
    routes.emplace_back(FormatPrefix(p), origin);
    return absl::OkStatus();
  }
  std::vector<std::pair<std::string, std::optional<uint32_t>>> routes;
};

Attributes Path(std::vector<Segment> segments) {
  Attributes a;
  a.as_path = std::move(segments);
  return a;
}
Segment Seq(std::vector<uint32_t> ases) { return Segment{kAsSequence, std::move(ases)}; }
Segment Set(std::vector<uint32_t> ases) { return Segment{kAsSet, std::move(ases)}; }
Segment ConfedSeq(std::vector<uint32_t> ases) {
  return Segment{kAsConfedSequence, std::move(ases)};
}
Segment ConfedSet(std::vector<uint32_t> ases) { return Segment{kAsConfedSet, std::move(ases)}; }

RibEntry Entry(Attributes a, uint16_t peer = 0) {
  RibEntry e;
  e.peer_index = peer;
  e.attrs = std::move(a);
  return e;
}

std::vector<Peer> Peers() {
  return {Peer{0x0A000001, false, V4("192.0.2.1"), 3356, true},
          Peer{0x0A000002, false, V4("192.0.2.2"), 174, false},
          Peer{0x0A000003, true, V6("2001:db8::1"), 4200000001u, true},
          Peer{0x0A000004, true, V6("2001:db8::2"), 6939, false}};
}

// Every record shape of the reader's contract, in one dump. bgpdump -m prints legacy
// TABLE_DUMP subtype 4 (IPv6, 4-byte ASes) prefixes as IPv4 addresses (a bug in its one-line
// output), so the comparison with it leaves that record out and checks it separately.
std::string EveryShape(bool legacy_ipv6_as4 = true) {
  MrtWriter w;
  w.PeerIndexTable(0xC0000201, "route-views", Peers());
  uint32_t seq = 0;
  // Plain AS_SEQUENCE; several entries (the first decides).
  w.RibUnicast(false, seq++, V4("1.0.0.0"), 24,
               {Entry(Path({Seq({3356, 13335})})), Entry(Path({Seq({174, 999})}), 1)});
  // 4-byte ASNs.
  w.RibUnicast(false, seq++, V4("1.1.0.0"), 16, {Entry(Path({Seq({3356, 4200000123u})}))});
  // SEQUENCE then SET: the sequence's last AS.
  w.RibUnicast(false, seq++, V4("2.0.0.0"), 8, {Entry(Path({Seq({1299, 2914}), Set({5, 6})}))});
  // SET first, then SEQUENCE.
  w.RibUnicast(false, seq++, V4("3.0.0.0"), 9, {Entry(Path({Set({7, 8}), Seq({701, 702})}))});
  // Confederation sequence before the sequence, confederation set after it.
  w.RibUnicast(false, seq++, V4("4.0.0.0"), 10,
               {Entry(Path({ConfedSeq({65001, 65002}), Seq({6453, 6454}), ConfedSet({65003})}))});
  // Two adjacent AS_SEQUENCE segments (a path longer than 255 ASes is split like this).
  w.RibUnicast(false, seq++, V4("5.0.0.0"), 11, {Entry(Path({Seq({1, 2}), Seq({3, 4})}))});
  // A sequence interrupted by a set: the first run decides.
  w.RibUnicast(false, seq++, V4("6.0.0.0"), 12,
               {Entry(Path({Seq({11, 12}), Set({13}), Seq({14})}))});
  // Only a set: no origin.
  w.RibUnicast(false, seq++, V4("7.0.0.0"), 13, {Entry(Path({Set({21, 22})}))});
  // Empty AS_PATH (locally originated): no origin.
  w.RibUnicast(false, seq++, V4("8.0.0.0"), 14, {Entry(Path({}))});
  // No AS_PATH attribute at all: no origin.
  {
    Attributes a;
    a.has_as_path = false;
    w.RibUnicast(false, seq++, V4("9.0.0.0"), 15, {Entry(a)});
  }
  // Host bits set in the prefix bytes: canonicalised.
  w.RibUnicast(false, seq++, V4("10.255.0.0"), 12, {Entry(Path({Seq({64512, 31})}))});
  // Default route: dropped.
  w.RibUnicast(false, seq++, V4("0.0.0.0"), 0, {Entry(Path({Seq({3356})}))});
  // /32 and /25.
  w.RibUnicast(false, seq++, V4("11.12.13.14"), 32, {Entry(Path({Seq({100, 101})}))});
  w.RibUnicast(false, seq++, V4("11.12.13.128"), 25, {Entry(Path({Seq({102})}))});
  // The same prefix again with another origin: the later record decides.
  w.RibUnicast(false, seq++, V4("1.0.0.0"), 24, {Entry(Path({Seq({3356, 55555})}))});
  // AS4_PATH in a TABLE_DUMP_V2 entry: ignored (AS_PATH is already 4-byte).
  {
    Attributes a = Path({Seq({3356, 23456})});
    a.as4_path = std::vector<Segment>{Seq({3356, 77777})};
    w.RibUnicast(false, seq++, V4("12.0.0.0"), 16, {Entry(a)});
  }
  // AS_PATH with a one-byte length field, after other attributes; MED and communities.
  {
    Attributes a = Path({Seq({6939, 64496})});
    a.extended_length_as_path = false;
    a.as_path_first = true;
    a.med = 10;
    a.communities = {0xFFFFFF01, (3356u << 16) | 100};
    w.RibUnicast(false, seq++, V4("13.0.0.0"), 17, {Entry(a)});
  }
  // A long path (> 255 bytes, two adjacent segments of 200 ASes).
  {
    std::vector<uint32_t> a(200), b(200);
    for (uint32_t i = 0; i < 200; ++i) {
      a[i] = 1000 + i;
      b[i] = 2000 + i;
    }
    w.RibUnicast(false, seq++, V4("14.0.0.0"), 18, {Entry(Path({Seq(a), Seq(b)}))});
  }
  // A record without entries: nothing reported.
  w.RibUnicast(false, seq++, V4("15.0.0.0"), 19, {});
  // Excluded by upstream's patterns.
  w.RibUnicast(true, seq++, V6("2001::"), 32, {Entry(Path({Seq({6939, 1101})}), 2)});
  // IPv6 shapes.
  w.RibUnicast(true, seq++, V6("2001:db8::"), 32, {Entry(Path({Seq({6939, 64500})}), 2)});
  w.RibUnicast(true, seq++, V6("2a00:1450:4001::"), 48,
               {Entry(Path({Seq({3356, 15169})}), 3), Entry(Path({Seq({174, 1})}), 2)});
  w.RibUnicast(true, seq++, V6("2a00:1450:4001:800::200e"), 128,
               {Entry(Path({Seq({15169}), Set({1, 2})}), 2)});
  w.RibUnicast(true, seq++, V6("2600:ffff::"), 20, {Entry(Path({Seq({4200000002u})}), 2)});
  w.RibUnicast(true, seq++, V6("2c0f:ffff:ffff::"), 33, {Entry(Path({Set({1})}), 2)});
  w.RibUnicast(true, seq++, V6("::"), 0, {Entry(Path({Seq({1})}), 2)});
  // Legacy TABLE_DUMP: 2-byte ASes (IPv4, IPv6), 4-byte variants.
  w.TableDump(1, 0, V4("100.0.0.0"), 8, 3356, Path({Seq({3356, 20940})}));
  w.TableDump(2, 1, V6("2400:cb00::"), 32, 6939, Path({Seq({6939, 13335})}));
  w.TableDump(3, 2, V4("101.0.0.0"), 8, 4200000001u, Path({Seq({4200000001u, 4200000005u})}));
  if (legacy_ipv6_as4) {
    w.TableDump(4, 3, V6("2400:cb01::"), 32, 4200000001u, Path({Seq({3356, 4200000006u})}));
  }
  // Legacy 2-byte AS_PATH with AS_TRANS and an AS4_PATH: merged (RFC 6793).
  {
    Attributes a = Path({Seq({3356, 1299, 23456})});
    a.as4_path = std::vector<Segment>{Seq({1299, 200000})};
    w.TableDump(1, 4, V4("102.0.0.0"), 8, 3356, a);
  }
  // AS4_PATH longer than AS_PATH: ignored.
  {
    Attributes a = Path({Seq({3356, 23456})});
    a.as4_path = std::vector<Segment>{Seq({1, 2, 3, 300000})};
    w.TableDump(1, 5, V4("103.0.0.0"), 8, 3356, a);
  }
  // AS4_PATH in a 4-byte legacy record: ignored.
  {
    Attributes a = Path({Seq({3356, 400000})});
    a.as4_path = std::vector<Segment>{Seq({500000})};
    w.TableDump(3, 6, V4("104.0.0.0"), 8, 3356, a);
  }
  // Records the reader skips: a multicast RIB, a BGP4MP state change, an unknown type.
  {
    std::string body;
    body += std::string("\x00\x00\x00\x09\x18\x01\x02\x03\x00\x00", 10);
    w.Raw(13, 3, body);
    std::string state(
        "\x0d\x1c\x00\xae\x00\x00\x00\x01\xc0\x00\x02\x01\xc0\x00\x02\x02\x00\x01\x00\x02", 20);
    w.Raw(16, 0, state);
    w.Raw(99, 1, "whatever");
  }
  return w.Take();
}

Entries Expected() {
  return {{"1.0.0.0/24", 55555},
          {"1.1.0.0/16", 4200000123u},
          {"2.0.0.0/8", 2914},
          {"3.0.0.0/9", 702},
          {"4.0.0.0/10", 6454},
          {"5.0.0.0/11", 4},
          {"6.0.0.0/12", 12},
          {"10.240.0.0/12", 31},
          {"11.12.13.14/32", 101},
          {"11.12.13.128/25", 102},
          {"12.0.0.0/16", 23456},
          {"13.0.0.0/17", 64496},
          {"14.0.0.0/18", 2199},
          {"100.0.0.0/8", 20940},
          {"101.0.0.0/8", 4200000005u},
          {"102.0.0.0/8", 200000},
          {"103.0.0.0/8", 23456},
          {"104.0.0.0/8", 400000},
          {"2001:db8::/32", 64500},
          {"2a00:1450:4001::/48", 15169},
          {"2a00:1450:4001:800::200e/128", 15169},
          {"2600:f000::/20", 4200000002u},
          {"2400:cb00::/32", 13335},
          {"2400:cb01::/32", 4200000006u}};
}

class MrtReaderTest : public ::testing::Test {
 protected:
  std::string TempPath(const std::string& name) {
    char tmpl[] = "/tmp/mrt_reader_test.XXXXXX";
    if (dir_.empty()) dir_ = mkdtemp(tmpl);
    return dir_ + "/" + name;
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf " + dir_).c_str());
  }

  // Reads `data` through the reader into a table; returns rendered entries.
  Entries ReadAll(const std::string& data, MrtStats* stats = nullptr) {
    NetblockTable table;
    MrtReader reader(table);
    EXPECT_THAT(reader.Consume(data), IsOk());
    EXPECT_THAT(reader.Finish(), IsOk());
    if (stats) *stats = reader.stats();
    std::string text;
    table.Render(text);
    std::string path = TempPath("out.txt");
    WriteFile(path, text);
    return ReadNetblocksFile(path);
  }

  std::string dir_;
};

TEST_F(MrtReaderTest, EveryRecordShapeGivesTheExpectedOrigins) {
  MrtStats stats;
  Entries got = ReadAll(EveryShape(), &stats);
  EXPECT_EQ(got, Expected());
  EXPECT_EQ(stats.peer_index_tables, 1u);
  EXPECT_EQ(stats.records, 37u);
  EXPECT_EQ(stats.rib_ipv4, 18u + 5u);  // 19 v4 RIB records minus the empty one; 5 legacy v4
  EXPECT_EQ(stats.rib_ipv6, 7u + 2u);
  EXPECT_EQ(stats.ignored, 2u);  // multicast RIB, BGP4MP
  EXPECT_EQ(stats.unknown, 1u);
  EXPECT_EQ(stats.malformed, 0u);
  EXPECT_EQ(stats.truncated_bytes, 0u);
}

TEST_F(MrtReaderTest, MatchesBgpdumpOnEveryRecordShape) {
  std::string path = TempPath("every_shape.mrt");
  ASSERT_TRUE(WriteFile(path, EveryShape(false)));
  ReferenceTable ref = BgpdumpOrigins(path);
  ASSERT_EQ(ref.error, "");
  ASSERT_GT(ref.lines, 30);
  Entries ours = ReadAll(EveryShape(false));
  EXPECT_THAT(ours, UnorderedElementsAreArray(ref.entries));
}

// What mirrorlist-server loads from our output answers every lookup as it would from bgpdump's
// reading: the network, first and last address of every prefix and the address after it.
TEST_F(MrtReaderTest, OurOutputLoadsInMirrorlistServerAsBgpdumpsReadingWould) {
  std::string path = TempPath("every_shape.mrt");
  ASSERT_TRUE(WriteFile(path, EveryShape(false)));
  ReferenceTable ref = BgpdumpOrigins(path);
  ASSERT_EQ(ref.error, "");
  std::string ref_text;
  for (const auto& [prefix, origin] : ref.entries) {
    ref_text += prefix + " " + std::to_string(origin) + "\n";
  }
  NetblockTable table;
  MrtReader reader(table);
  ASSERT_THAT(reader.Consume(EveryShape(false)), IsOk());
  ASSERT_THAT(reader.Finish(), IsOk());
  std::string ours_text;
  table.Render(ours_text);

  ServerNetblocksModel ours(ours_text), theirs(ref_text);
  EXPECT_EQ(ours.hazard(), "");
  EXPECT_TRUE(ours.starts());
  EXPECT_EQ(ours.skipped_lines(), 0);
  EXPECT_EQ(ours.ipv4_size() + ours.ipv6_size(), ref.entries.size());
  for (const auto& [prefix, origin] : ref.entries) {
    EXPECT_EQ(ours.Exact(prefix), std::optional<std::string>(std::to_string(origin))) << prefix;
    Prefix p;
    ASSERT_TRUE(ParsePrefix(prefix, &p));
    Prefix last = p;
    for (int bit = p.length; bit < MaxPrefixLength(p.family); ++bit) {
      last.addr[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
    }
    Prefix after = last;
    for (int i = AddressBytes(p.family) - 1; i >= 0 && ++after.addr[i] == 0; --i) {
    }
    for (const Prefix& a : {p, last, after}) {
      Prefix host = a;
      host.length = static_cast<uint8_t>(MaxPrefixLength(a.family));
      std::string ip = FormatPrefix(host);
      ip = ip.substr(0, ip.find('/'));
      EXPECT_EQ(ours.LongestMatch(ip), theirs.LongestMatch(ip)) << prefix << " at " << ip;
    }
  }
}

TEST_F(MrtReaderTest, LegacyIpv6With4ByteAsesMatchesBgpdumpVerboseOutput) {
  MrtWriter w;
  w.TableDump(4, 3, V6("2400:cb01::"), 32, 4200000001u, Path({Seq({3356, 4200000006u})}));
  std::string path = TempPath("legacy4.mrt");
  ASSERT_TRUE(WriteFile(path, w.data()));
  auto r = mm::testing::RunProcess(kBgpdump, {path});
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->out, HasSubstr("TYPE: TABLE_DUMP/INET6_32BIT_AS"));
  EXPECT_THAT(r->out, HasSubstr("PREFIX: 2400:cb01::/32"));
  EXPECT_THAT(r->out, HasSubstr("ASPATH: 3356 4200000006"));
  EXPECT_THAT(ReadAll(w.data()), ElementsAre(Pair("2400:cb01::/32", 4200000006u)));
}

TEST_F(MrtReaderTest, MatchesBgpdumpOnCompressedRandomTables) {
  // Random tables with random paths, written plain, bzip2 and gzip: the reference reads each.
  std::mt19937 rng(42);
  for (int round = 0; round < 3; ++round) {
    MrtWriter w;
    w.PeerIndexTable(1, "", Peers());
    for (uint32_t i = 0; i < 3000; ++i) {
      bool v6 = rng() % 4 == 0;
      std::string addr(16, '\0');
      for (auto& c : addr) c = static_cast<char>(rng());
      uint8_t len = static_cast<uint8_t>(v6 ? 16 + rng() % 113 : 8 + rng() % 25);
      std::vector<RibEntry> entries;
      int n = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < n; ++e) {
        std::vector<Segment> segs;
        int nseg = static_cast<int>(rng() % 4);
        for (int s = 0; s < nseg; ++s) {
          Segment seg;
          seg.type = (rng() % 4 == 0) ? kAsSet : kAsSequence;
          int count = 1 + static_cast<int>(rng() % 5);
          for (int k = 0; k < count; ++k) {
            seg.ases.push_back(rng() % 3 == 0 ? 65536 + rng() % 4000000000u : 1 + rng() % 65000);
          }
          segs.push_back(seg);
        }
        entries.push_back(Entry(Path(segs), static_cast<uint16_t>(rng() % 4)));
      }
      w.RibUnicast(v6, i, addr.substr(0, v6 ? 16 : 4), len, entries);
    }
    std::string mrt = w.Take();
    Entries ours = ReadAll(mrt);
    for (const auto& [name, data] : std::vector<std::pair<std::string, std::string>>{
             {"r.mrt", mrt}, {"r.mrt.bz2", Bzip2(mrt)}, {"r.mrt.gz", Gzip(mrt)}}) {
      std::string path = TempPath(name);
      ASSERT_TRUE(WriteFile(path, data));
      ReferenceTable ref = BgpdumpOrigins(path);
      ASSERT_EQ(ref.error, "");
      EXPECT_THAT(ours, UnorderedElementsAreArray(ref.entries)) << name << " round " << round;
    }
  }
}

TEST_F(MrtReaderTest, AnySplitOfTheInputGivesTheSameResult) {
  std::string data = EveryShape();
  CollectingSink whole;
  {
    MrtReader r(whole);
    ASSERT_THAT(r.Consume(data), IsOk());
    ASSERT_THAT(r.Finish(), IsOk());
  }
  for (size_t step : {1u, 2u, 3u, 7u, 12u, 13u, 100u, 4096u}) {
    CollectingSink pieces;
    MrtReader r(pieces);
    for (size_t off = 0; off < data.size(); off += step) {
      ASSERT_THAT(r.Consume(std::string_view(data).substr(off, step)), IsOk());
    }
    ASSERT_THAT(r.Finish(), IsOk());
    EXPECT_EQ(pieces.routes, whole.routes) << "step " << step;
    EXPECT_EQ(r.stats().records, 37u);
  }
}

TEST_F(MrtReaderTest, OriginRuleOnRawPaths) {
  auto origin = [](const std::vector<Segment>& path, int as_size,
                   std::optional<std::vector<Segment>> as4 = std::nullopt) {
    std::string p = EncodeSegments(path, as_size);
    std::string p4 = as4 ? EncodeSegments(*as4, 4) : "";
    std::optional<uint32_t> o;
    bool ok =
        OriginFromPaths(reinterpret_cast<const uint8_t*>(p.data()), p.size(), as_size,
                        as4 ? reinterpret_cast<const uint8_t*>(p4.data()) : nullptr, p4.size(), &o);
    return ok ? (o ? static_cast<int64_t>(*o) : -1) : -2;
  };
  EXPECT_EQ(origin({Seq({1, 2, 3})}, 4), 3);
  EXPECT_EQ(origin({Seq({1, 2, 3})}, 2), 3);
  EXPECT_EQ(origin({}, 4), -1);
  EXPECT_EQ(origin({Set({1, 2})}, 4), -1);
  EXPECT_EQ(origin({Seq({})}, 4), -1);
  EXPECT_EQ(origin({Seq({}), Seq({5})}, 4), 5);
  EXPECT_EQ(origin({Seq({1}), ConfedSeq({2}), Seq({3})}, 4), 1);
  // AS4_PATH merge (2-byte AS_PATH only).
  EXPECT_EQ(origin({Seq({10, 20, 23456, 23456})}, 2, std::vector<Segment>{Seq({70000, 80000})}),
            80000);
  EXPECT_EQ(origin({Seq({10, 23456})}, 2, std::vector<Segment>{Seq({70000, 80000})}), 80000)
      << "equal counts: AS4_PATH replaces the path";
  EXPECT_EQ(
      origin({Seq({10}), Set({1, 2, 3}), Seq({23456})}, 2, std::vector<Segment>{Seq({80000})}), 10)
      << "leading ASes of AS_PATH come first; the SET is counted as one";
  EXPECT_EQ(origin({Seq({23456})}, 2, std::vector<Segment>{Seq({1, 80000})}), 23456)
      << "AS4_PATH longer than AS_PATH is ignored";
  EXPECT_EQ(origin({Seq({1, 23456})}, 2, std::vector<Segment>{ConfedSeq({5}), Seq({80000})}), 23456)
      << "AS4_PATH with confederation segments is discarded";
  EXPECT_EQ(origin({Seq({1, 2})}, 4, std::vector<Segment>{Seq({80000})}), 2)
      << "AS4_PATH is ignored next to a 4-byte AS_PATH";
  // Malformed paths.
  std::optional<uint32_t> o;
  const uint8_t bad_type[] = {7, 1, 0, 0, 0, 1};
  EXPECT_FALSE(OriginFromPaths(bad_type, sizeof bad_type, 4, nullptr, 0, &o));
  const uint8_t overflow[] = {2, 3, 0, 0, 0, 1};
  EXPECT_FALSE(OriginFromPaths(overflow, sizeof overflow, 4, nullptr, 0, &o));
  const uint8_t half_header[] = {2};
  EXPECT_FALSE(OriginFromPaths(half_header, sizeof half_header, 4, nullptr, 0, &o));
  // A malformed AS4_PATH is discarded, the AS_PATH result stays.
  const uint8_t path2[] = {2, 1, 0x5B, 0xA0};
  const uint8_t bad4[] = {2, 5, 0, 1};
  EXPECT_TRUE(OriginFromPaths(path2, sizeof path2, 2, bad4, sizeof bad4, &o));
  EXPECT_EQ(o, 23456u);
}

// Builds a TABLE_DUMP_V2 RIB body by hand.
std::string RibBody(uint8_t plen, const std::string& prefix_bytes, uint16_t entries,
                    const std::string& rest) {
  std::string b("\x00\x00\x00\x01", 4);
  b.push_back(static_cast<char>(plen));
  b += prefix_bytes;
  b.push_back(static_cast<char>(entries >> 8));
  b.push_back(static_cast<char>(entries));
  return b + rest;
}

std::string EntryBytes(const std::string& attrs) {
  std::string e("\x00\x00\x65\x5f\x00\x00", 6);
  e.push_back(static_cast<char>(attrs.size() >> 8));
  e.push_back(static_cast<char>(attrs.size()));
  return e + attrs;
}

TEST_F(MrtReaderTest, MalformedRecordsAreCountedAndSkipped) {
  const std::string good_attrs = EncodeAttributes(Path({Seq({3356, 64511})}), 4);
  MrtWriter w;
  w.PeerIndexTable(1, "v", Peers());
  // Prefix length over 32 / over 128.
  w.Raw(13, 2, RibBody(33, std::string(5, '\x01'), 1, EntryBytes(good_attrs)));
  w.Raw(13, 4, RibBody(129, std::string(17, '\x01'), 1, EntryBytes(good_attrs)));
  // Prefix bytes run past the record.
  w.Raw(13, 2, std::string("\x00\x00\x00\x01\x18\x01", 6));
  // Entry count larger than the entries present.
  w.Raw(13, 2, RibBody(24, "\x01\x02\x03", 2, EntryBytes(good_attrs)));
  // Attribute length larger than the record.
  {
    std::string e = EntryBytes(good_attrs);
    e[6] = '\x7f';
    w.Raw(13, 2, RibBody(24, "\x01\x02\x04", 1, e));
  }
  // An attribute running past the attribute list.
  {
    std::string attrs = good_attrs;
    attrs[2] = static_cast<char>(0xF0);  // ORIGIN length 240
    w.Raw(13, 2, RibBody(24, "\x01\x02\x05", 1, EntryBytes(attrs)));
  }
  // AS_PATH with an unknown segment type, and with a segment count past its end.
  w.Raw(13, 2,
        RibBody(24, "\x01\x02\x06", 1,
                EntryBytes(std::string("\x40\x02\x06\x07\x01\x00\x00\x0d\x05", 9))));
  w.Raw(13, 2,
        RibBody(24, "\x01\x02\x07", 1,
                EntryBytes(std::string("\x40\x02\x06\x02\x09\x00\x00\x0d\x05", 9))));
  // Truncated PEER_INDEX_TABLE, truncated legacy TABLE_DUMP, legacy prefix length over 32 / 128.
  w.Raw(13, 1, std::string("\x01\x02\x03\x04\x00\x05", 6) + "ab");
  w.Raw(12, 1, std::string(10, '\0'));
  {
    MrtWriter legacy;
    legacy.TableDump(1, 0, V4("1.2.3.0"), 24, 1, Path({Seq({1})}));
    std::string body = legacy.data().substr(12);
    body[8] = 40;
    w.Raw(12, 1, body);
  }
  {
    // Legacy IPv6 prefix length over 128 (after view, sequence and 16 address bytes).
    MrtWriter legacy;
    legacy.TableDump(2, 0, V6("2001:db8::"), 32, 1, Path({Seq({1})}));
    std::string body = legacy.data().substr(12);
    body[20] = static_cast<char>(129);
    w.Raw(12, 2, body);
  }
  // Unknown subtypes of known types, unknown type.
  w.Raw(13, 77, "x");
  w.Raw(12, 9, "x");
  w.Raw(200, 0, "");
  // A good record last: still read.
  w.RibUnicast(false, 9, V4("198.51.100.0"), 24, {Entry(Path({Seq({64496})}))});
  MrtStats stats;
  Entries got = ReadAll(w.data(), &stats);
  EXPECT_THAT(got, ElementsAre(Pair("198.51.100.0/24", 64496u)));
  EXPECT_EQ(stats.malformed, 12u);
  EXPECT_EQ(stats.unknown, 3u);
  EXPECT_EQ(stats.rib_ipv4, 1u);
  EXPECT_EQ(stats.rib_ipv6, 0u);
  EXPECT_EQ(stats.records, 17u);
}

TEST_F(MrtReaderTest, WarningNamesTheFirstProblems) {
  NetblockTable table;
  MrtReader reader(table);
  MrtWriter w;
  w.Raw(13, 2, RibBody(33, std::string(5, '\x01'), 0, ""));
  ASSERT_THAT(reader.Consume(w.data()), IsOk());
  ASSERT_THAT(reader.Finish(), IsOk());
  EXPECT_THAT(reader.warning(),
              HasSubstr("record 0 at byte 0 (type 13 subtype 2): prefix length over 32"));
}

TEST_F(MrtReaderTest, TruncatedLastRecordIsCounted) {
  std::string data = EveryShape();
  data.resize(data.size() - 5);
  NetblockTable table;
  MrtReader reader(table);
  ASSERT_THAT(reader.Consume(data), IsOk());
  ASSERT_THAT(reader.Finish(), IsOk());
  EXPECT_EQ(reader.stats().malformed, 1u);
  EXPECT_GT(reader.stats().truncated_bytes, 0u);
  EXPECT_THAT(reader.warning(), HasSubstr("input ends inside a record"));
  EXPECT_EQ(table.ipv4_count(), 18u);
}

TEST_F(MrtReaderTest, ASinkErrorStopsTheReader) {
  // The table's prefix cap: the route that exceeds it ends reading, in any later call too.
  NetblockTable table(5);
  MrtReader reader(table);
  std::string data = EveryShape();
  EXPECT_THAT(reader.Consume(data),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("NETBLOCKS_MAX_PREFIXES")));
  EXPECT_EQ(table.size(), 5u);
  EXPECT_LT(reader.stats().records, 10u);
  EXPECT_THAT(reader.Consume(data), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(reader.Finish(), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(MrtReaderTest, HugeRecordLengthLosesFramingWithAClearError) {
  MrtWriter w;
  w.Raw(13, 2, "abc", 0x7FFFFFFF);
  NetblockTable table;
  MrtReader reader(table);
  EXPECT_THAT(reader.Consume(w.data()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("announces 2147483647 bytes")));
  EXPECT_THAT(reader.Consume("more"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(reader.Finish(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(MrtReaderTest, GarbageNeverCrashes) {
  std::mt19937 rng(7);
  std::string base = EveryShape();
  for (int i = 0; i < 300; ++i) {
    std::string s = base;
    int edits = 1 + static_cast<int>(rng() % 10);
    for (int e = 0; e < edits; ++e) s[rng() % s.size()] = static_cast<char>(rng());
    NetblockTable table;
    MrtReader reader(table);
    (void)reader.Consume(s);
    (void)reader.Finish();
    const MrtStats& st = reader.stats();
    EXPECT_LE(st.bytes + st.truncated_bytes, s.size());
  }
}

}  // namespace
}  // namespace mm::netblocks
