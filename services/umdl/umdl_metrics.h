#pragma once
// UMDL's Prometheus metrics (STYLE.md rule 14), registered on the worker's registry and served
// on METRICS_LISTEN / pushed to PUSHGATEWAY_URL by common::WorkerMetrics. Labels: category.
//
//   mm_umdl_directories_seen_total{category}     directories in the scan (excluded ones
//                                                not counted)
//   mm_umdl_directories_changed_total{category}  directories whose ctime changed (new ones
//                                                included)
//   mm_umdl_directories_created_total{category}
//   mm_umdl_directories_deleted_total{category}
//   mm_umdl_file_details_created_total{category}
//   mm_umdl_repositories_created_total{category}
//   mm_umdl_category_failures_total{category}
//   mm_umdl_invalid_names_skipped_total{category} entries skipped: names not storable as UTF-8
//   mm_umdl_category_duration_seconds{category}  gauge: wall time of the last sync of the category
//   mm_umdl_file_details_aged_total              rows removed by the history ageing
//   mm_umdl_last_run_success                     gauge: 1 when the last run had no failure

#include <string>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace mm::umdl {

class UmdlMetrics {
 public:
  explicit UmdlMetrics(prometheus::Registry& registry);

  struct CategoryCounts {
    double seen = 0, changed = 0, created = 0, deleted = 0, file_details = 0, repositories = 0,
           invalid_names = 0;
  };
  void RecordCategory(const std::string& category, const CategoryCounts& counts, double seconds);
  void RecordFailure(const std::string& category, double seconds);
  void RecordAged(double rows);
  void RecordRun(bool success);

 private:
  prometheus::Family<prometheus::Counter>& seen_;
  prometheus::Family<prometheus::Counter>& changed_;
  prometheus::Family<prometheus::Counter>& created_;
  prometheus::Family<prometheus::Counter>& deleted_;
  prometheus::Family<prometheus::Counter>& file_details_;
  prometheus::Family<prometheus::Counter>& repositories_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Counter>& invalid_names_;
  prometheus::Family<prometheus::Gauge>& duration_;
  prometheus::Counter& aged_;
  prometheus::Gauge& last_success_;
};

}  // namespace mm::umdl
