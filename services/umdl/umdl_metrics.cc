#include "services/umdl/umdl_metrics.h"

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace mm::umdl {
namespace {

prometheus::Family<prometheus::Counter>& Counter(prometheus::Registry& r, const std::string& name,
                                                 const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

}  // namespace

UmdlMetrics::UmdlMetrics(prometheus::Registry& r)
    : seen_(Counter(r, "mm_umdl_directories_seen_total", "Directories seen by UMDL scans")),
      changed_(Counter(r, "mm_umdl_directories_changed_total", "Directories whose ctime changed")),
      created_(Counter(r, "mm_umdl_directories_created_total", "Directory rows created")),
      deleted_(Counter(r, "mm_umdl_directories_deleted_total", "Directory rows deleted")),
      file_details_(Counter(r, "mm_umdl_file_details_created_total", "file_detail rows created")),
      repositories_(Counter(r, "mm_umdl_repositories_created_total", "Repository rows created")),
      failures_(Counter(r, "mm_umdl_category_failures_total", "Category syncs that failed")),
      invalid_names_(Counter(r, "mm_umdl_invalid_names_skipped_total",
                             "Entries skipped because their names are not valid UTF-8")),
      duration_(prometheus::BuildGauge()
                    .Name("mm_umdl_category_duration_seconds")
                    .Help("Wall time of the last sync of a category")
                    .Register(r)),
      aged_(Counter(r, "mm_umdl_file_details_aged_total", "file_detail rows removed by ageing")
                .Add({})),
      last_success_(prometheus::BuildGauge()
                        .Name("mm_umdl_last_run_success")
                        .Help("1 when the last UMDL run synced every selected category")
                        .Register(r)
                        .Add({})) {}

void UmdlMetrics::RecordCategory(const std::string& category, const CategoryCounts& c,
                                 double seconds) {
  seen_.Add({{"category", category}}).Increment(c.seen);
  changed_.Add({{"category", category}}).Increment(c.changed);
  created_.Add({{"category", category}}).Increment(c.created);
  deleted_.Add({{"category", category}}).Increment(c.deleted);
  file_details_.Add({{"category", category}}).Increment(c.file_details);
  repositories_.Add({{"category", category}}).Increment(c.repositories);
  invalid_names_.Add({{"category", category}}).Increment(c.invalid_names);
  duration_.Add({{"category", category}}).Set(seconds);
}

void UmdlMetrics::RecordFailure(const std::string& category, double seconds) {
  failures_.Add({{"category", category}}).Increment();
  duration_.Add({{"category", category}}).Set(seconds);
}

void UmdlMetrics::RecordAged(double rows) { aged_.Increment(rows); }

void UmdlMetrics::RecordRun(bool success) { last_success_.Set(success ? 1 : 0); }

}  // namespace mm::umdl
