#pragma once
// Per-host crawler log files (mm2-backend.md §2.12): while a worker thread crawls a host, the
// records that thread logs are appended to MM_LOG_DIR/crawler/<host_id>.log as
// "time - LEVEL - message". The web UI serves the file at /crawler/<id>.log.
//
// Thread-safety: HostLogRouter is a LogSink; Write() may be called from any thread.

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "services/common/log.h"

namespace mm::crawler {

class HostLogRouter final : public common::LogSink {
 public:
  // `log_dir` is MM_LOG_DIR; files go to log_dir/crawler/.
  explicit HostLogRouter(std::string log_dir);
  ~HostLogRouter() override;

  void Write(const common::LogRecord& record) override;
  // Routes the calling thread's records to the host's file until End() (or the scope ends).
  bool Begin(int64_t host_id);
  void End();
  std::string PathFor(int64_t host_id) const;

 private:
  std::string dir_;
  std::mutex mu_;
  std::map<std::thread::id, FILE*> files_;
};

// RAII: HostLogRouter::Begin/End for the current thread; a null router does nothing.
class HostLogScope {
 public:
  HostLogScope(HostLogRouter* router, int64_t host_id) : router_(router) {
    if (router_ != nullptr) router_->Begin(host_id);
  }
  ~HostLogScope() {
    if (router_ != nullptr) router_->End();
  }
  HostLogScope(const HostLogScope&) = delete;
  HostLogScope& operator=(const HostLogScope&) = delete;

 private:
  HostLogRouter* router_;
};

}  // namespace mm::crawler
