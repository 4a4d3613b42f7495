#pragma once
// Small loopback servers and port helpers shared by tests.

#include <httplib.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace mm::testing {

// A port on 127.0.0.1 that was free a moment ago (the kernel picked it). Servers that cannot
// listen on port 0 themselves (rsync --daemon, vsftpd) retry with another one when it was taken.
int FreePort();
// True once something accepts connections on 127.0.0.1:port, false after `timeout`.
bool WaitForPort(int port, absl::Duration timeout);

// A loopback TCP server that accepts connections and never sends a byte: a database (or any
// peer) that hangs after the TCP handshake, for connect and read timeout tests.
class SilentTcpServer {
 public:
  SilentTcpServer();
  ~SilentTcpServer();
  SilentTcpServer(const SilentTcpServer&) = delete;
  SilentTcpServer& operator=(const SilentTcpServer&) = delete;

  int port() const { return port_; }
  int accepted();  // connections accepted so far

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<int> clients_;
};

// A self-signed certificate for 127.0.0.1 (openssl CLI), written to `dir` as cert.pem and
// key.pem; the certificate doubles as the CA file a client must trust. False when openssl fails.
bool MakeSelfSignedCertificate(const std::string& dir, std::string* cert, std::string* key);

// A Prometheus Pushgateway stand-in on a kernel-chosen loopback port: records what is pushed.
class FakePushgateway {
 public:
  FakePushgateway();
  ~FakePushgateway();
  FakePushgateway(const FakePushgateway&) = delete;
  FakePushgateway& operator=(const FakePushgateway&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string bodies();
  std::vector<std::string> paths();

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::string bodies_;
  std::vector<std::string> paths_;
};

}  // namespace mm::testing
