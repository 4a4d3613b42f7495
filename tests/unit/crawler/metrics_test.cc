#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/crawler/crawler_metrics.h"

namespace mm::crawler {
namespace {

using ::testing::HasSubstr;

TEST(CrawlerMetricsTest, ExposesHostsDirectoriesRequestsBytesAndDurations) {
  prometheus::Registry registry;
  CrawlerMetrics m(registry);
  m.Host("OK", 12);
  m.Directory("up2date", 5);
  m.Directory("not_up2date", 2);
  m.Category("fft", 0.5);
  m.Request("http", "2xx", 3);
  m.Bytes("http", 1000);
  m.Connections("https", 1);
  m.FftSpotCheck("mismatch");
  m.HostDisabled("embargo");
  std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_THAT(text, HasSubstr("mm_crawler_hosts_total{status=\"OK\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_directories_total{state=\"up2date\"} 5"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_directories_total{state=\"not_up2date\"} 2"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_categories_total{method=\"fft\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_requests_total{protocol=\"http\",result=\"2xx\"} 3"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_bytes_total{protocol=\"http\"} 1000"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_connections_total{protocol=\"https\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_host_duration_seconds_count 1"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_fft_spot_checks_total{result=\"mismatch\"} 1"));
  EXPECT_THAT(text, HasSubstr("mm_crawler_hosts_disabled_total{reason=\"embargo\"} 1"));
}

}  // namespace
}  // namespace mm::crawler
