#pragma once
// Regular expressions with the semantics of Python's `re` module for str patterns, for the
// patterns MirrorManager2's configuration holds (UMDL `excludes`; MM_PROTOCOL_REGEX is one too):
// a configuration that works upstream must work here. Backed by PCRE2 (JIT when available).
//
// Python syntax PCRE2 reads differently is translated first (TranslatePythonRegex): `\Z` (end of
// string only, PCRE2's `\z`), `\uXXXX` / `\UXXXXXXXX`, `{,n}` quantifiers, `[` inside a class
// (always literal in Python, a POSIX class in PCRE2), the `u` flag (Python's default for str) and
// a leading `(?a)` (ASCII classes). `(?P<name>...)`, `(?P=name)`, `(?i)`, `(?x)`, `(?#...)`,
// look-behind, `\A`, atomic groups and possessive quantifiers PCRE2 reads as Python does.
// Refused with a clear error: `\N{NAME}`, the `L` flag (bytes patterns only in Python), and
// `a` anywhere but the leading flags.
//
// Matching is by Unicode character, as Python's on str: patterns are compiled in UTF mode with
// Unicode classes (`\w`, `\d`, `\s`, `\b`, case folding). A subject that is not valid UTF-8 (a
// file name can be any bytes) is matched as Python matches the name os.fsdecode() gives: every
// byte outside a valid UTF-8 sequence is one character, which `.` and negated classes match and
// `\w`, `\d`, `\s` do not (it is replaced by U+FFFD for the match).
//
// Work is bounded: a match that needs more than a fixed number of backtracking steps (a
// catastrophic pattern such as `(a+)+$`), more heap or more JIT stack than the limits fails with
// RESOURCE_EXHAUSTED instead of running for ages (Python would).
//
// Thread-safety: a compiled PythonRegex is immutable; Match/Search may run concurrently on any
// threads (match state is per thread). Copies share the compiled code.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mm::common {

struct TranslatedRegex {
  std::string pcre2;   // the pattern in PCRE2 syntax
  bool ascii = false;  // leading (?a): ASCII-only \w, \d, \s, \b
};

// INVALID_ARGUMENT for Python syntax with no PCRE2 equivalent (see above).
absl::StatusOr<TranslatedRegex> TranslatePythonRegex(std::string_view pattern);

class PythonRegex {
 public:
  // At most this many backtracking steps per match (PCRE2's match limit).
  static constexpr uint32_t kMatchLimit = 1'000'000;
  // Patterns longer than this are refused.
  static constexpr size_t kMaxPatternBytes = 64 * 1024;

  // INVALID_ARGUMENT saying what is wrong and at which offset of `pattern`; the message does not
  // repeat the pattern (callers name it in their own words).
  static absl::StatusOr<PythonRegex> Compile(std::string_view pattern);

  // re.match: anchored at the start of `text`, not at its end. RESOURCE_EXHAUSTED when a limit
  // stopped the match before it was decided.
  absl::StatusOr<bool> Match(std::string_view text) const;
  // re.search: a match starting anywhere.
  absl::StatusOr<bool> Search(std::string_view text) const;

  const std::string& pattern() const;

 private:
  struct Compiled;
  explicit PythonRegex(std::shared_ptr<const Compiled> c) : compiled_(std::move(c)) {}
  absl::StatusOr<bool> Run(const void* code, std::string_view text) const;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace mm::common
