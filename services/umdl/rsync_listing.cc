#include "services/umdl/rsync_listing.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace mm::umdl {
namespace {

bool IsModeChar(char c) { return std::strchr("rwxsStTl-", c) != nullptr && c != '\0'; }

bool ParseMode(std::string_view s) {
  if (s.size() != 10 || std::strchr("-dlcbps", s[0]) == nullptr || s[0] == '\0') return false;
  for (size_t i = 1; i < 10; ++i) {
    if (!IsModeChar(s[i])) return false;
  }
  return true;
}

// "4,096", "4.096", "4'096", "4096" -> 4096. Anything with other characters (e.g. "1.2M" from
// --human-readable=2) is rejected: the exact size is lost.
bool ParseSize(std::string_view s, int64_t* out) {
  if (s.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(s.front())) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(s.back()))) {
    return false;
  }
  int64_t v = 0;
  for (char c : s) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      if (v > (INT64_MAX - 9) / 10) return false;
      v = v * 10 + (c - '0');
    } else if (c != ',' && c != '.' && c != '\'' && c != '_') {
      return false;
    }
  }
  *out = v;
  return true;
}

bool Digits(std::string_view s, size_t from, size_t n, int* out) {
  int v = 0;
  for (size_t i = from; i < from + n; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Local time, as upstream's time.mktime.
bool ParseDateTime(std::string_view date, std::string_view time, int64_t* out) {
  if (date.size() != 10 || date[4] != '/' || date[7] != '/' || time.size() != 8 || time[2] != ':' ||
      time[5] != ':') {
    return false;
  }
  int y, mo, d, h, mi, se;
  if (!Digits(date, 0, 4, &y) || !Digits(date, 5, 2, &mo) || !Digits(date, 8, 2, &d) ||
      !Digits(time, 0, 2, &h) || !Digits(time, 3, 2, &mi) || !Digits(time, 6, 2, &se)) {
    return false;
  }
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return false;
  struct tm tm;
  std::memset(&tm, 0, sizeof tm);
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  tm.tm_isdst = -1;
  time_t t = mktime(&tm);
  if (t == static_cast<time_t>(-1)) return false;
  *out = static_cast<int64_t>(t);
  return true;
}

std::string_view NextToken(std::string_view& s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  size_t j = i;
  while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
  std::string_view tok = s.substr(i, j - i);
  s.remove_prefix(j);
  return tok;
}

}  // namespace

bool ParseRsyncRow(std::string_view row, RsyncEntry* out) {
  while (!row.empty() && (row.back() == '\r' || row.back() == '\n')) row.remove_suffix(1);
  std::string_view rest = row;
  std::string_view mode = NextToken(rest);
  std::string_view size = NextToken(rest);
  std::string_view date = NextToken(rest);
  std::string_view time = NextToken(rest);
  if (!ParseMode(mode) || !ParseSize(size, &out->size) || !ParseDateTime(date, time, &out->mtime)) {
    return false;
  }
  if (rest.size() < 2 || rest.front() != ' ') return false;
  std::string_view path = rest.substr(1);
  if (mode[0] == 'l') {
    size_t arrow = path.find(" -> ");
    if (arrow != std::string_view::npos) path = path.substr(0, arrow);
  }
  if (path.empty()) return false;
  out->kind = mode[0];
  out->mode = mode;
  out->path = path;
  return true;
}

void ParseRsyncListing(std::string_view data,
                       const std::function<void(const RsyncEntry&)>& on_entry,
                       RsyncParseStats* stats, size_t max_line_bytes) {
  size_t pos = 0, line = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    bool complete = end != std::string_view::npos;
    if (!complete) end = data.size();
    std::string_view row = data.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (row.empty() || (row.size() == 1 && row[0] == '\r')) continue;
    RsyncEntry e;
    // A last row without its newline may be cut short (a killed rsync): drop it.
    if (!complete || row.size() > max_line_bytes || !ParseRsyncRow(row, &e)) {
      if (stats->skipped++ == 0) {
        stats->first_skipped_line = line;
        stats->first_skipped = std::string(row.substr(0, 200));
      }
      std::string_view rest = row;
      if (stats->rows > 0 || ParseMode(NextToken(rest))) ++stats->skipped_in_listing;
      continue;
    }
    e.line = line;
    ++stats->rows;
    on_entry(e);
  }
}

