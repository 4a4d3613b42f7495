#pragma once
// The progress line of an interactive run, as upstream's rich progress bar (mm2-backend.md §1.1,
// §10 scenario 2): ONE line, redrawn in place for the whole run, whose description follows the
// phases ("Reading fullfiletimelist of X", "Syncing directories of X", "Syncing repositories of
// X", ...) and ends as "Syncing repositories of <last category> ... 100%". Only on a terminal:
// batch runs (cron, Kubernetes) get log lines only.

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "services/common/log.h"

namespace mm::umdl {

class Progress {
 public:
  virtual ~Progress() = default;
  // Starts a phase on the same line; `total` 0 = unknown.
  virtual void Begin(const std::string& description, size_t total) = 0;
  virtual void Advance(size_t n) = 0;
  // The phase is done: shown at 100%.
  virtual void Complete() = 0;
  // The run is over: the line is finished with a newline.
  virtual void End() = 0;
};

// Draws on `out` (a terminal) at most 5 times a second. Thread-safe.
class TerminalProgress final : public Progress {
 public:
  explicit TerminalProgress(FILE* out) : out_(out) {}
  void Begin(const std::string& description, size_t total) override;
  void Advance(size_t n) override;
  void Complete() override;
  void End() override;

  // A log sink for the same terminal: clears the progress line, writes the log line to `err`,
  // draws the progress line again (upstream's rich console does the same).
  std::shared_ptr<common::LogSink> MakeLogSink(FILE* err);

 private:
  class Sink;
  void DrawLocked(bool force);
  std::mutex mu_;
  FILE* out_;
  std::string description_;
  size_t total_ = 0, done_ = 0;
  absl::Time last_draw_ = absl::InfinitePast();
  bool drawn_ = false;  // a line is on the screen (not yet ended)
};

}  // namespace mm::umdl
