#include "services/crawler/deadline.h"

#include <algorithm>
#include <thread>

namespace mm::crawler {

StopReason Deadline::Check() const {
  if (stop_ != nullptr && stop_->load(std::memory_order_relaxed)) return StopReason::kInterrupted;
  if (lease_lost_ != nullptr && lease_lost_->load(std::memory_order_relaxed)) {
    return StopReason::kLeaseLost;
  }
  absl::Time now = clock_->Now();
  if (now >= global_) return StopReason::kGlobalTimeout;
  if (host_ && now >= *host_) return StopReason::kHostTimeout;
  return StopReason::kNone;
}

absl::Duration Deadline::Remaining() const {
  absl::Time end = global_;
  if (host_) end = std::min(end, *host_);
  return std::max(absl::ZeroDuration(), end - clock_->Now());
}

bool Deadline::SleepFor(absl::Duration d) const {
  absl::Time until = clock_->Now() + d;
  while (true) {
    if (Check() != StopReason::kNone) return false;
    absl::Duration left = until - clock_->Now();
    if (left <= absl::ZeroDuration()) return true;
    std::this_thread::sleep_for(absl::ToChronoMicroseconds(std::min(left, absl::Milliseconds(50))));
  }
}

}  // namespace mm::crawler
