#pragma once
// Deadlines of one host crawl: the run's global deadline, the optional per-host deadline, the
// run's stop flag (SIGTERM) and the host's lease-lost flag (another process took it over). Checked
// between directories and inside every network wait (curl's progress callback, the rsync child's
// poll loop), so a stalled mirror cannot hold a worker past its deadline.
//
// Thread-safety: const methods may be called from any thread.

#include <atomic>
#include <optional>

#include "absl/time/time.h"
#include "services/common/clock.h"

namespace mm::crawler {

enum class StopReason { kNone, kHostTimeout, kGlobalTimeout, kInterrupted, kLeaseLost };

class Deadline {
 public:
  // `clock`, `stop` and `lease_lost` must outlive the deadline; the flags may be null.
  Deadline(const common::Clock* clock, absl::Time global, std::optional<absl::Time> host,
           const std::atomic<bool>* stop, const std::atomic<bool>* lease_lost = nullptr)
      : clock_(clock), global_(global), host_(host), stop_(stop), lease_lost_(lease_lost) {}

  StopReason Check() const;
  // Time left before the earliest deadline (zero when passed).
  absl::Duration Remaining() const;
  // Sleeps up to `d`, waking early when a deadline passes or the stop flag is set.
  // Returns false when the crawl must stop.
  bool SleepFor(absl::Duration d) const;
  const common::Clock& clock() const { return *clock_; }

 private:
  const common::Clock* clock_;
  absl::Time global_;
  std::optional<absl::Time> host_;
  const std::atomic<bool>* stop_;
  const std::atomic<bool>* lease_lost_;
};

}  // namespace mm::crawler
