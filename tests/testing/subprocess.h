#pragma once
// Runs a program (a real binary under test) with arguments, environment additions and a time
// limit, capturing stdout and stderr.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mm::testing {

struct ProcessResult {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;
  std::string err;
  bool timed_out = false;
};

struct ProcessOptions {
  std::map<std::string, std::string> env;  // added to (and overriding) the current environment
  absl::Duration timeout = absl::Seconds(120);
  std::string stdin_data;
  std::string cwd;
};

absl::StatusOr<ProcessResult> RunProcess(const std::string& program,
                                         const std::vector<std::string>& args,
                                         const ProcessOptions& options = {});

// A background process (a server started by a test); killed with SIGTERM (then SIGKILL) on
// destruction.
class BackgroundProcess {
 public:
  static absl::StatusOr<std::unique_ptr<BackgroundProcess>> Start(
      const std::string& program, const std::vector<std::string>& args,
      const ProcessOptions& options = {});
  ~BackgroundProcess();
  int pid() const { return pid_; }
  // Sends `sig` and waits up to `timeout` for the exit; returns the exit code (-signal).
  absl::StatusOr<int> Stop(int sig, absl::Duration timeout);
  // Path of the file receiving the process's stderr+stdout.
  const std::string& log_path() const { return log_path_; }
  std::string ReadLog() const;

 private:
  int pid_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// Waits until `pred` is true or `timeout` passes.
bool WaitFor(const std::function<bool()>& pred, absl::Duration timeout);

}  // namespace mm::testing
