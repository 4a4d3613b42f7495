// Fuzz target: Python regular expressions over PCRE2 (services/common/python_regex.h), the
// translation of Python syntax, compilation and matching. Input: pattern, a NUL byte, subject
// (any bytes: names need not be UTF-8). Work per input is bounded by the match limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/common/python_regex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  std::string_view pattern = in.substr(0, nul);
  std::string_view subject = nul == std::string_view::npos ? in : in.substr(nul + 1);
  (void)mm::common::TranslatePythonRegex(pattern);
  auto re = mm::common::PythonRegex::Compile(pattern);
  if (!re.ok()) {
    if (re.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  auto match = re->Match(subject);
  auto search = re->Search(subject);
  // Any subject is matchable: only a limit may stop a match, never a bad input.
  for (const auto* r : {&match, &search}) {
    if (!r->ok() && r->status().code() != absl::StatusCode::kResourceExhausted) std::abort();
  }
  // re.match finding something means re.search does too.
  if (match.ok() && search.ok() && *match && !*search) std::abort();
  return 0;
}
