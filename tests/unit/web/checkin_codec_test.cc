#include "services/web-gateway/checkin_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mm::web {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

TEST(Base64Test, MatchesPythonUrlSafeAlphabetAndPadding) {
  EXPECT_EQ(UrlSafeBase64Encode(""), "");
  EXPECT_EQ(UrlSafeBase64Encode("f"), "Zg==");
  EXPECT_EQ(UrlSafeBase64Encode("fo"), "Zm8=");
  EXPECT_EQ(UrlSafeBase64Encode("foo"), "Zm9v");
  EXPECT_EQ(UrlSafeBase64Encode("\xfb\xff"), "-_8=");
  std::string err;
  EXPECT_EQ(*UrlSafeBase64Decode("-_8=", &err), "\xfb\xff");
  EXPECT_EQ(*UrlSafeBase64Decode("+/8=", &err), "\xfb\xff") << "standard alphabet too";
  EXPECT_EQ(*UrlSafeBase64Decode("Zm9v\n", &err), "foo") << "non-alphabet characters skipped";
  EXPECT_FALSE(UrlSafeBase64Decode("Zm8", &err));
  EXPECT_EQ(err, "Incorrect padding");
  EXPECT_FALSE(UrlSafeBase64Decode("Zm9vY", &err));
  EXPECT_THAT(err,
              HasSubstr("number of data characters (5) cannot be 1 more than a multiple of 4"));
  for (int n = 0; n < 300; ++n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(i * 37 + n));
    EXPECT_EQ(*UrlSafeBase64Decode(UrlSafeBase64Encode(s), &err), s);
  }
}

TEST(Bz2Test, RoundTripMultiStreamAndLimit) {
  auto a = Bz2Compress("hello ");
  auto b = Bz2Compress("world");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*Bz2Decompress(*a + *b, 1000), "hello world");
  std::string big(100000, 'z');
  auto c = Bz2Compress(big);
  EXPECT_TRUE(absl::IsResourceExhausted(Bz2Decompress(*c, 99999).status()));
  EXPECT_EQ(Bz2Decompress(*c, 100000)->size(), 100000u);
  EXPECT_TRUE(absl::IsDataLoss(Bz2Decompress("BZh9garbage", 100).status()) ||
              absl::IsInvalidArgument(Bz2Decompress("BZh9garbage", 100).status()));
  EXPECT_TRUE(absl::IsDataLoss(Bz2Decompress("nope", 100).status()));
}

json Valid() {
  json c = json::object();
  c["version"] = 0;
  c["global"] = {{"enabled", "1"}};
  c["site"] = {{"name", "s"}, {"password", "p"}};
  c["host"] = {{"name", "h"}};
  c["stats"] = json::object();
  c["Fedora Linux"] = {{"enabled", "1"},
                       {"dirtree", {{"a", json::object()}, {"/b/", json::object()}}}};
  return c;
}

TEST(CheckinCodecTest, DecodeValidateExtract) {
  CheckinLimits limits;
  auto payload = EncodeCheckinPayload(Valid());
  ASSERT_TRUE(payload.ok());
  DecodedPayload d = DecodeCheckinPayload(*payload, limits);
  ASSERT_FALSE(d.error);
  EXPECT_EQ(ValidateCheckinConfig(*d.config), "");
  auto data = std::get<CheckinData>(ExtractCheckinData(*d.config, limits));
  EXPECT_EQ(data.site_name, "s");
  EXPECT_EQ(data.categories.size(), 1u);
  EXPECT_EQ(data.categories[0].name, "Fedora Linux");
  EXPECT_EQ(data.categories[0].dirtree, (std::vector<std::string>{"/b/", "a"}));
  EXPECT_FALSE(data.user_active.has_value());
}