bool RsyncModeOthersCanRead(std::string_view mode) {
  return mode.size() == 10 && mode[0] == 'd' && mode[7] == 'r' &&
         (mode[9] == 'x' || mode[9] == 't');
}

absl::StatusOr<std::vector<std::string>> SplitShellWords(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (have) out.push_back(std::move(cur));
      cur.clear();
      have = false;
    } else if (c == '\'') {
      size_t j = text.find('\'', i + 1);
      if (j == std::string_view::npos) return absl::InvalidArgumentError("unbalanced ' quote");
      cur.append(text.substr(i + 1, j - i - 1));
      have = true;
      i = j;
    } else if (c == '"') {
      have = true;
      size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size() && std::strchr("\"\\$`", text[j + 1])) ++j;
        cur += text[j];
      }
      if (j >= text.size()) return absl::InvalidArgumentError("unbalanced \" quote");
      i = j;
    } else if (c == '\\' && i + 1 < text.size()) {
      cur += text[++i];
      have = true;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) out.push_back(std::move(cur));
  return out;
}

namespace {

bool HasWildcard(std::string_view p) { return p.find_first_of("*?[") != std::string_view::npos; }

bool Glob(const std::string& pattern, bool wildcard, bool double_star, std::string_view text) {
  if (!wildcard) return pattern == text;
  std::string t(text);
  // Without FNM_PATHNAME '*' crosses '/': right for "**", and for a lone '*' next to "**" it
  // matches more than rsync would, which only keeps more directories.
  return ::fnmatch(pattern.c_str(), t.c_str(), double_star ? 0 : FNM_PATHNAME) == 0;
}

// Whether an option (one word of the entry's `options`) changes which directories rsync lists
// in a way RsyncExcludes does not follow.
bool UnfollowedFilterOption(std::string_view o) {
  for (std::string_view p : {"--include", "--filter", "--exclude-from", "--files-from",
                             "--cvs-exclude", "--prune-empty-dirs", "--dirs", "--no-recursive",
                             "--no-r", "--one-file-system", "--max-size", "--min-size"}) {
    if (o == p || absl::StartsWith(std::string(o), std::string(p) + "=")) {
      // Sizes only filter files; directories are listed regardless.
      return p != "--max-size" && p != "--min-size";
    }
  }
  if (o.size() >= 2 && o[0] == '-' && o[1] != '-') {
    // A cluster of short options ("-rC"): any filtering letter makes the listing unknown.
    return o.substr(1).find_first_of("fFCmdx") != std::string_view::npos;
  }
  return false;
}

}  // namespace

absl::StatusOr<RsyncExcludes> RsyncExcludes::FromOptions(const std::vector<std::string>& options) {
  std::vector<std::string> patterns(std::begin(kStandardRsyncExcludes),
                                    std::end(kStandardRsyncExcludes));
  for (size_t i = 0; i < options.size(); ++i) {
    const std::string& o = options[i];
    if (o == "--exclude") {
      if (i + 1 >= options.size())
        return absl::InvalidArgumentError("--exclude without a pattern in the rsync options");
      patterns.push_back(options[++i]);
    } else if (absl::StartsWith(o, "--exclude=")) {
      patterns.push_back(o.substr(10));
    } else if (UnfollowedFilterOption(o)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the rsync option '", o, "' filters the listing in a way UMDL cannot follow"));
    }
  }
  RsyncExcludes out;
  for (std::string p : patterns) {
    if (absl::StartsWith(p, "- ")) p = p.substr(2);
    if (absl::StartsWith(p, "+ ") || p == "!") {
      return absl::FailedPreconditionError(
          absl::StrCat("the rsync exclude rule '", p, "' is not a plain exclude pattern"));
    }
    if (absl::EndsWith(p, "/***")) p.resize(p.size() - 4);
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    Rule r;
    r.anchored = !p.empty() && p.front() == '/';
    if (r.anchored) p.erase(0, 1);
    if (p.empty()) continue;
    r.double_star = p.find("**") != std::string::npos;
    r.whole_path = r.double_star || p.find('/') != std::string::npos || r.anchored;
    r.wildcard = HasWildcard(p);
    r.pattern = std::move(p);
    out.rules_.push_back(std::move(r));
  }
  return out;
}

