// The real mm2_crawler publishing HostCrawlerDisabledV1 (mm2-backend.md §2.9 and §10 scenario
// 13) to a real RabbitMQ broker: exactly one message per host the crawl disables, none for a
// host that was disabled already, and a crawl that completes when the broker is down.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "absl/strings/str_cat.h"
#include "tests/integration/crawler/crawl_fixture.h"
#include "tests/integration/messaging/shared_broker.h"

namespace mm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

int Occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class CrawlerMessagesTest : public CrawlTest {
 protected:
  // A host whose only URL refuses connections (a FAILURE every crawl), on a site with admins.
  int64_t AddDeadHost(const std::string& name, bool user_active = true) {
    HostOptions o;
    o.user_active = user_active;
    o.bandwidth = 1000;
    o.asn = 64500;
    int64_t host = AddHost(name, {absl::StrCat("http://127.0.0.1:", FreePort(), "/x")}, nullptr, o);
    int64_t site = std::stoll(HostField(host, "site_id"));
    f_->SiteAdmin(site, "bob");
    f_->SiteAdmin(site, "alice");
    return host;
  }
};

TEST_F(CrawlerMessagesTest, AutoDisablePublishesExactlyOneHostCrawlerDisabledV1) {
  RabbitMqBroker* broker = SharedBroker();
  ASSERT_NE(broker, nullptr);
  BuildMaster();
  const int64_t host = AddDeadHost("down.example.org");
  const int64_t site = std::stoll(HostField(host, "site_id"));
  auto queue = AmqpTestQueue::Bind(broker->port());
  ASSERT_OK(queue.status());
  const std::string config =
      absl::StrCat("CRAWLER_AUTO_DISABLE = 1\nFEDORA_MESSAGING_AMQP_URL = '", broker->url(),
                   "'\nAPPLICATION_URL = 'https://mm.example.org/mirrormanager/'\n");
  ProcessResult r = RunCrawler({"crawl"}, config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(HostField(host, "user_active"), "f");
  EXPECT_THAT(r.err, HasSubstr("Published HostCrawlerDisabledV1 for down.example.org"));
  EXPECT_THAT(r.err, Not(HasSubstr("HostCrawlerDisabledV1 {")));  // no fallback line

  auto got = (*queue)->Drain();
  ASSERT_OK(got.status());
  ASSERT_THAT(*got, SizeIs(1));
  const AmqpDelivery& d = (*got)[0];
  EXPECT_EQ(d.exchange, "amq.topic");
  EXPECT_EQ(d.routing_key, "mirrormanager.crawler.host.disabled.v1");
  EXPECT_EQ(d.content_type, "application/json");
  EXPECT_EQ(d.content_encoding, "utf-8");
  EXPECT_EQ(d.delivery_mode, 2);
  EXPECT_EQ(d.priority, 0);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("(message id ", d.message_id, ")")));
  EXPECT_EQ(d.headers.at("fedora_messaging_schema"), "\"mirrormanager.crawler.host.disabled.v1\"");
  EXPECT_EQ(d.headers.at("fedora_messaging_severity"), "20");
  EXPECT_EQ(d.headers.at("priority"), "0");
  EXPECT_EQ(d.headers.at("fedora_messaging_user_alice"), "true");
  EXPECT_EQ(d.headers.at("fedora_messaging_user_bob"), "true");
  EXPECT_TRUE(d.headers.count("sent-at"));
  EXPECT_EQ(d.headers.size(), 6u);

  nlohmann::json body = nlohmann::json::parse(d.body);
  EXPECT_EQ(body["site"]["id"], site);
  EXPECT_EQ(body["site"]["name"], "site-down.example.org");
  EXPECT_EQ(body["site"]["admins"], nlohmann::json({"bob", "alice"}));
  EXPECT_TRUE(body["site"].contains("org_url"));
  EXPECT_EQ(body["host"]["id"], host);
  EXPECT_EQ(body["host"]["name"], "down.example.org");
  EXPECT_EQ(body["host"]["country"], "US");
  EXPECT_EQ(body["host"]["bandwidth"], 1000);
  EXPECT_EQ(body["host"]["asn"], 64500);
  EXPECT_EQ(body["host"]["url"], absl::StrCat("https://mm.example.org/mirrormanager/host/", host));
  EXPECT_EQ(body["logs_url"],
            absl::StrCat("https://mm.example.org/mirrormanager/crawler/", host, ".log"));
  EXPECT_EQ(body["reason"],
            "Host has been disabled (user_active) after 1 consecutive crawl failures");
  EXPECT_TRUE(std::regex_match(body["crawled_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00)")))
      << body["crawled_at"];

  // Crawled again while disabled (--include-disabled) and failing again: it stays disabled,
  // which is no news, so nothing is published.
  ProcessResult again = RunCrawler({"--include-disabled", "crawl"}, config);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("down.example.org"));
  EXPECT_EQ(HostField(host, "user_active"), "f");
  EXPECT_EQ(HostField(host, "crawl_failures"), "2");
  EXPECT_THAT(again.err, Not(HasSubstr("Published HostCrawlerDisabledV1")));
  EXPECT_THAT(again.err, Not(HasSubstr("could not be published")));
  EXPECT_THAT(*(*queue)->Drain(), SizeIs(0));
}

