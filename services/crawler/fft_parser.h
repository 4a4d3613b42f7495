#pragma once
// A streaming, bounded parser for quick-fedora-mirror's fullfiletimelist-* files (FFT): only
// the [Files] section is read; it starts at a line equal to "[Files]" and ends at the next line
// starting with "[". Each data row has at least four TAB-separated columns: timestamp, type
// (first character f = file, d = directory, l = symlink), size, path. Malformed rows are counted
// and skipped. Input arrives in arbitrary chunks (as downloaded), so the whole file never needs
// to be in memory.
//
// Thread-safety: one parser per stream.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace mm::crawler {

struct FftEntry {
  int64_t timestamp = 0;
  char type = 0;  // 'f', 'd', 'l', ...
  int64_t size = 0;
  std::string_view path;  // valid during the callback only
};

struct FftLimits {
  size_t max_line_bytes = 64 << 10;    // longer lines are skipped (counted as malformed)
  int64_t max_total_bytes = 1LL << 30;  // beyond this Feed() fails
  int64_t max_entries = 50'000'000;
};

class FftParser {
 public:
  using Callback = std::function<void(const FftEntry&)>;
  explicit FftParser(Callback on_entry, FftLimits limits = {});

  // Consumes a chunk; fails when a limit is exceeded (the caller stops reading).
  absl::Status Feed(std::string_view chunk);
  // Processes a final line without a newline.
  absl::Status Finish();

  bool saw_files_section() const { return state_ != State::kBefore; }
  int64_t entries() const { return entries_; }
  int64_t malformed() const { return malformed_; }

 private:
  enum class State { kBefore, kFiles, kAfter };
  absl::Status Line(std::string_view line);

  Callback on_entry_;
  FftLimits limits_;
  State state_ = State::kBefore;
  std::string partial_;
  bool skipping_long_line_ = false;
  int64_t total_ = 0;
  int64_t entries_ = 0;
  int64_t malformed_ = 0;
};

// Parses a whole FFT held in memory (tests, fuzzing).
absl::Status ParseFft(std::string_view text, const FftParser::Callback& on_entry,
                      FftLimits limits = {});

}  // namespace mm::crawler
