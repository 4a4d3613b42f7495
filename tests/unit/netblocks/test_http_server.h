#pragma once
// A loopback HTTP(S) server (cpp-httplib on 127.0.0.1, port chosen by the kernel) serving fixed
// bodies, Apache-style directory indexes and slowly streamed bodies, for download tests.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace mm::netblocks::testing {

class TestHttpServer {
 public:
  TestHttpServer();
  // HTTPS with the given PEM certificate and key (see mm::testing::MakeSelfSignedCertificate).
  TestHttpServer(const std::string& cert, const std::string& key);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  std::string Url(const std::string& path) const;

  void Serve(const std::string& path, std::string body, int status = 200);
  // An index page for `dir` (ending in "/") linking `names` in this order, whatever the query.
  void ServeIndex(const std::string& dir, const std::vector<std::string>& names);
  // Sends `body` in pieces of `chunk` bytes; `before_chunk(i)` runs before piece i (it may
  // block, e.g. until the client has processed earlier pieces).
  void ServeStreaming(const std::string& path, std::string body, size_t chunk,
                      std::function<void(size_t)> before_chunk);

  // Request targets seen so far ("path" or "path?query").
  std::vector<std::string> requests() const;

 private:
  struct Route {
    int status = 200;
    std::string body;
    size_t chunk = 0;
    std::function<void(size_t)> before_chunk;
  };
  void Start();

  std::unique_ptr<httplib::Server> server_;
  bool tls_ = false;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Route>> routes_;
  std::vector<std::string> requests_;
};

}  // namespace mm::netblocks::testing