TEST_F(CrawlerMessagesTest, AHostDisabledBeforeTheCrawlSendsNothing) {
  RabbitMqBroker* broker = SharedBroker();
  ASSERT_NE(broker, nullptr);
  BuildMaster();
  const int64_t off = AddDeadHost("off.example.org", /*user_active=*/false);
  const int64_t on = AddDeadHost("on.example.org");
  auto queue = AmqpTestQueue::Bind(broker->port());
  ASSERT_OK(queue.status());
  // CRAWLER_AUTO_DISABLE = 0 disables at the first failure (upstream's `failures >= limit`).
  ProcessResult r =
      RunCrawler({"--include-disabled", "crawl"},
                 absl::StrCat("CRAWLER_AUTO_DISABLE = 0\nFEDORA_MESSAGING_AMQP_URL = '",
                              broker->url(), "'\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(HostField(off, "user_active"), "f");
  EXPECT_EQ(HostField(on, "user_active"), "f");
  EXPECT_EQ(HostField(on, "disable_reason"),
            "Host has been disabled (user_active) after 0 consecutive crawl failures");
  auto got = (*queue)->Drain();
  ASSERT_OK(got.status());
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ(nlohmann::json::parse((*got)[0].body)["host"]["id"], on);
}

TEST_F(CrawlerMessagesTest, BrokerDownTheCrawlCompletesAndTheMessageIsLogged) {
  BuildMaster();
  const int64_t host = AddDeadHost("down.example.org");
  const absl::Time start = absl::Now();
  ProcessResult r =
      RunCrawler({"crawl"}, absl::StrCat("CRAWLER_AUTO_DISABLE = 1\nFEDORA_MESSAGING_AMQP_URL = "
                                         "'amqp://guest:guest@127.0.0.1:",
                                         FreePort(), "/'\nFEDORA_MESSAGING_TIMEOUT = 2\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(HostField(host, "user_active"), "f");
  EXPECT_THAT(r.out, HasSubstr("Crawler finished after"));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    EXPECT_EQ(Occurrences(r.err, absl::StrCat("failed (attempt ", attempt, " of 3)")), 1) << r.err;
  }
  EXPECT_EQ(Occurrences(r.err, "failed (attempt"), 3);
  EXPECT_THAT(r.err, HasSubstr("HostCrawlerDisabledV1 for down.example.org could not be "
                               "published"));
  EXPECT_THAT(r.err, HasSubstr("\"reason\":\"Host has been disabled (user_active) after 1 "
                               "consecutive crawl failures\""));
}

}  // namespace
}  // namespace mm::testing
