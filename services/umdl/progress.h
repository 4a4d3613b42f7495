#pragma once
// The progress line of an interactive run ("Syncing directories of Fedora Linux ... 42%"),
// redrawn in place. Only on a terminal: batch runs (cron, Kubernetes) get log lines only.

#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace mm::umdl {

class Progress {
 public:
  virtual ~Progress() = default;
  // Starts a phase; `total` 0 = unknown.
  virtual void Begin(const std::string& description, size_t total) = 0;
  virtual void Advance(size_t n) = 0;
  virtual void End() = 0;
};

class NullProgress final : public Progress {
 public:
  void Begin(const std::string&, size_t) override {}
  void Advance(size_t) override {}
  void End() override {}
};

// Draws on `out` (a terminal) at most 5 times a second.
class TerminalProgress final : public Progress {
 public:
  explicit TerminalProgress(FILE* out) : out_(out) {}
  void Begin(const std::string& description, size_t total) override;
  void Advance(size_t n) override;
  void End() override;

 private:
  void Draw(bool force);
  FILE* out_;
  std::string description_;
  size_t total_ = 0, done_ = 0;
  absl::Time last_draw_ = absl::InfinitePast();
  bool active_ = false;
};

}  // namespace mm::umdl