bool RsyncExcludes::Matches(const Rule& r, std::string_view path) const {
  if (!r.whole_path) {
    size_t slash = path.rfind('/');
    return Glob(r.pattern, r.wildcard, r.double_star,
                slash == std::string_view::npos ? path : path.substr(slash + 1));
  }
  if (r.anchored) return Glob(r.pattern, r.wildcard, r.double_star, path);
  // Unanchored: the pattern may match any trailing part that starts at a component.
  for (size_t start = 0;;) {
    if (Glob(r.pattern, r.wildcard, r.double_star, path.substr(start))) return true;
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) return false;
    start = slash + 1;
  }
}

bool RsyncExcludes::Excludes(std::string_view rel) const {
  // rsync does not descend into an excluded directory: test the path and each ancestor.
  for (size_t end = rel.size(); end > 0;) {
    std::string_view path = rel.substr(0, end);
    for (const auto& r : rules_) {
      if (Matches(r, path)) return true;
    }
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) break;
    end = slash;
  }
  return false;
}

absl::StatusOr<RsyncRunResult> ProcessRsyncRunner::List(
    const std::string& url, const std::vector<std::string>& extra_options,
    const std::string& output_path, absl::Duration timeout, const std::atomic<bool>* stop) {
  std::vector<std::string> args = {binary_, "--temp-dir=/tmp", "-r"};
  for (const char* e : kStandardRsyncExcludes) args.push_back(absl::StrCat("--exclude=", e));
  args.insert(args.end(), extra_options.begin(), extra_options.end());
  args.push_back(url);
  int out_fd = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", output_path, ": ", std::strerror(errno)));
  }
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_fd);
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out_fd);
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_pipe[1], 2);
    ::execvp(argv[0], argv.data());
    const char msg[] = "cannot execute rsync\n";
    ssize_t ignored = ::write(2, msg, sizeof msg - 1);
    (void)ignored;
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_pipe[1]);
  ::fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  RsyncRunResult result;
  std::string err;
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  bool exited = false;
  while (!exited) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err_pipe[0], buf, sizeof buf)) > 0) {
      err.append(buf, static_cast<size_t>(n));
      if (err.size() > 64 * 1024) err.erase(0, err.size() - 16 * 1024);  // keep the tail
    }
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      exited = true;
      break;
    }
    const bool stopping = stop != nullptr && stop->load();
    if (stopping || absl::Now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      if (stopping) {
        ::close(err_pipe[0]);
        return absl::CancelledError("stopped by a signal; rsync killed");
      }
      result.timed_out = true;
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  char buf[4096];
  ssize_t n;
  while ((n = ::read(err_pipe[0], buf, sizeof buf)) > 0) err.append(buf, static_cast<size_t>(n));
  ::close(err_pipe[0]);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -WTERMSIG(status);
  }
  if (err.size() > 2000) err = err.substr(err.size() - 2000);
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  result.stderr_tail = std::move(err);
  if (result.exit_code == 127 &&
      result.stderr_tail.find("cannot execute rsync") != std::string::npos) {
    return absl::FailedPreconditionError(absl::StrCat("cannot execute ", binary_));
  }
  return result;
}

}  // namespace mm::umdl
