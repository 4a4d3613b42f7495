#include "tests/testing/fake_servers.h"
#include "tests/integration/crawler/mirror_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mm::testing {

TempDir::TempDir() {
  char tmpl[] = "/tmp/mm_crawl_test_XXXXXX";
  path_ = mkdtemp(tmpl);
  chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void MakeDir(const std::string& root, const std::string& rel) {
  std::filesystem::path p = std::filesystem::path(root) / rel;
  std::filesystem::create_directories(p);
  for (auto q = p; q.string().size() > root.size(); q = q.parent_path()) chmod(q.c_str(), 0755);
}

void WriteFile(const std::string& root, const std::string& rel, const std::string& content) {
  std::filesystem::path p = std::filesystem::path(root) / rel;
  MakeDir(root, p.parent_path().string().substr(std::min(root.size() + 1, p.parent_path().string().size())));
  std::ofstream(p, std::ios::binary) << content;
  chmod(p.c_str(), 0644);
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}


std::unique_ptr<HttpMirror> HttpMirror::Start(const std::string& root, const std::string& cert,
                                              const std::string& key) {
  std::unique_ptr<HttpMirror> m(new HttpMirror());
  if (!cert.empty()) {
    m->server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    m->tls_ = true;
  } else {
    m->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *m->server_;
  s.set_keep_alive_max_count(1000000);
  s.set_keep_alive_timeout(30);
  s.set_tcp_nodelay(true);
  s.new_task_queue = [] { return new httplib::ThreadPool(32); };
  HttpMirror* self = m.get();
  m->root_ = root;
  s.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    self->requests_++;
    Rule rule;
    bool found = false;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      auto h = self->handlers_.find(absl::StrCat(req.path, "?page=", req.get_param_value("page")));
      if (h == self->handlers_.end()) h = self->handlers_.find(req.path);
      if (h != self->handlers_.end()) {
        res.set_content(h->second.first, h->second.second.c_str());
        return httplib::Server::HandlerResponse::Handled;
      }
      size_t best = 0;
      for (const auto& [prefix, r] : self->rules_) {
        if (absl::StartsWith(req.path, prefix) && prefix.size() >= best) {
          best = prefix.size();
          rule = r;
          found = true;
        }
      }
    }
    if (!found) {
      // Directories answer 200 with a small listing, like a web server with autoindex.
      std::error_code ec;
      if (std::filesystem::is_directory(self->root_ + req.path, ec)) {
        res.set_content("<html><body>index</body></html>\n", "text/html");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    }
    if (rule.stall > absl::ZeroDuration()) {
      absl::Time until = absl::Now() + rule.stall;
      while (absl::Now() < until && !self->stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (rule.status == 0) return httplib::Server::HandlerResponse::Unhandled;
    res.status = rule.status;
    if (!rule.location.empty()) res.set_header("Location", rule.location);
    return httplib::Server::HandlerResponse::Handled;
  });
  s.set_mount_point("/", root);
  m->port_ = s.bind_to_any_port("127.0.0.1");
  m->thread_ = std::thread([self] { self->server_->listen_after_bind(); });
  WaitForPort(m->port_, absl::Seconds(5));
  return m;
}

HttpMirror::~HttpMirror() { Stop(); }

void HttpMirror::Stop() {
  stopping_ = true;
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void HttpMirror::SetRule(const std::string& prefix, Rule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_[prefix] = rule;
}

void HttpMirror::Handle(const std::string& path, std::string body, std::string content_type) {
  std::lock_guard<std::mutex> lock(mu_);
  handlers_[path] = {std::move(body), std::move(content_type)};
}

std::string HttpMirror::base(bool) const {
  return absl::StrCat(tls_ ? "https" : "http", "://127.0.0.1:", port_);
}

bool MakeTestCertificate(const std::string& dir, std::string* cert, std::string* key) {
  *cert = dir + "/cert.pem";
  *key = dir + "/key.pem";
  auto r = RunProcess("/usr/bin/openssl",
                      {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", *key, "-out", *cert,
                       "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  return r.ok() && r->exit_code == 0;
}

absl::StatusOr<std::unique_ptr<RsyncDaemon>> RsyncDaemon::Start(const std::string& root) {
  auto d = std::unique_ptr<RsyncDaemon>(new RsyncDaemon());
  std::string conf = d->dir_.path() + "/rsyncd.conf";
  std::ofstream(conf) << "use chroot = no\nmax connections = 0\npid file = " << d->dir_.path()
                      << "/rsyncd.pid\nlog file = " << d->dir_.path() << "/rsyncd.log\n"
                      << "[mirror]\npath = " << root << "\nread only = yes\nlist = yes\nuid = root\ngid = root\n";
  for (int attempt = 0; attempt < 5; ++attempt) {
    d->port_ = FreePort();
    auto p = BackgroundProcess::Start("/usr/bin/rsync",
                                      {"--daemon", "--no-detach", "--config=" + conf,
                                       absl::StrCat("--port=", d->port_), "--address=127.0.0.1"});
    if (!p.ok()) return p.status();
    d->process_ = std::move(*p);
    if (WaitForPort(d->port_, absl::Seconds(5))) return d;
  }
  return absl::UnavailableError("rsync --daemon did not start");
}

std::string RsyncDaemon::url() const { return absl::StrCat("rsync://127.0.0.1:", port_, "/mirror"); }

absl::StatusOr<std::unique_ptr<FtpServer>> FtpServer::Start(const std::string& root) {
  auto f = std::unique_ptr<FtpServer>(new FtpServer());
  std::string empty = f->dir_.path() + "/empty";
  mkdir(empty.c_str(), 0755);
  for (int attempt = 0; attempt < 5; ++attempt) {
    f->port_ = FreePort();
    int pasv = 30000 + (f->port_ % 20000);
    std::string conf = f->dir_.path() + "/vsftpd.conf";
    std::ofstream(conf) << "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port=" << f->port_
                        << "\nanonymous_enable=YES\nanon_root=" << root
                        << "\nno_anon_password=YES\nlocal_enable=NO\nwrite_enable=NO\nbackground=NO\n"
                        << "pasv_enable=YES\npasv_address=127.0.0.1\npasv_min_port=" << pasv
                        << "\npasv_max_port=" << pasv + 50 << "\nsecure_chroot_dir=" << empty
                        << "\nseccomp_sandbox=NO\nisolate=NO\nisolate_network=NO\nxferlog_enable=NO\n"
                        << "dirlist_enable=YES\nhide_ids=YES\nrun_as_launching_user=NO\n"
                        << "max_clients=50\nmax_per_ip=50\n";
    auto p = BackgroundProcess::Start("/usr/sbin/vsftpd", {conf});
    if (!p.ok()) return p.status();
    f->process_ = std::move(*p);
    if (WaitForPort(f->port_, absl::Seconds(5))) return f;
  }
  return absl::UnavailableError(absl::StrCat("vsftpd did not start: ", f->process_ ? f->process_->ReadLog() : ""));
}

std::string FtpServer::url() const { return absl::StrCat("ftp://127.0.0.1:", port_); }

std::unique_ptr<SmtpServer> SmtpServer::Start() {
  std::unique_ptr<SmtpServer> s(new SmtpServer());
  s->fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s->fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s->fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s->fd_, reinterpret_cast<sockaddr*>(&a), &len);
  s->port_ = ntohs(a.sin_port);
  listen(s->fd_, 8);
  s->thread_ = std::thread([p = s.get()] { p->Serve(); });
  return s;
}

SmtpServer::~SmtpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> SmtpServer::messages() {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

void SmtpServer::Serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) continue;
    auto send_line = [c](const std::string& s) { (void)!write(c, s.data(), s.size()); };
    send_line("220 localhost ESMTP test\r\n");
    std::string buf;
    bool in_data = false;
    std::string data;
    absl::Time deadline = absl::Now() + absl::Seconds(30);
    bool open = true;
    while (open && !stop_ && absl::Now() < deadline) {
      pollfd q{c, POLLIN, 0};
      if (poll(&q, 1, 100) <= 0) continue;
      char tmp[4096];
      ssize_t n = read(c, tmp, sizeof tmp);
      if (n <= 0) break;
      buf.append(tmp, n);
      size_t pos;
      while ((pos = buf.find("\r\n")) != std::string::npos) {
        std::string line = buf.substr(0, pos);
        buf.erase(0, pos + 2);
        if (in_data) {
          if (line == ".") {
            in_data = false;
            {
              std::lock_guard<std::mutex> lock(mu_);
              messages_.push_back(data);
            }
            data.clear();
            send_line("250 OK queued\r\n");
          } else {
            data += line + "\n";
          }
          continue;
        }
        std::string cmd = line.substr(0, 4);
        for (auto& ch : cmd) ch = static_cast<char>(toupper(ch));
        if (cmd == "EHLO") {
          send_line("250-localhost\r\n250 8BITMIME\r\n");
        } else if (cmd == "DATA") {
          in_data = true;
          send_line("354 End data with <CR><LF>.<CR><LF>\r\n");
        } else if (cmd == "QUIT") {
          send_line("221 Bye\r\n");
          open = false;
          break;
        } else {
          send_line("250 OK\r\n");
        }
      }
    }
    close(c);
  }
}

}  // namespace mm::testing
