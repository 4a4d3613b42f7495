#pragma once
// Real servers on loopback for crawler tests and benchmarks: a mirror tree on disk, an HTTP(S)
// server (cpp-httplib) with per-path misbehaviour (status codes, redirects, stalls), an rsync
// daemon, vsftpd, and a tiny SMTP server that records messages.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/subprocess.h"

namespace httplib {
class Server;
}

namespace mm::testing {

// A temporary directory (mode 0755) removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes `content` to root/rel (directories created, mode 0644/0755).
void WriteFile(const std::string& root, const std::string& rel, const std::string& content);
void MakeDir(const std::string& root, const std::string& rel);
std::string ReadFileOrEmpty(const std::string& path);
// A port that was free a moment ago on 127.0.0.1.

class HttpMirror {
 public:
  struct Rule {
    int status = 0;            // answer with this status (no body)
    std::string location;      // Location header for 3xx
    absl::Duration stall;      // sleep this long before answering (stall)
  };
  // Serves `root` on 127.0.0.1:0. With `cert`/`key` (PEM files) it speaks HTTPS.
  static std::unique_ptr<HttpMirror> Start(const std::string& root, const std::string& cert = "",
                                           const std::string& key = "");
  ~HttpMirror();
  // Requests whose path starts with `prefix` (URL path, e.g. "/m1/pub/x") follow `rule`.
  void SetRule(const std::string& prefix, Rule rule);
  // Extra handler for a path (fake Bodhi): returns body, content type. "PATH?page=N" matches
  // that page parameter only.
  void Handle(const std::string& path, std::string body, std::string content_type);
  int port() const { return port_; }
  std::string base(bool tls = false) const;
  int64_t requests() const { return requests_.load(); }
  void Stop();

 private:
  HttpMirror() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  bool tls_ = false;
  std::string root_;
  std::mutex mu_;
  std::map<std::string, Rule> rules_;
  std::map<std::string, std::pair<std::string, std::string>> handlers_;
  std::atomic<int64_t> requests_{0};
  std::atomic<bool> stopping_{false};
};

// Self-signed certificate for 127.0.0.1 (openssl CLI); returns false when openssl fails.
bool MakeTestCertificate(const std::string& dir, std::string* cert, std::string* key);

class RsyncDaemon {
 public:
  // Module "mirror" serving `root`.
  static absl::StatusOr<std::unique_ptr<RsyncDaemon>> Start(const std::string& root);
  int port() const { return port_; }
  std::string url() const;  // rsync://127.0.0.1:PORT/mirror

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

class FtpServer {
 public:
  // Anonymous, read-only vsftpd with `root` as anon_root.
  static absl::StatusOr<std::unique_ptr<FtpServer>> Start(const std::string& root);
  int port() const { return port_; }
  std::string url() const;  // ftp://127.0.0.1:PORT

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

class SmtpServer {
 public:
  static std::unique_ptr<SmtpServer> Start();
  ~SmtpServer();
  int port() const { return port_; }
  std::vector<std::string> messages();  // DATA payloads received

 private:
  SmtpServer() = default;
  void Serve();
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> messages_;
};

}  // namespace mm::testing
