#include "services/cachegen/netblock.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace mm::cachegen {
namespace {

using Kind = ParsedNetblock::Kind;

void ExpectNetwork(const std::string& in, const std::string& key) {
  ParsedNetblock p = ParseNetblock(in);
  EXPECT_EQ(p.kind, Kind::kNetwork) << in;
  EXPECT_EQ(p.text, key) << in;
}

void ExpectInvalid(const std::string& in) {
  EXPECT_EQ(ParseNetblock(in).kind, Kind::kInvalid) << in;
}

TEST(NetblockTest, CidrKeepsHostBits) {
  ExpectNetwork("10.0.0.0/8", "10.0.0.0/8");
  ExpectNetwork("10.1.2.3/8", "10.1.2.3/8");  // upstream does not mask host bits
  ExpectNetwork("  192.0.2.0/24\n", "192.0.2.0/24");
  ExpectNetwork("0.0.0.0/0", "0.0.0.0/0");
  ExpectNetwork("2001:DB8::/32", "2001:db8::/32");  // canonical text
  ExpectNetwork("2001:0db8:0000:0000:0000:0000:0000:0001/128", "2001:db8::1/128");
  ExpectNetwork("10.0.0.0/08", "10.0.0.0/8");
}

TEST(NetblockTest, BareAddressesBecomeHostNetworks) {
  ExpectNetwork("192.0.2.7", "192.0.2.7/32");
  ExpectNetwork("2001:db8::7", "2001:db8::7/128");
  ExpectNetwork("::ffff:192.0.2.1", "::ffff:192.0.2.1/128");
}

TEST(NetblockTest, DottedNetmasks) {
  ExpectNetwork("192.168.1.0/255.255.255.0", "192.168.1.0/24");
  ExpectNetwork("10.0.0.0/255.0.0.0", "10.0.0.0/8");
  ExpectNetwork("10.0.0.1/255.255.255.255", "10.0.0.1/32");
  ExpectNetwork("10.0.0.0/0.0.0.0", "10.0.0.0/0");
  ExpectInvalid("10.0.0.0/255.0.255.0");  // not contiguous
  ExpectInvalid("10.0.0.0/ffff::");       // mixed families
  ExpectInvalid("10.0.0.0/255.255.0");
}

// Numeric text that is not an address to inet_pton but is to getaddrinfo (which upstream
// calls on it): the address upstream's lookup returns, flagged.
TEST(NetblockTest, ResolverNumericShorthandAsUpstream) {
  for (const auto& [in, key] : std::vector<std::pair<std::string, std::string>>{
           {"10.1", "10.0.0.1/32"},
           {"167772161", "10.0.0.1/32"},
           {"01.2.3.4", "1.2.3.4/32"},  // octal, as inet_aton reads it
           {"010.0.0.1", "8.0.0.1/32"},
           {"0x0a.0.0.1", "10.0.0.1/32"},
           {"fe80::1%1", "fe80::1/128"}}) {
    ParsedNetblock p = ParseNetblock(in);
    EXPECT_EQ(p.kind, Kind::kNetwork) << in;
    EXPECT_EQ(p.text, key) << in;
    EXPECT_TRUE(p.numeric_shorthand) << in;
  }
  EXPECT_FALSE(ParseNetblock("10.0.0.1").numeric_shorthand);
  EXPECT_EQ(ParseNetblock("1.2.3.4.").kind, Kind::kInvalid);  // not numeric, not a name
}

TEST(NetblockTest, InvalidText) {
  ExpectInvalid("");
  ExpectInvalid("   ");
  ExpectInvalid("10.0.0.0/33");
  ExpectInvalid("2001:db8::/129");
  ExpectInvalid("10.0.0.0/");
  ExpectInvalid("10.0.0.0/-1");
  ExpectInvalid("a/b/c");
  ExpectInvalid("10.0.0.0/8/8");
  ExpectInvalid("not a host name");  // spaces are not a name
  ExpectInvalid("fe80::1%no-such-interface");
  ExpectInvalid(std::string(300, 'a'));
  ExpectInvalid("a..b");
  ExpectInvalid(".example.org");
  ExpectInvalid(std::string(64, 'a') + ".org");
}

TEST(NetblockTest, HostNames) {
  for (const char* name :
       {"localhost", "mirror.example.org", "mirror.example.org.", "a-b_c.x1", "1.2.3.example"}) {
    ParsedNetblock p = ParseNetblock(name);
    EXPECT_EQ(p.kind, Kind::kDnsName) << name;
    EXPECT_EQ(p.text, name);
  }
  EXPECT_EQ(ParseNetblock(" localhost ").text, "localhost");
}

TEST(NetblockTest, CidrForNetblockCountryKeys) {
  std::string key;
  EXPECT_TRUE(ParseCidr("134.108.0.0/16", &key));
  EXPECT_EQ(key, "134.108.0.0/16");
  EXPECT_FALSE(ParseCidr("134.108.0.0", nullptr));  // the server's scan needs CIDR
  EXPECT_FALSE(ParseCidr("89.160.20.112/124", nullptr));
  EXPECT_TRUE(ParseCidr("2001:7c0::/29", nullptr));
}

TEST(NetblockTest, HostKeys) {
  EXPECT_EQ(HostKeyForAddress("127.0.0.1"), "127.0.0.1/32");
  EXPECT_EQ(HostKeyForAddress("::1"), "::1/128");
  EXPECT_EQ(HostKeyForAddress("localhost"), "");
}

}  // namespace
}  // namespace mm::cachegen
