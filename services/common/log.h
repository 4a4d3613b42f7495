#pragma once
// Logging: `MM_LOG(INFO) << "text";`. Records go to every registered sink; the default sink
// writes "YYYY-MM-DD HH:MM:SS,mmm LEVEL message" to stderr. A thread may set a context prefix
// (the crawler uses "hostname (id): ") and sinks may filter on the thread (per-host log files).
//
// Thread-safety: all functions may be called from any thread.

#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>

namespace mm::common {

enum class LogLevel { kDebug = 10, kInfo = 20, kWarning = 30, kError = 40, kCritical = 50 };

struct LogRecord {
  LogLevel level;
  std::string message;       // without prefix or context
  std::string context;       // thread context, may be empty
  std::thread::id thread;
  int64_t unix_micros;
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(const LogRecord& record) = 0;
};

// Records below `level` are dropped before reaching any sink. Default: INFO.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);
// "debug", "info", "warning", "error", "critical" (case-insensitive).
bool ParseLogLevel(std::string_view name, LogLevel* out);
const char* LogLevelName(LogLevel level);

// Stops/starts the built-in stderr sink (tests, TTY progress lines).
void SetStderrLogging(bool enabled);
void AddLogSink(std::shared_ptr<LogSink> sink);
void RemoveLogSink(const LogSink* sink);

// "2026-11-25 13:00:00,123 INFO message"
std::string FormatLogLine(const LogRecord& record);

// Per-thread context prefix for messages logged by the current thread.
class ScopedLogContext {
 public:
  explicit ScopedLogContext(std::string context);
  ~ScopedLogContext();
  ScopedLogContext(const ScopedLogContext&) = delete;
  ScopedLogContext& operator=(const ScopedLogContext&) = delete;

 private:
  std::string previous_;
};

class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage();
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

}  // namespace mm::common

#define MM_LOG_LEVEL_DEBUG ::mm::common::LogLevel::kDebug
#define MM_LOG_LEVEL_INFO ::mm::common::LogLevel::kInfo
#define MM_LOG_LEVEL_WARNING ::mm::common::LogLevel::kWarning
#define MM_LOG_LEVEL_ERROR ::mm::common::LogLevel::kError
#define MM_LOG_LEVEL_CRITICAL ::mm::common::LogLevel::kCritical

// The message expression is not evaluated when the level is disabled.
#define MM_LOG(level)                                       \
  if (!::mm::common::LogEnabled(MM_LOG_LEVEL_##level)) {    \
  } else                                                    \
    ::mm::common::LogMessage(MM_LOG_LEVEL_##level).stream()
