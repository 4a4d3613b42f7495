#include "services/common/python_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mm::common {
namespace {

constexpr uint32_t kHeapLimitKiB = 64 * 1024;  // interpreter backtracking memory per match
constexpr size_t kJitStackStart = 32 * 1024;
constexpr size_t kJitStackMax = 1024 * 1024;

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// Python's verbose mode skips these (sre_parse WHITESPACE).
bool IsVerboseSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Python pattern -> PCRE2 pattern, remembering for every output byte the input offset it came
// from (PCRE2's error offsets are reported in the user's pattern).
class Translator {
 public:
  explicit Translator(std::string_view in) : in_(in) {}

  absl::StatusOr<TranslatedRegex> Run() {
    while (i_ < in_.size()) {
      const char c = in_[i_];
      if (verbose_ && IsVerboseSpace(c)) {
        Copy(1);
      } else if (verbose_ && c == '#') {
        size_t end = in_.find('\n', i_);
        Copy(end == std::string_view::npos ? in_.size() - i_ : end + 1 - i_);
      } else if (c == '\\') {
        if (auto s = Escape(false); !s.ok()) return s;
        at_start_ = false;
      } else if (c == '[') {
        if (auto s = Class(); !s.ok()) return s;
        at_start_ = false;
      } else if (c == '(') {
        if (auto s = Group(); !s.ok()) return s;
      } else if (c == ')') {
        Copy(1);
        if (!verbose_stack_.empty()) {
          verbose_ = verbose_stack_.back();
          verbose_stack_.pop_back();
        }
        at_start_ = false;
      } else if (c == '{') {
        Brace();
        at_start_ = false;
      } else {
        Copy(1);
        at_start_ = false;
      }
    }
    return TranslatedRegex{std::move(out_), ascii_};
  }

  // Input offset of output offset `out`.
  size_t Origin(size_t out) const {
    if (out >= origin_.size()) return in_.size();
    return origin_[out];
  }

