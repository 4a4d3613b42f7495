#include "tests/integration/crawler/mirror_servers.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/testing/fake_servers.h"

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
  MakeDir(root, p.parent_path().string().substr(
                    std::min(root.size() + 1, p.parent_path().string().size())));
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
    std::shared_ptr<StreamSpec> stream;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->paths_.push_back(req.path);
      auto& headers = self->headers_[req.path];
      headers.clear();
      for (const auto& [k, v] : req.headers) headers.emplace(k, v);
      self->peers_.insert(absl::StrCat(req.remote_addr, ":", req.remote_port));
      auto st = self->streams_.find(req.path);
      if (st != self->streams_.end()) stream = st->second;
    }
    if (stream) {
      res.set_chunked_content_provider(
          "application/octet-stream", [self, stream](size_t offset, httplib::DataSink& sink) {
            if (offset >= stream->body.size()) {
              sink.done();
              return true;
            }
            if (offset >= stream->stall_after) {
              while (!self->stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
              return false;
            }
            std::this_thread::sleep_for(absl::ToChronoMilliseconds(stream->interval));
            size_t n = std::min(stream->chunk, stream->body.size() - offset);
            if (stream->stall_after != std::string::npos)
              n = std::min(n, stream->stall_after - offset);
            return sink.write(stream->body.data() + offset, n);
          });
      return httplib::Server::HandlerResponse::Handled;
    }
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
      while (absl::Now() < until && !self->stopping_)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
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

void HttpMirror::Stream(const std::string& path, StreamSpec spec) {
  std::lock_guard<std::mutex> lock(mu_);
  streams_[path] = std::make_shared<StreamSpec>(std::move(spec));
}

int64_t HttpMirror::RequestsFor(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  return std::count_if(paths_.begin(), paths_.end(),
                       [&](const std::string& p) { return absl::StartsWith(p, prefix); });
}

std::string HttpMirror::AcceptEncoding(const std::string& path) {
  return Header(path, "Accept-Encoding");
}

std::string HttpMirror::Header(const std::string& path, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = headers_.find(path);
  if (it == headers_.end()) return "";
  for (const auto& [k, v] : it->second) {
    if (absl::EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

int64_t HttpMirror::connections() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(peers_.size());
}

std::string HttpMirror::base(bool) const {
  return absl::StrCat(tls_ ? "https" : "http", "://127.0.0.1:", port_);
}

absl::StatusOr<std::unique_ptr<RsyncDaemon>> RsyncDaemon::Start(const std::string& root,
                                                                const std::string& user,
                                                                const std::string& group) {
  auto d = std::unique_ptr<RsyncDaemon>(new RsyncDaemon());
  std::string conf = d->dir_.path() + "/rsyncd.conf";
  std::ofstream(conf) << "use chroot = no\nmax connections = 0\npid file = " << d->dir_.path()
                      << "/rsyncd.pid\nlog file = " << d->dir_.path() << "/rsyncd.log\n"
                      << "[mirror]\npath = " << root
                      << "\nread only = yes\nlist = yes\nuid = " << user << "\ngid = " << group
                      << "\n";
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

std::string RsyncDaemon::url() const {
  return absl::StrCat("rsync://127.0.0.1:", port_, "/mirror");
}

absl::StatusOr<std::unique_ptr<FtpServer>> FtpServer::Start(const std::string& root) {
  auto f = std::unique_ptr<FtpServer>(new FtpServer());
  std::string empty = f->dir_.path() + "/empty";
  mkdir(empty.c_str(), 0755);
  for (int attempt = 0; attempt < 5; ++attempt) {
    f->port_ = FreePort();
    int pasv = 30000 + (f->port_ % 20000);
    std::string conf = f->dir_.path() + "/vsftpd.conf";
    std::ofstream(conf)
        << "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port=" << f->port_
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
  return absl::UnavailableError(
      absl::StrCat("vsftpd did not start: ", f->process_ ? f->process_->ReadLog() : ""));
}

std::string FtpServer::url() const { return absl::StrCat("ftp://127.0.0.1:", port_); }

namespace {

// Reads one CRLF- or LF-terminated line from `fd` (false on EOF, error or `stop`).
bool ReadLine(int fd, std::string& buf, std::string* line, const std::atomic<bool>& stop) {
  while (true) {
    size_t nl = buf.find('\n');
    if (nl != std::string::npos) {
      *line = buf.substr(0, nl);
      if (!line->empty() && line->back() == '\r') line->pop_back();
      buf.erase(0, nl + 1);
      return true;
    }
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, 100);
    if (stop) return false;
    if (rc <= 0) continue;
    char tmp[4096];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) return false;
    buf.append(tmp, n);
  }
}

void SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

int ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  listen(fd, 16);
  return fd;
}

// accept() with a timeout; -1 when nothing came.
int AcceptWithin(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, ms) <= 0) return -1;
  return accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
}

std::string LsLine(const std::filesystem::directory_entry& e) {
  std::error_code ec;
  bool dir = e.is_directory(ec);
  uintmax_t size = dir ? 4096 : e.file_size(ec);
  return absl::StrCat(dir ? "drwxr-xr-x" : "-rw-r--r--", "    1 ftp      ftp      ", size,
                      " Jan 01  2024 ", e.path().filename().string(), "\r\n");
}

}  // namespace

