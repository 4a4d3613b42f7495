#include "tests/integration/umdl/umdl_test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/catalog/store/directory_files.h"
#include "tests/testing/fake_servers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/test_env.h"

namespace mm::testing {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ =
      absl::StrCat(::testing::TempDir(), "umdl_", getpid(), "_", counter++, "_", rd() % 1000000);
  fs::remove_all(path_);
  fs::create_directories(path_);
  ::chmod(path_.c_str(), 0755);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  // Make everything removable again (tests chmod directories to 0700 and such).
  for (auto it = fs::recursive_directory_iterator(
           path_, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0755);
  }
  fs::remove_all(path_, ec);
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  ::chmod(to.c_str(), 0755);
  for (auto& e : fs::recursive_directory_iterator(to)) {
    ::chmod(e.path().c_str(), e.is_directory() ? 0755 : 0644);
  }
}

void MakeDirs(const std::string& path, int mode) {
  fs::create_directories(path);
  ::chmod(path.c_str(), mode);
}

void WriteFile(const std::string& path, const std::string& contents, int mode) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
  ::chmod(path.c_str(), mode);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string MakeFullFileTimeList(const std::string& root, const std::string& row_prefix,
                                 const std::map<std::string, int64_t>& times) {
  std::vector<std::string> rows;
  auto ts_of = [&](const std::string& rel, const struct stat& st) -> int64_t {
    auto it = times.find(rel);
    return it != times.end() ? it->second : static_cast<int64_t>(st.st_ctime);
  };
  std::string top = row_prefix;
  while (!top.empty() && top.back() == '/') top.pop_back();
  if (!top.empty()) {
    struct stat st;
    ::stat(root.c_str(), &st);
    rows.push_back(absl::StrCat(ts_of("", st), "\td\t4096\t", top));
  }
  std::vector<fs::path> entries;
  for (auto& e : fs::recursive_directory_iterator(root)) entries.push_back(e.path());
  std::sort(entries.begin(), entries.end());
  for (const auto& p : entries) {
    std::string rel = fs::relative(p, root).string();
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      rows.push_back(absl::StrCat(ts_of(rel, st), "\td\t4096\t", row_prefix, rel));
    } else if (S_ISLNK(st.st_mode)) {
      rows.push_back(absl::StrCat(ts_of(rel, st), "\tl\t0\t", row_prefix, rel));
    } else {
      rows.push_back(absl::StrCat(ts_of(rel, st), "\tf\t", st.st_size, "\t", row_prefix, rel));
    }
  }
  std::string out = "[Version]\n2\n\n[Files]\n";
  for (const auto& r : rows) out += r + "\n";
  out += "\n[Checksums SHA1]\n0123456789abcdef0123456789abcdef01234567\tnot/used\n[End]\n";
  return out;
}

void SeedUpstreamUmdlFixture(const TestDatabase& db) {
  FixtureBuilder f(db);
  // base_items
  f.Arch("source", false, false);
  f.Arch("i386", true, true);
  f.Arch("x86_64", true, true);
  f.Arch("ppc", true, false);
  f.Country("FR");
  f.Country("US");
  f.Product("EPEL");
  f.Product("Fedora");
  db.Exec(
      "INSERT INTO country_continent_redirect (country, continent) VALUES ('IL','EU'), "
      "('AM','EU'), ('JO','EU')");
  // directory
  for (const char* name :
       {"pub/fedora/linux", "pub/fedora/linux/extras", "pub/epel", "pub/fedora/linux/releases/26",
        "pub/fedora/linux/releases/27", "pub/archive/fedora/linux/releases/26/Everything/source",
        "pub/fedora/linux/updates/testing/25/x86_64", "pub/fedora/linux/updates/testing/26/x86_64",
        "pub/fedora/linux/updates/testing/27/x86_64"}) {
    f.Directory(name);
  }
  // category (ids 1..3; topdirs 1, 2, 4)
  db.Exec(
      "INSERT INTO category (name, product_id, canonicalhost, topdir_id, publiclist, admin_only) "
      "VALUES "
      "('Fedora Linux', 2, 'http://download.fedora.redhat.com', 1, true, false), "
      "('Fedora EPEL', 1, 'http://dl.fedoraproject.org', 2, true, false), "
      "('Fedora Codecs', 2, 'http://codecs.fedoraproject.org', 4, false, true)");
  // categorydirectory
  db.Exec(
      "INSERT INTO category_directory (directory_id, category_id) VALUES (1, 1), (4, 1), (5, 1), "
      "(3, 2)");
}

