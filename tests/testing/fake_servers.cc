#include "tests/testing/fake_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/testing/subprocess.h"

namespace mm::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return a;
}

}  // namespace

bool MakeSelfSignedCertificate(const std::string& dir, std::string* cert, std::string* key) {
  *cert = dir + "/cert.pem";
  *key = dir + "/key.pem";
  auto r =
      RunProcess("/usr/bin/openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                      *key, "-out", *cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                                      "-addext", "subjectAltName=IP:127.0.0.1"});
  return r.ok() && r->exit_code == 0;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = Loopback(0);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool WaitForPort(int port, absl::Duration timeout) {
  return WaitFor(
      [port] {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a = Loopback(port);
        bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        close(fd);
        return ok;
      },
      timeout);
}

SilentTcpServer::SilentTcpServer() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = Loopback(0);
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  listen(listen_fd_, 64);
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] {
    while (true) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;  // shutdown() in the destructor
      std::lock_guard<std::mutex> lock(mu_);
      clients_.push_back(fd);  // held open, never written to
    }
  });
}

SilentTcpServer::~SilentTcpServer() {
  shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  thread_.join();
  close(listen_fd_);
  for (int fd : clients_) close(fd);
}

int SilentTcpServer::accepted() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(clients_.size());
}

FakePushgateway::FakePushgateway() {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    paths_.push_back(req.path);
    bodies_ += req.body;
    res.status = 200;
  };
  server_.Put(".*", handler);
  server_.Post(".*", handler);
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // httplib's stop() is lost if it comes before the accept loop runs.
  for (int i = 0; i < 500 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

FakePushgateway::~FakePushgateway() {
  server_.stop();
  thread_.join();
}

std::string FakePushgateway::bodies() {
  std::lock_guard<std::mutex> lock(mu_);
  return bodies_;
}

std::vector<std::string> FakePushgateway::paths() {
  std::lock_guard<std::mutex> lock(mu_);
  return paths_;
}

}  // namespace mm::testing