std::unique_ptr<ScriptedFtpServer> ScriptedFtpServer::Start(const std::string& root) {
  std::unique_ptr<ScriptedFtpServer> s(new ScriptedFtpServer());
  s->root_ = root;
  s->fd_ = ListenLoopback(&s->port_);
  s->thread_ = std::thread([p = s.get()] { p->Serve(); });
  return s;
}

ScriptedFtpServer::~ScriptedFtpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  for (auto& t : sessions_) t.join();
  if (fd_ >= 0) close(fd_);
}

void ScriptedFtpServer::Script(const std::string& dir, std::vector<int> codes) {
  std::lock_guard<std::mutex> lock(mu_);
  scripts_[dir] = std::move(codes);
}

std::string ScriptedFtpServer::url() const { return absl::StrCat("ftp://127.0.0.1:", port_); }

int ScriptedFtpServer::logins() {
  std::lock_guard<std::mutex> lock(mu_);
  return logins_;
}

int ScriptedFtpServer::lists(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  return lists_[dir];
}

void ScriptedFtpServer::Serve() {
  while (!stop_) {
    int c = AcceptWithin(fd_, 100);
    if (c < 0) continue;
    sessions_.emplace_back([this, c] { Session(c); });
  }
}

void ScriptedFtpServer::Session(int c) {
  SendAll(c, "220 scripted FTP\r\n");
  std::string buf, line, cwd = "/";
  int pasv = -1;
  auto close_pasv = [&] {
    if (pasv >= 0) close(pasv);
    pasv = -1;
  };
  while (ReadLine(c, buf, &line, stop_)) {
    std::string cmd = line.substr(0, line.find(' '));
    std::string arg = line.size() > cmd.size() + 1 ? line.substr(cmd.size() + 1) : "";
    for (auto& ch : cmd) ch = static_cast<char>(toupper(ch));
    if (cmd == "USER") {
      std::lock_guard<std::mutex> lock(mu_);
      ++logins_;
      SendAll(c, "331 Please specify the password.\r\n");
    } else if (cmd == "PASS") {
      SendAll(c, "230 Login successful.\r\n");
    } else if (cmd == "PWD") {
      SendAll(c, absl::StrCat("257 \"", cwd, "\" is the current directory\r\n"));
    } else if (cmd == "CWD") {
      std::string next = !arg.empty() && arg[0] == '/' ? arg : (cwd == "/" ? "/" : cwd + "/") + arg;
      while (next.size() > 1 && next.back() == '/') next.pop_back();
      std::error_code ec;
      if (std::filesystem::is_directory(root_ + next, ec)) {
        cwd = next;
        SendAll(c, "250 Directory successfully changed.\r\n");
      } else {
        SendAll(c, "550 Failed to change directory.\r\n");
      }
    } else if (cmd == "TYPE") {
      SendAll(c, "200 Switching to requested mode.\r\n");
    } else if (cmd == "EPSV" || cmd == "PASV") {
      close_pasv();
      int port = 0;
      pasv = ListenLoopback(&port);
      SendAll(c, cmd == "EPSV"
                     ? absl::StrCat("229 Entering Extended Passive Mode (|||", port, "|)\r\n")
                     : absl::StrCat("227 Entering Passive Mode (127,0,0,1,", port / 256, ",",
                                    port % 256, ").\r\n"));
    } else if (cmd == "LIST" || cmd == "NLST") {
      int code = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++lists_[cwd];
        auto& script = scripts_[cwd];
        if (!script.empty()) {
          code = script.front();
          script.erase(script.begin());
        }
      }
      if (code != 0) {
        close_pasv();
        SendAll(c, absl::StrCat(code, " scripted reply\r\n"));
        if (code == 421) break;  // "service not available, closing control connection"
        continue;
      }
      int data = pasv >= 0 ? AcceptWithin(pasv, 5000) : -1;
      close_pasv();
      if (data < 0) {
        SendAll(c, "425 Can't open data connection.\r\n");
        continue;
      }
      SendAll(c, "150 Here comes the directory listing.\r\n");
      std::string listing;
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(root_ + cwd, ec))
        listing += LsLine(e);
      SendAll(data, listing);
      close(data);
      SendAll(c, "226 Directory send OK.\r\n");
    } else if (cmd == "QUIT") {
      SendAll(c, "221 Goodbye.\r\n");
      break;
    } else {
      SendAll(c, "502 Command not implemented.\r\n");
    }
  }
  close_pasv();
  close(c);
}