 private:
  void Emit(std::string_view s, size_t from) {
    out_.append(s.data(), s.size());
    origin_.insert(origin_.end(), s.size(), from);
  }
  void Copy(size_t n) {
    for (size_t k = 0; k < n; ++k) Emit(in_.substr(i_ + k, 1), i_ + k);
    i_ += n;
  }
  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat(what, " at offset ", i_));
  }

  // At a backslash. `\Z`, `\u`, `\U` and `\N{` differ; everything else is copied (PCRE2 refuses
  // what Python refuses, or reads it as Python does).
  absl::Status Escape(bool in_class) {
    if (i_ + 1 >= in_.size()) {
      Copy(1);  // PCRE2: "\ at end of pattern"
      return absl::OkStatus();
    }
    const char d = in_[i_ + 1];
    if (d == 'Z' && !in_class) {
      Emit("\\z", i_);  // Python's \Z is the very end; PCRE2's \Z also matches before a final \n
      i_ += 2;
    } else if (d == 'u' || d == 'U') {
      const size_t digits = d == 'u' ? 4 : 8;
      if (i_ + 2 + digits > in_.size())
        return Error(absl::StrCat("incomplete escape \\", std::string(1, d)));
      std::string_view hex = in_.substr(i_ + 2, digits);
      uint64_t value = 0;
      for (char h : hex) {
        if (!IsHex(h)) return Error(absl::StrCat("incomplete escape \\", std::string(1, d)));
        value = value * 16 + (IsDigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
      }
      if (value > 0x10FFFF) return Error(absl::StrCat("bad escape \\", std::string(1, d)));
      Emit(absl::StrCat("\\x{", std::string(hex), "}"), i_);
      i_ += 2 + digits;
    } else if (d == 'N' && i_ + 2 < in_.size() && in_[i_ + 2] == '{') {
      return Error("named character escapes (\\N{...}) are not supported; write the character");
    } else {
      Copy(2);
    }
    return absl::OkStatus();
  }

  // A character class: `[` inside is literal in Python (escaped for PCRE2, where `[:alpha:]` is
  // a POSIX class). A `]` first (after an optional `^`) is literal in both.
  absl::Status Class() {
    Copy(1);
    if (i_ < in_.size() && in_[i_] == '^') Copy(1);
    if (i_ < in_.size() && in_[i_] == ']') Copy(1);
    while (i_ < in_.size()) {
      const char c = in_[i_];
      if (c == ']') {
        Copy(1);
        return absl::OkStatus();
      }
      if (c == '\\') {
        if (auto s = Escape(true); !s.ok()) return s;
      } else if (c == '[') {
        Emit("\\[", i_);
        ++i_;
      } else {
        Copy(1);
      }
    }
    return absl::OkStatus();  // unterminated: PCRE2 reports it
  }

  // `{` outside a class. Python reads `{m,n}`, `{m,}`, `{,n}`, `{,}` and `{m}` as quantifiers
  // (any other `{` is literal); PCRE2 10.42 takes `{,n}` literally, so the 0 is written out.
  void Brace() {
    size_t j = i_ + 1;
    while (j < in_.size() && IsDigit(in_[j])) ++j;
    const bool no_low = j == i_ + 1;
    if (no_low && j < in_.size() && in_[j] == ',') {
      size_t k = j + 1;
      while (k < in_.size() && IsDigit(in_[k])) ++k;
      if (k < in_.size() && in_[k] == '}') {
        Emit("{0", i_);
        ++i_;
        return;  // the rest is copied as it stands
      }
    }
    Copy(1);
  }

  // `(`: inline flags are rewritten; every group remembers the verbose state it restores.
  absl::Status Group() {
    if (i_ + 2 < in_.size() && in_[i_ + 1] == '?' && in_[i_ + 2] == '#') {
      // (?#comment): up to the next ')', no escapes (both engines).
      size_t end = in_.find(')', i_);
      Copy(end == std::string_view::npos ? in_.size() - i_ : end + 1 - i_);
      return absl::OkStatus();
    }
    if (i_ + 1 < in_.size() && in_[i_ + 1] == '?') {
      std::string on, off;
      bool minus = false;
      size_t j = i_ + 2;
      for (; j < in_.size(); ++j) {
        const char f = in_[j];
        if (f == '-' && !minus) {
          minus = true;
        } else if (std::string_view("aiLmsux").find(f) != std::string_view::npos) {
          (minus ? off : on).push_back(f);
        } else {
          break;
        }
      }
      if (j < in_.size() && (in_[j] == ')' || in_[j] == ':') && (!on.empty() || minus)) {
        return Flags(on, off, minus, j);
      }
    }
    Copy(1);
    verbose_stack_.push_back(verbose_);
    at_start_ = false;
    return absl::OkStatus();
  }

  // `(?flags)` or `(?flags-flags:` ending at in_[end].
  absl::Status Flags(const std::string& on, const std::string& off, bool minus, size_t end) {
    const bool scoped = in_[end] == ':';
    auto has = [](const std::string& s, char f) { return s.find(f) != std::string::npos; };
    if (has(on, 'L') || has(off, 'L')) {
      return Error("bad inline flags: cannot use 'L' flag with a str pattern");
    }
    if (has(off, 'a') || has(off, 'u'))
      return Error("bad inline flags: cannot turn off flags 'a' and 'u'");
    if (has(on, 'a') && has(on, 'u'))
      return Error("bad inline flags: flags 'a' and 'u' are incompatible");
    if (has(on, 'a')) {
      if (scoped || !at_start_) {
        return Error("the 'a' (ASCII) flag is supported only at the start of the pattern");
      }
      ascii_ = true;
    }
    std::string kept = "(?";
    for (char f : on) {
      if (f != 'a' && f != 'u') kept.push_back(f);
    }
    if (minus) absl::StrAppend(&kept, "-", off);
    const size_t start = i_;
    i_ = end + 1;
    if (scoped) {
      Emit(kept + ":", start);
      verbose_stack_.push_back(verbose_);
      at_start_ = false;
    } else if (kept != "(?") {  // (?u) and (?a) alone leave nothing behind
      Emit(kept + ")", start);
    }
    if (has(on, 'x')) verbose_ = true;
    if (has(off, 'x')) verbose_ = false;
    return absl::OkStatus();
  }

  std::string_view in_;
  size_t i_ = 0;
  std::string out_;
  std::vector<size_t> origin_;
  bool verbose_ = false;
  std::vector<bool> verbose_stack_;
  bool at_start_ = true;  // nothing but global flags (and comments) so far
  bool ascii_ = false;
};

