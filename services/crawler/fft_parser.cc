#include "services/crawler/fft_parser.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mm::crawler {
namespace {

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

FftParser::FftParser(Callback on_entry, FftLimits limits)
    : on_entry_(std::move(on_entry)), limits_(limits) {}

absl::Status FftParser::Line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (state_ == State::kBefore) {
    if (line == "[Files]") state_ = State::kFiles;
    return absl::OkStatus();
  }
  if (state_ == State::kAfter) return absl::OkStatus();
  if (!line.empty() && line.front() == '[') {
    state_ = State::kAfter;
    return absl::OkStatus();
  }
  if (line.empty()) return absl::OkStatus();
  std::string_view cols[4];
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    size_t tab = line.find('\t', start);
    if (i < 3) {
      if (tab == std::string_view::npos) {
        ++malformed_;
        return absl::OkStatus();
      }
      cols[i] = line.substr(start, tab - start);
      start = tab + 1;
    } else {
      cols[i] = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    }
  }
  FftEntry e;
  if (!ParseInt(cols[0], &e.timestamp) || cols[1].empty() || !ParseInt(cols[2], &e.size) ||
      cols[3].empty()) {
    ++malformed_;
    return absl::OkStatus();
  }
  e.type = cols[1][0];
  e.path = cols[3];
  if (++entries_ > limits_.max_entries) {
    return absl::ResourceExhaustedError(
        absl::StrCat("fullfiletimelist has more than ", limits_.max_entries, " entries"));
  }
  if (on_entry_) on_entry_(e);
  return absl::OkStatus();
}

absl::Status FftParser::Feed(std::string_view chunk) {
  total_ += static_cast<int64_t>(chunk.size());
  if (total_ > limits_.max_total_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("fullfiletimelist larger than ", limits_.max_total_bytes, " bytes"));
  }
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      if (!skipping_long_line_) {
        if (partial_.size() + chunk.size() > limits_.max_line_bytes) {
          partial_.clear();
          skipping_long_line_ = true;
          ++malformed_;
        } else {
          partial_.append(chunk);
        }
      }
      return absl::OkStatus();
    }
    std::string_view piece = chunk.substr(0, nl);
    chunk.remove_prefix(nl + 1);
    if (skipping_long_line_) {
      skipping_long_line_ = false;
      continue;
    }
    absl::Status s;
    if (partial_.empty()) {
      if (piece.size() > limits_.max_line_bytes) {
        ++malformed_;
        continue;
      }
      s = Line(piece);
    } else {
      if (partial_.size() + piece.size() > limits_.max_line_bytes) {
        partial_.clear();
        ++malformed_;
        continue;
      }
      partial_.append(piece);
      s = Line(partial_);
      partial_.clear();
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status FftParser::Finish() {
  absl::Status s;
  if (!partial_.empty() && !skipping_long_line_) s = Line(partial_);
  partial_.clear();
  skipping_long_line_ = false;
  return s;
}

absl::Status ParseFft(std::string_view text, const FftParser::Callback& on_entry, FftLimits limits) {
  FftParser parser(on_entry, limits);
  absl::Status s = parser.Feed(text);
  if (!s.ok()) return s;
  return parser.Finish();
}

}  // namespace mm::crawler