TEST(CheckinCodecTest, ValidationOrderAndVersionSemantics) {
  json c = Valid();
  c["version"] = 0.0;
  EXPECT_EQ(ValidateCheckinConfig(c), "") << "Python: 0.0 == 0";
  c["version"] = true;
  EXPECT_THAT(ValidateCheckinConfig(c), HasSubstr("config file version is not 0, is True.\n"));
  c["version"] = nullptr;
  EXPECT_THAT(ValidateCheckinConfig(c), HasSubstr("is None.\n"));
  c = Valid();
  c.erase("global");
  c.erase("site");
  EXPECT_THAT(ValidateCheckinConfig(c), HasSubstr("missing section global."))
      << "first failure wins";
  c = Valid();
  c["global"] = "1";
  EXPECT_THAT(ValidateCheckinConfig(c), HasSubstr("[global] not enabled"));
  EXPECT_EQ(ValidateCheckinConfig(json("text")),
            "config file is not a dict.\nPlease update your copy of report_mirror.\n"
            "Invalid config file provided, please check your report_mirror.conf.");
}

TEST(CheckinCodecTest, KeepsTheTopLevelKeyOrderOfThePayload) {
  std::string text =
      R"({"version": 0, "global": {"enabled": "1"}, "site": {"name": "s", "password": "p"},
          "host": {"name": "h"}, "zeta \"q\"": {"dirtree": {"x": {}}}, "alpha": {"dirtree": {}}})";
  DecodedPayload d = DecodeCheckinPayload(UrlSafeBase64Encode(*Bz2Compress(text)), CheckinLimits{});
  ASSERT_FALSE(d.error);
  EXPECT_EQ(d.key_order,
            (std::vector<std::string>{"version", "global", "site", "host", "zeta \"q\"", "alpha"}));
  auto data = std::get<CheckinData>(ExtractCheckinData(*d.config, CheckinLimits{}, d.key_order));
  ASSERT_EQ(data.categories.size(), 2u);
  EXPECT_EQ(data.categories[0].name, "zeta \"q\"");
  EXPECT_EQ(data.categories[1].name, "alpha");
}

TEST(CheckinCodecTest, LimitsAndDepth) {
  CheckinLimits limits;
  limits.max_directories = 1;
  json c = Valid();
  EXPECT_TRUE(std::holds_alternative<CodecError>(ExtractCheckinData(c, limits)));
  std::string deep(1000, '[');
  auto payload = UrlSafeBase64Encode(*Bz2Compress(deep));
  DecodedPayload d = DecodeCheckinPayload(payload, CheckinLimits{});
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->kind, CodecErrorKind::kLimit);
  EXPECT_THAT(d.error->fault, HasSubstr("nested deeper than 32"));
}

TEST(CheckinCodecTest, UserActiveAndDisabledCategories) {
  json c = Valid();
  c["host"]["user_active"] = "yes";
  c["epel"] = {{"enabled", "0"}, {"dirtree", json::object()}};
  auto d = std::get<CheckinData>(ExtractCheckinData(c, CheckinLimits{}));
  EXPECT_EQ(d.user_active, true);
  ASSERT_EQ(d.categories.size(), 1u) << "disabled category left out";
  // Upstream's `in ["true", "1", "t", "y", "yes"]`: exact, case-sensitive strings.
  for (json v : {json("nope"), json("TRUE"), json("Yes"), json(true), json(1), json(nullptr)}) {
    c["host"]["user_active"] = v;
    EXPECT_EQ(std::get<CheckinData>(ExtractCheckinData(c, CheckinLimits{})).user_active, false)
        << v.dump();
  }
  c.erase("epel");
  c["host"].erase("user_active");
  EXPECT_EQ(std::get<CheckinData>(ExtractCheckinData(c, CheckinLimits{})).user_active,
            std::nullopt);
  c["host"]["name"] = 5;
  auto n = std::get<CheckinData>(ExtractCheckinData(c, CheckinLimits{}));
  EXPECT_TRUE(n.credentials_are_strings) << "the site is still authenticated";
  EXPECT_FALSE(n.host_name_is_string);
}

}  // namespace
}  // namespace mm::web
