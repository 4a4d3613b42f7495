#pragma once
// Graceful termination on SIGTERM/SIGINT. Call BlockShutdownSignals() first thing in main(),
// before any thread exists, so that every thread inherits the blocked mask and the signals are
// only ever consumed by WaitForShutdownSignal() or a ShutdownWatcher.

#include <atomic>
#include <functional>
#include <thread>

namespace mm::common {

void BlockShutdownSignals();

// Blocks the calling thread until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForShutdownSignal();

// For batch workers: a thread that waits for SIGTERM/SIGINT and then calls `on_signal` once
// (typically: set a stop flag so the run reports what it has and exits).
class ShutdownWatcher {
 public:
  explicit ShutdownWatcher(std::function<void(int)> on_signal);
  ~ShutdownWatcher();
  ShutdownWatcher(const ShutdownWatcher&) = delete;
  ShutdownWatcher& operator=(const ShutdownWatcher&) = delete;

  bool triggered() const { return triggered_.load(); }

 private:
  std::function<void(int)> on_signal_;
  std::atomic<bool> triggered_{false};
  int wake_fd_ = -1;
  int signal_fd_ = -1;
  std::thread thread_;
};

}  // namespace mm::common