std::unique_ptr<SmtpServer> SmtpServer::Start(bool auth, const std::string& cert,
                                              const std::string& key) {
  std::unique_ptr<SmtpServer> s(new SmtpServer());
  s->auth_enabled_ = auth;
  if (!cert.empty()) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      SSL_CTX_free(ctx);
      return nullptr;
    }
    s->ssl_ctx_ = ctx;
  }
  s->fd_ = ListenLoopback(&s->port_);
  s->thread_ = std::thread([p = s.get()] { p->Serve(); });
  return s;
}

SmtpServer::~SmtpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
  if (ssl_ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

std::vector<std::string> SmtpServer::messages() {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

std::vector<std::string> SmtpServer::auth() {
  std::lock_guard<std::mutex> lock(mu_);
  return auth_;
}

std::vector<std::string> SmtpServer::rcpts() {
  std::lock_guard<std::mutex> lock(mu_);
  return rcpts_;
}

int SmtpServer::tls_sessions() {
  std::lock_guard<std::mutex> lock(mu_);
  return tls_sessions_;
}

void SmtpServer::Serve() {
  while (!stop_) {
    int c = AcceptWithin(fd_, 100);
    if (c < 0) continue;
    // One connection at a time; after STARTTLS every read/write goes through `ssl`. A client
    // that goes silent cannot hold the server forever.
    timeval tv{10, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = nullptr;
    auto send_line = [&](const std::string& text) {
      if (ssl != nullptr) {
        SSL_write(ssl, text.data(), static_cast<int>(text.size()));
      } else {
        SendAll(c, text);
      }
    };
    std::string buf;
    auto read_line = [&](std::string* line) {
      if (ssl == nullptr) return ReadLine(c, buf, line, stop_);
      while (true) {
        size_t nl = buf.find('\n');
        if (nl != std::string::npos) {
          *line = buf.substr(0, nl);
          if (!line->empty() && line->back() == '\r') line->pop_back();
          buf.erase(0, nl + 1);
          return true;
        }
        char tmp[4096];
        int n = SSL_read(ssl, tmp, sizeof tmp);
        if (n <= 0) return false;
        buf.append(tmp, n);
      }
    };
    send_line("220 localhost ESMTP test\r\n");
    bool in_data = false;
    std::string data, line;
    while (!stop_ && read_line(&line)) {
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
      std::string cmd = line.substr(0, line.find(' '));
      for (auto& ch : cmd) ch = static_cast<char>(toupper(ch));
      if (cmd == "EHLO") {
        std::string ext = "250-localhost\r\n";
        if (ssl_ctx_ != nullptr && ssl == nullptr) ext += "250-STARTTLS\r\n";
        if (auth_enabled_) ext += "250-AUTH PLAIN\r\n";
        send_line(ext + "250 8BITMIME\r\n");
      } else if (cmd == "STARTTLS" && ssl_ctx_ != nullptr && ssl == nullptr) {
        send_line("220 Ready to start TLS\r\n");
        buf.clear();
        ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) != 1) break;
        std::lock_guard<std::mutex> lock(mu_);
        ++tls_sessions_;
      } else if (cmd == "AUTH" && auth_enabled_) {
        // "AUTH PLAIN <base64(\0user\0password)>" (curl sends the initial response).
        std::string b64 = line.size() > 11 ? line.substr(11) : "";
        if (b64.empty()) {
          send_line("334 \r\n");
          if (!read_line(&b64)) break;
        }
        std::string raw;
        absl::Base64Unescape(b64, &raw);
        std::vector<std::string> parts = absl::StrSplit(raw, '\0');
        {
          std::lock_guard<std::mutex> lock(mu_);
          auth_.push_back(parts.size() == 3 ? absl::StrCat(parts[1], ":", parts[2]) : raw);
        }
        send_line("235 2.7.0 Authentication successful\r\n");
      } else if (cmd == "RCPT") {
        {
          std::lock_guard<std::mutex> lock(mu_);
          rcpts_.push_back(line.substr(std::min<size_t>(8, line.size())));
        }
        send_line("250 OK\r\n");
      } else if (cmd == "DATA") {
        in_data = true;
        send_line("354 End data with <CR><LF>.<CR><LF>\r\n");
      } else if (cmd == "QUIT") {
        send_line("221 Bye\r\n");
        break;
      } else {
        send_line("250 OK\r\n");
      }
    }
    if (ssl != nullptr) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    close(c);
  }
}

}  // namespace mm::testing
