#include "services/umdl/progress.h"

#include "absl/time/clock.h"

namespace mm::umdl {

void TerminalProgress::Begin(const std::string& description, size_t total) {
  if (active_) End();
  description_ = description;
  total_ = total;
  done_ = 0;
  active_ = true;
  Draw(true);
}

void TerminalProgress::Advance(size_t n) {
  done_ += n;
  Draw(false);
}

void TerminalProgress::End() {
  if (!active_) return;
  if (total_ > 0) done_ = total_;
  Draw(true);
  std::fputc('\n', out_);
  std::fflush(out_);
  active_ = false;
}

void TerminalProgress::Draw(bool force) {
  absl::Time now = absl::Now();
  if (!force && now - last_draw_ < absl::Milliseconds(200)) return;
  last_draw_ = now;
  if (total_ > 0) {
    int pct = static_cast<int>(100.0 * static_cast<double>(std::min(done_, total_)) /
                               static_cast<double>(total_));
    std::fprintf(out_, "\r\033[K%s ... %d%%", description_.c_str(), pct);
  } else {
    std::fprintf(out_, "\r\033[K%s ...", description_.c_str());
  }
  std::fflush(out_);
}

}  // namespace mm::umdl
