#pragma once
// Prometheus metrics of a crawl (served/pushed through common::WorkerMetrics):
//   mm_crawler_hosts_total{status}                 hosts crawled, by result status
//   mm_crawler_directories_total{state}            directory decisions
//   (up2date/not_up2date/unknown) mm_crawler_categories_total{method}            host categories,
//   by deciding method mm_crawler_requests_total{protocol,result}     network requests to mirrors
//   mm_crawler_bytes_total{protocol}               bytes received from mirrors
//   mm_crawler_connections_total{protocol}         new TCP connections to mirrors
//   mm_crawler_fft_spot_checks_total{result}       FFT spot checks (match/mismatch/error)
//   mm_crawler_hosts_disabled_total{reason}        hosts disabled (auto_disable/embargo/other);
//                                                  upstream publishes HostCrawlerDisabledV1
//   mm_crawler_host_duration_seconds               histogram of per-host crawl durations
//   mm_crawler_category_duration_seconds           histogram of per-category durations
//
// Thread-safety: all methods are thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace prometheus {
class Registry;
}

namespace mm::crawler {

class CrawlerMetrics {
 public:
  explicit CrawlerMetrics(prometheus::Registry& registry);
  ~CrawlerMetrics();

  void Host(const std::string& status, double seconds);
  void Directory(const std::string& state, int64_t n = 1);
  void Category(const std::string& method, double seconds);
  void Request(const std::string& protocol, const std::string& result, int64_t n = 1);
  void Bytes(const std::string& protocol, int64_t n);
  void Connections(const std::string& protocol, int64_t n);
  void FftSpotCheck(const std::string& result);
  void HostDisabled(const std::string& reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mm::crawler