// Length of the valid UTF-8 sequence at s[i], 0 when there is none (RFC 3629: no overlong
// forms, surrogates or code points above U+10FFFF; Python's decoder rejects the same).
size_t Utf8SequenceAt(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  const size_t left = s.size() - i;
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (left < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

// nullopt when `s` is valid UTF-8; otherwise `s` with every byte outside a valid sequence
// replaced by U+FFFD (one character per byte, as os.fsdecode's surrogate escapes).
std::optional<std::string> ReplaceInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceAt(s, i);
    if (len == 0) break;
    i += len;
  }
  if (i == s.size()) return std::nullopt;
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    const size_t len = Utf8SequenceAt(s, i);
    if (len == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string Pcre2Message(int code) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return absl::StrCat("PCRE2 error ", code);
  return std::string(reinterpret_cast<const char*>(buf));
}

// Per-thread match state: pcre2_match_data and the JIT stack must not be shared between
// threads running at the same time.
struct MatchState {
  MatchState() {
    data = pcre2_match_data_create(1, nullptr);  // a yes/no answer needs one pair
    context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(context, PythonRegex::kMatchLimit);
    pcre2_set_heap_limit(context, kHeapLimitKiB);
    jit_stack = pcre2_jit_stack_create(kJitStackStart, kJitStackMax, nullptr);
    if (jit_stack != nullptr) pcre2_jit_stack_assign(context, nullptr, jit_stack);
  }
  ~MatchState() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
  MatchState(const MatchState&) = delete;
  MatchState& operator=(const MatchState&) = delete;
  pcre2_match_data* data;
  pcre2_match_context* context;
  pcre2_jit_stack* jit_stack;
};

}  // namespace

absl::StatusOr<TranslatedRegex> TranslatePythonRegex(std::string_view pattern) {
  return Translator(pattern).Run();
}

struct PythonRegex::Compiled {
  ~Compiled() {
    pcre2_code_free(anchored);
    pcre2_code_free(unanchored);
  }
  std::string pattern;
  pcre2_code* anchored = nullptr;    // re.match
  pcre2_code* unanchored = nullptr;  // re.search
};

absl::StatusOr<PythonRegex> PythonRegex::Compile(std::string_view pattern) {
  if (pattern.size() > kMaxPatternBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("pattern longer than ", kMaxPatternBytes, " bytes"));
  }
  Translator translator(pattern);
  auto translated = translator.Run();
  if (!translated.ok()) return translated.status();

  std::unique_ptr<pcre2_compile_context, void (*)(pcre2_compile_context*)> context(
      pcre2_compile_context_create(nullptr), pcre2_compile_context_free);
  // Python's '.', '$' and verbose comments know only '\n'; the library's default may differ.
  pcre2_set_newline(context.get(), PCRE2_NEWLINE_LF);
  uint32_t options = PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C;
  if (!translated->ascii) options |= PCRE2_UCP;

  auto compiled = std::make_shared<Compiled>();
  compiled->pattern = std::string(pattern);
  for (bool anchored : {true, false}) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(
        reinterpret_cast<PCRE2_SPTR>(translated->pcre2.data()), translated->pcre2.size(),
        options | (anchored ? PCRE2_ANCHORED : 0), &error, &offset, context.get());
    if (code == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(Pcre2Message(error), " at offset ", translator.Origin(offset)));
    }
    // Without JIT support (or memory for it) the interpreter runs, under the same limits.
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    (anchored ? compiled->anchored : compiled->unanchored) = code;
  }
  return PythonRegex(std::move(compiled));
}

const std::string& PythonRegex::pattern() const { return compiled_->pattern; }

absl::StatusOr<bool> PythonRegex::Match(std::string_view text) const {
  return Run(compiled_->anchored, text);
}

absl::StatusOr<bool> PythonRegex::Search(std::string_view text) const {
  return Run(compiled_->unanchored, text);
}

absl::StatusOr<bool> PythonRegex::Run(const void* code, std::string_view text) const {
  thread_local MatchState state;
  std::optional<std::string> replaced = ReplaceInvalidUtf8(text);
  if (replaced) text = *replaced;
  if (text.data() == nullptr) text = "";
  const int rc =
      pcre2_match(static_cast<const pcre2_code*>(code), reinterpret_cast<PCRE2_SPTR>(text.data()),
                  text.size(), 0, 0, state.data, state.context);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
      rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_NOMEMORY) {
    return absl::ResourceExhaustedError(
        absl::StrCat("regular expression '", compiled_->pattern, "': ", Pcre2Message(rc)));
  }
  return absl::InternalError(
      absl::StrCat("regular expression '", compiled_->pattern, "': ", Pcre2Message(rc)));
}

}  // namespace mm::common