ProcessResult RunUmdl(const std::string& config, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env) {
  std::vector<std::string> all = {"-c", config};
  all.insert(all.end(), args.begin(), args.end());
  ProcessOptions o;
  o.env = env;
  o.timeout = absl::Seconds(240);
  auto r = RunProcess(BinaryPath("mm2_update-master-directory-list"), all, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : ProcessResult{};
}

ProcessResult RunUmdlOnTerminal(const std::string& config, const std::vector<std::string>& args) {
  ProcessResult result;
  int master = -1, slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty failed";
    return result;
  }
  // No "\n" -> "\r\n" translation, so the output reads as written.
  struct termios tio;
  if (::tcgetattr(slave, &tio) == 0) {
    tio.c_oflag &= ~OPOST;
    ::tcsetattr(slave, TCSANOW, &tio);
  }
  std::string err_path = absl::StrCat(::testing::TempDir(), "umdl_tty_err_", getpid());
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::vector<std::string> all = {BinaryPath("mm2_update-master-directory-list"), "-c", config};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(slave, 1);
    ::dup2(err_fd, 2);
    ::close(master);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(slave);
  ::close(err_fd);
  char buf[4096];
  while (true) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      result.out.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO: the child closed the terminal
    }
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  result.err = ReadWholeFile(err_path);
  ::unlink(err_path.c_str());
  return result;
}

std::vector<std::string> ScreenLines(const std::string& text) {
  std::vector<std::string> lines(1);
  size_t col = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      col = 0;
    } else if (c == '\n') {
      lines.emplace_back();
      col = 0;
    } else if (c == '\033' && text.compare(i, 3, "\033[K") == 0) {
      lines.back().resize(col);
      i += 2;
    } else if (col < lines.back().size()) {
      lines.back()[col++] = c;
    } else {
      lines.back() += c;
      ++col;
    }
  }
  if (lines.back().empty()) lines.pop_back();
  return lines;
}

std::vector<std::string> LogMessages(const std::string& err) {
  std::vector<std::string> out;
  for (absl::string_view l : absl::StrSplit(err, '\n', absl::SkipEmpty())) {
    std::string_view line(l.data(), l.size());
    // "2026-11-25 13:00:00,123 LEVEL message"
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    size_t sp3 = sp2 == std::string_view::npos ? sp2 : line.find(' ', sp2 + 1);
    out.emplace_back(sp3 == std::string_view::npos ? line : line.substr(sp3 + 1));
  }
  return out;
}

std::vector<std::vector<std::string>> Rows(const TestDatabase& db, const std::string& sql) {
  pqxx::connection c(db.conninfo());
  pqxx::work tx(c);
  std::vector<std::vector<std::string>> out;
  for (const auto& row : tx.exec(sql)) {
    std::vector<std::string> cells;
    for (const auto& f : row) cells.push_back(f.is_null() ? "" : f.c_str());
    out.push_back(std::move(cells));
  }
  return out;
}

std::map<std::string, std::pair<int64_t, int64_t>> DirectoryFiles(const TestDatabase& db,
                                                                  const std::string& name) {
  pqxx::connection c(db.conninfo());
  pqxx::work tx(c);
  pqxx::result r = tx.exec_params("SELECT files FROM directory WHERE name = $1", name);
  std::map<std::string, std::pair<int64_t, int64_t>> out;
  if (r.empty() || r[0][0].is_null()) return out;
  pqxx::binarystring blob(r[0][0]);
  for (const auto& f : catalog::DecodeDirectoryFiles(std::string_view(blob.get(), blob.size()))) {
    out[f.name] = {f.size, f.timestamp};
  }
  return out;
}

std::string RsyncBinary() {
  for (const char* p : {"/usr/bin/rsync", "/usr/local/bin/rsync", "/bin/rsync"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "rsync";
}

absl::StatusOr<std::unique_ptr<RsyncDaemon>> RsyncDaemon::Start(const std::string& module,
                                                                const std::string& path) {
  std::unique_ptr<RsyncDaemon> d(new RsyncDaemon());
  d->module_ = module;
  std::string conf = d->dir_ / "rsyncd.conf";
  WriteFile(conf, absl::StrCat("pid file = ", d->dir_ / "rsyncd.pid",
                               "\nuse chroot = no\nuid = ", getuid(), "\ngid = ", getgid(),
                               "\nlog file = ", d->dir_ / "rsyncd.log", "\n[", module,
                               "]\n  path = ", path, "\n  read only = yes\n"));
  for (int attempt = 0; attempt < 5; ++attempt) {
    d->port_ = FreePort();
    auto p = BackgroundProcess::Start(
        RsyncBinary(), {"--daemon", "--no-detach", "--config=" + conf, "--address=127.0.0.1",
                        absl::StrCat("--port=", d->port_)});
    if (!p.ok()) return p.status();
    d->process_ = std::move(*p);
    int port = d->port_;
    if (WaitForPort(port, absl::Seconds(10))) return d;
    d->process_.reset();
  }
  return absl::UnavailableError("rsync --daemon did not start");
}

RsyncDaemon::~RsyncDaemon() {
  if (process_) process_->Stop(SIGTERM, absl::Seconds(5)).IgnoreError();
}

std::string RsyncDaemon::Url(const std::string& sub) const {
  return absl::StrCat("rsync://127.0.0.1:", port_, "/", module_, "/", sub);
}

}  // namespace mm::testing
