#pragma once
// Real servers on loopback for crawler tests and benchmarks: a mirror tree on disk, an HTTP(S)
// server (cpp-httplib) with per-path misbehaviour (status codes, redirects, stalls), an rsync
// daemon, vsftpd, and a tiny SMTP server that records messages.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
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
    int status = 0;        // answer with this status (no body)
    std::string location;  // Location header for 3xx
    absl::Duration stall;  // sleep this long before answering (stall)
  };
  // Serves `root` on 127.0.0.1:0. With `cert`/`key` (PEM files) it speaks HTTPS.
  static std::unique_ptr<HttpMirror> Start(const std::string& root, const std::string& cert = "",
                                           const std::string& key = "");
  ~HttpMirror();
  // Requests whose path starts with `prefix` (URL path, e.g. "/m1/pub/x") follow `rule`.
  void SetRule(const std::string& prefix, Rule rule);
  // Extra handler for a path (fake Bodhi): returns body, content type. "PATH?page=N" matches
  // that page parameter only. text/* bodies are gzip-compressed when the client accepts it.
  void Handle(const std::string& path, std::string body, std::string content_type);
  // Serves `body` at `path` (chunked, application/octet-stream) in `chunk`-byte pieces, one
  // every `interval`; after `stall_after` bytes it stops sending (without closing).
  struct StreamSpec {
    std::string body;
    size_t chunk = 64 << 10;
    absl::Duration interval;
    size_t stall_after = std::string::npos;
  };
  void Stream(const std::string& path, StreamSpec spec);
  // Requests so far whose path starts with `prefix`.
  int64_t RequestsFor(const std::string& prefix);
  // The Accept-Encoding header of the last request for `path` ("" when none).
  std::string AcceptEncoding(const std::string& path);
  // Header `name` of the last request for `path` ("" when none).
  std::string Header(const std::string& path, const std::string& name);
  // Distinct client connections (remote address and port) seen so far.
  int64_t connections();
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
  std::map<std::string, std::shared_ptr<StreamSpec>> streams_;
  std::vector<std::string> paths_;
  std::map<std::string, std::multimap<std::string, std::string>> headers_;
  std::set<std::string> peers_;
  std::atomic<int64_t> requests_{0};
  std::atomic<bool> stopping_{false};
};

class RsyncDaemon {
 public:
  // Module "mirror" serving `root`, read as `user` (group `group`).
  static absl::StatusOr<std::unique_ptr<RsyncDaemon>> Start(const std::string& root,
                                                            const std::string& user = "root",
                                                            const std::string& group = "root");
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

// A small FTP server on loopback serving `root` read-only (USER/PASS, PWD, CWD, TYPE, EPSV,
// PASV, LIST in "ls -l" format), whose LIST replies can be scripted per directory: the codes
// given are answered in turn (421 also closes the control connection, as servers do) before
// the real listing. For reply codes vsftpd cannot be made to send.
class ScriptedFtpServer {
 public:
  static std::unique_ptr<ScriptedFtpServer> Start(const std::string& root);
  ~ScriptedFtpServer();
  // `dir` is the absolute FTP path, e.g. "/f/pub/test/b".
  void Script(const std::string& dir, std::vector<int> codes);
  int port() const { return port_; }
  std::string url() const;  // ftp://127.0.0.1:PORT
  int logins();
  int lists(const std::string& dir);  // LIST commands received for `dir`

 private:
  ScriptedFtpServer() = default;
  void Serve();
  void Session(int fd);
  std::string root_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> sessions_;
  std::mutex mu_;
  std::map<std::string, std::vector<int>> scripts_;
  std::map<std::string, int> lists_;
  int logins_ = 0;
};

class SmtpServer {
 public:
  // With `cert`/`key` (PEM) the server offers STARTTLS; with `auth` it offers AUTH PLAIN.
  static std::unique_ptr<SmtpServer> Start(bool auth = false, const std::string& cert = "",
                                           const std::string& key = "");
  ~SmtpServer();
  int port() const { return port_; }
  std::vector<std::string> messages();  // DATA payloads received
  std::vector<std::string> auth();      // decoded AUTH PLAIN credentials ("user:password")
  std::vector<std::string> rcpts();     // RCPT TO arguments
  int tls_sessions();                   // connections that switched to TLS

 private:
  SmtpServer() = default;
  void Serve();
  int fd_ = -1;
  int port_ = 0;
  bool auth_enabled_ = false;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> messages_, auth_, rcpts_;
  int tls_sessions_ = 0;
};

}  // namespace mm::testing
