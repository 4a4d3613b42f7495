#include "services/umdl/progress.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace mm::umdl {

void TerminalProgress::Begin(const std::string& description, size_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  description_ = description;
  total_ = total;
  done_ = 0;
  DrawLocked(true);
}

void TerminalProgress::Advance(size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ += n;
  DrawLocked(false);
}

void TerminalProgress::Complete() {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ > 0) done_ = total_;
  DrawLocked(true);
}

void TerminalProgress::End() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!drawn_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
  description_.clear();
}

void TerminalProgress::DrawLocked(bool force) {
  if (description_.empty()) return;
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
  drawn_ = true;
}

class TerminalProgress::Sink final : public common::LogSink {
 public:
  Sink(TerminalProgress* progress, FILE* err) : progress_(progress), err_(err) {}
  void Write(const common::LogRecord& record) override {
    std::string line = common::FormatLogLine(record) + "\n";
    std::lock_guard<std::mutex> lock(progress_->mu_);
    const bool drawn = progress_->drawn_;
    if (drawn) {
      std::fputs("\r\033[K", progress_->out_);
      std::fflush(progress_->out_);
    }
    std::fwrite(line.data(), 1, line.size(), err_);
    std::fflush(err_);
    if (drawn) progress_->DrawLocked(true);
  }

 private:
  TerminalProgress* progress_;
  FILE* err_;
};

std::shared_ptr<common::LogSink> TerminalProgress::MakeLogSink(FILE* err) {
  return std::make_shared<Sink>(this, err);
}

}  // namespace mm::umdl
