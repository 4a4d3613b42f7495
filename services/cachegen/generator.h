#pragma once
// One generate-mirrorlist-cache run: remove temporary files that killed runs left, stream a
// catalog snapshot through the CacheBuilder into a temporary file next to the target (a
// symbolic link is written through), verify it, and rename it over the target. Any failure
// leaves the previous cache untouched. A snapshot that fails with UNAVAILABLE or
// DEADLINE_EXCEEDED (catalog restarted, connection lost) is retried from scratch, since a
// half-received snapshot cannot be resumed.
//
// Thread-safety: Run() on one thread; Stop() from any thread (signal watcher).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/cachegen/cache_builder.h"

namespace mm::cachegen {

class CachegenMetrics;
class HostResolver;
class SnapshotSource;

struct GenerateOptions {
  std::string outfile = "/var/lib/mirrormanager/mirrorlist_cache.proto";
  absl::Duration dns_timeout = absl::Seconds(10);
  int attempts = 5;                                  // whole-snapshot attempts
  std::function<absl::Duration(int retry)> backoff;  // delay before retry n (0-based); null = none
  bool verify = true;  // re-read the new file (as the server would) before it replaces the old
  // Unlocked temporary files of the target older than this are removed at the start.
  absl::Duration stale_temp_age = absl::Minutes(1);
};

struct GenerateResult {
  BuildStats stats;
  int64_t bytes = 0;
  absl::Duration duration;
  int attempts = 0;
};

class Generator {
 public:
  // `source`, `resolver` and `metrics` (may be null) must outlive the generator.
  Generator(GenerateOptions options, SnapshotSource& source, HostResolver& resolver,
            CachegenMetrics* metrics);

  absl::StatusOr<GenerateResult> Run();
  // Makes a running Run() give up soon with CANCELLED (the old cache stays).
  void Stop();

 private:
  absl::StatusOr<GenerateResult> RunOnce();
  void RemoveLeftovers();

  GenerateOptions options_;
  SnapshotSource& source_;
  HostResolver& resolver_;
  CachegenMetrics* metrics_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace mm::cachegen
