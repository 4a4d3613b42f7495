#include "services/crawler/crawler_metrics.h"

#include <map>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace mm::crawler {

struct CrawlerMetrics::Impl {
  prometheus::Family<prometheus::Counter>* hosts;
  prometheus::Family<prometheus::Counter>* dirs;
  prometheus::Family<prometheus::Counter>* categories;
  prometheus::Family<prometheus::Counter>* requests;
  prometheus::Family<prometheus::Counter>* bytes;
  prometheus::Family<prometheus::Counter>* connections;
  prometheus::Family<prometheus::Counter>* spot_checks;
  prometheus::Family<prometheus::Counter>* disabled;
  prometheus::Histogram* host_duration;
  prometheus::Histogram* category_duration;
};

namespace {
const prometheus::Histogram::BucketBoundaries& Buckets() {
  static const prometheus::Histogram::BucketBoundaries b{0.1, 0.5, 1,   5,    15,
                                                         60,  300, 900, 3600, 10800};
  return b;
}
}  // namespace

CrawlerMetrics::CrawlerMetrics(prometheus::Registry& r) : impl_(new Impl) {
  impl_->hosts = &prometheus::BuildCounter()
                      .Name("mm_crawler_hosts_total")
                      .Help("Hosts crawled, by status")
                      .Register(r);
  impl_->dirs = &prometheus::BuildCounter()
                     .Name("mm_crawler_directories_total")
                     .Help("Directory decisions, by state")
                     .Register(r);
  impl_->categories = &prometheus::BuildCounter()
                           .Name("mm_crawler_categories_total")
                           .Help("Host categories crawled, by deciding method")
                           .Register(r);
  impl_->requests = &prometheus::BuildCounter()
                         .Name("mm_crawler_requests_total")
                         .Help("Requests to mirrors, by protocol and result")
                         .Register(r);
  impl_->bytes = &prometheus::BuildCounter()
                      .Name("mm_crawler_bytes_total")
                      .Help("Bytes received from mirrors, by protocol")
                      .Register(r);
  impl_->connections = &prometheus::BuildCounter()
                            .Name("mm_crawler_connections_total")
                            .Help("New TCP connections to mirrors, by protocol")
                            .Register(r);
  impl_->spot_checks = &prometheus::BuildCounter()
                            .Name("mm_crawler_fft_spot_checks_total")
                            .Help("repomd.xml spot checks of fullfiletimelist decisions, by result")
                            .Register(r);
  impl_->disabled = &prometheus::BuildCounter()
                         .Name("mm_crawler_hosts_disabled_total")
                         .Help("Hosts disabled by the crawler, by reason")
                         .Register(r);
  impl_->host_duration = &prometheus::BuildHistogram()
                              .Name("mm_crawler_host_duration_seconds")
                              .Help("Duration of one host crawl")
                              .Register(r)
                              .Add({}, Buckets());
  impl_->category_duration = &prometheus::BuildHistogram()
                                  .Name("mm_crawler_category_duration_seconds")
                                  .Help("Duration of one host category crawl")
                                  .Register(r)
                                  .Add({}, Buckets());
}

CrawlerMetrics::~CrawlerMetrics() = default;

void CrawlerMetrics::Host(const std::string& status, double seconds) {
  impl_->hosts->Add({{"status", status}}).Increment();
  impl_->host_duration->Observe(seconds);
}
void CrawlerMetrics::Directory(const std::string& state, int64_t n) {
  if (n > 0) impl_->dirs->Add({{"state", state}}).Increment(static_cast<double>(n));
}
void CrawlerMetrics::Category(const std::string& method, double seconds) {
  impl_->categories->Add({{"method", method}}).Increment();
  impl_->category_duration->Observe(seconds);
}
void CrawlerMetrics::Request(const std::string& protocol, const std::string& result, int64_t n) {
  if (n > 0)
    impl_->requests->Add({{"protocol", protocol}, {"result", result}})
        .Increment(static_cast<double>(n));
}
void CrawlerMetrics::Bytes(const std::string& protocol, int64_t n) {
  if (n > 0) impl_->bytes->Add({{"protocol", protocol}}).Increment(static_cast<double>(n));
}
void CrawlerMetrics::Connections(const std::string& protocol, int64_t n) {
  if (n > 0) impl_->connections->Add({{"protocol", protocol}}).Increment(static_cast<double>(n));
}

void CrawlerMetrics::FftSpotCheck(const std::string& result) {
  impl_->spot_checks->Add({{"result", result}}).Increment();
}
void CrawlerMetrics::HostDisabled(const std::string& reason) {
  impl_->disabled->Add({{"reason", reason}}).Increment();
}

}  // namespace mm::crawler
