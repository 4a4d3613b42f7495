#include "services/common/log.h"

#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace mm::common {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_stderr{true};
thread_local std::string t_context;

struct Sinks {
  std::mutex mu;
  std::vector<std::shared_ptr<LogSink>> sinks;
  std::mutex stderr_mu;
};

Sinks& GetSinks() {
  static Sinks* s = new Sinks();  // never destroyed: logging may happen during exit
  return *s;
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  std::string n = absl::AsciiStrToLower(std::string(name));
  if (n == "debug") *out = LogLevel::kDebug;
  else if (n == "info") *out = LogLevel::kInfo;
  else if (n == "warning" || n == "warn") *out = LogLevel::kWarning;
  else if (n == "error") *out = LogLevel::kError;
  else if (n == "critical") *out = LogLevel::kCritical;
  else return false;
  return true;
}

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kCritical:
      return "CRITICAL";
  }
  return "?";
}

void SetStderrLogging(bool enabled) { g_stderr = enabled; }

void AddLogSink(std::shared_ptr<LogSink> sink) {
  auto& s = GetSinks();
  std::lock_guard<std::mutex> lock(s.mu);
  s.sinks.push_back(std::move(sink));
}

void RemoveLogSink(const LogSink* sink) {
  auto& s = GetSinks();
  std::lock_guard<std::mutex> lock(s.mu);
  s.sinks.erase(std::remove_if(s.sinks.begin(), s.sinks.end(),
                               [sink](const auto& p) { return p.get() == sink; }),
                s.sinks.end());
}

std::string FormatLogLine(const LogRecord& r) {
  time_t secs = static_cast<time_t>(r.unix_micros / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
  return absl::StrFormat("%s,%03d %s %s%s", ts, static_cast<int>((r.unix_micros / 1000) % 1000),
                         LogLevelName(r.level), r.context, r.message);
}

ScopedLogContext::ScopedLogContext(std::string context) : previous_(std::move(t_context)) {
  t_context = std::move(context);
}
ScopedLogContext::~ScopedLogContext() { t_context = std::move(previous_); }

LogMessage::~LogMessage() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  LogRecord record{level_, stream_.str(), t_context, std::this_thread::get_id(),
                   int64_t{tv.tv_sec} * 1000000 + tv.tv_usec};
  auto& s = GetSinks();
  if (g_stderr) {
    std::string line = FormatLogLine(record) + "\n";
    std::lock_guard<std::mutex> lock(s.stderr_mu);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  std::vector<std::shared_ptr<LogSink>> sinks;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    sinks = s.sinks;
  }
  for (const auto& sink : sinks) sink->Write(record);
}

}  // namespace mm::common
