#include "services/crawler/host_log.h"

#include <sys/stat.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mm::crawler {

HostLogRouter::HostLogRouter(std::string log_dir) : dir_(std::move(log_dir)) {
  mkdir(dir_.c_str(), 0755);
  mkdir(absl::StrCat(dir_, "/crawler").c_str(), 0755);
}

HostLogRouter::~HostLogRouter() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [_, f] : files_) fclose(f);
}

std::string HostLogRouter::PathFor(int64_t host_id) const {
  return absl::StrCat(dir_, "/crawler/", host_id, ".log");
}

bool HostLogRouter::Begin(int64_t host_id) {
  FILE* f = fopen(PathFor(host_id).c_str(), "a");
  if (f == nullptr) return false;
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = files_.emplace(std::this_thread::get_id(), f);
  if (!inserted) {
    fclose(it->second);
    it->second = f;
  }
  return true;
}

void HostLogRouter::End() {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(std::this_thread::get_id());
  if (it == files_.end()) return;
  fclose(it->second);
  files_.erase(it);
}

void HostLogRouter::Write(const common::LogRecord& r) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(r.thread);
  if (it == files_.end()) return;
  time_t secs = static_cast<time_t>(r.unix_micros / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
  std::string line = absl::StrFormat("%s,%03d - %s - %s\n", ts,
                                     static_cast<int>((r.unix_micros / 1000) % 1000),
                                     common::LogLevelName(r.level), r.message);
  fwrite(line.data(), 1, line.size(), it->second);
  fflush(it->second);
}

}  // namespace mm::crawler
