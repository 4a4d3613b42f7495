// report_mirror (the real binary) against the real gateway, catalog and PostgreSQL, on a
// generated directory tree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tests/integration/web/web_harness.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace mm::testing {
namespace {

using ::testing::HasSubstr;

void MakeDirs(const std::string& path) {
  std::string cmd = "mkdir -p '" + path + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

class ReportMirrorE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = WebHarness::Start("CHECKIN_MAX_DIRECTORIES = 40\n");
    ASSERT_OK(h.status());
    h_ = std::move(*h);
    FixtureBuilder f(h_->db());
    int64_t fedora = f.Product("Fedora");
    int64_t linux = f.Category("Fedora Linux", fedora, "pub/fedora/linux");
    int64_t epel = f.Category("Fedora EPEL", std::nullopt, "pub/epel");
    for (const char* d :
         {"releases", "releases/27", "releases/27/Everything", "releases/27/Everything/x86_64",
          "releases/27/Everything/x86_64/os", "updates", "updates/27", "development"}) {
      f.Directory(absl::StrCat("pub/fedora/linux/", d), {linux});
    }
    f.Directory("pub/epel/7", {epel});
    SiteOptions so;
    so.private_ = true;
    so.password = "pw";
    int64_t site = f.Site("Example.com", so);
    HostOptions ho;
    ho.private_ = true;
    host_ = f.Host(site, "mirror.example.com", "US", ho);
    hc_ = f.HostCategory(host_, linux);
    hc_epel_ = f.HostCategory(host_, epel);
    f.Hcd(hc_epel_, std::nullopt, "7", true);
    root_ = h_->dir() + "/tree";
    for (const char* d :
         {"linux/releases/27/Everything/x86_64/os/Packages", "linux/updates/27/x86_64/debug",
          "linux/development/rawhide", "linux/scratch/tmp", "epel/7/x86_64"}) {
      MakeDirs(root_ + "/" + d);
    }
    std::ofstream(root_ + "/linux/releases/27/file.txt") << "x";
    ASSERT_EQ(symlink((root_ + "/linux/releases").c_str(), (root_ + "/linux/link").c_str()), 0);
    config_ = h_->dir() + "/report_mirror.conf";
    WriteConfig("1");
  }

  void WriteConfig(const std::string& epel_enabled,
                   const std::string& host = "mirror.example.com") {
    std::ofstream(config_) << "[global]\n# comment\nenabled=1\nserver=" << h_->url()
                           << "/xmlrpc\n\n"
                           << "[site]\nenabled=1\nname=Example.com\npassword=pw\n\n"
                           << "[host]\nenabled=1\nname=" << host << "\nuser_active=1\n\n"
                           << "[stats]\nenabled=0\napache=/var/log/httpd/access_log\n\n"
                           << "[Fedora Linux]\nenabled=1\npath=" << root_ << "/linux\n\n"
                           << "[Fedora EPEL]\nenabled=" << epel_enabled << "\npath=/nonexistent\n";
  }

  std::string Hcds(int64_t hc) {
    return h_->db().QueryValue(absl::StrCat(
        "SELECT string_agg(path || ':' || up2date, ',' ORDER BY path) FROM host_category_dir "
        "WHERE host_category_id = ",
        hc));
  }

  std::unique_ptr<WebHarness> h_;
  int64_t host_ = 0, hc_ = 0, hc_epel_ = 0;
  std::string root_, config_;
};

TEST_F(ReportMirrorE2eTest, WalksExcludesAndChecksIn) {
  std::string excludes = h_->dir() + "/excludes";
  // The blank line must not exclude everything (upstream quirk fixed).
  std::ofstream(excludes) << "# scratch space\n\n/scratch/\ndebug\n";
  WriteConfig("0");
  auto r = RunProcess(BinaryPath("report_mirror"), {"-c", config_, "--exclude-from", excludes});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out,
            "Category Fedora Linux directories updated: 0  added: 9  deleted 0\n"
            "checked in successful\n");
  EXPECT_EQ(Hcds(hc_),
            ":true,development:true,releases:true,releases/27:true,releases/27/Everything:true,"
            "releases/27/Everything/x86_64:true,releases/27/Everything/x86_64/os:true,updates:true,"
            "updates/27:true");
  EXPECT_EQ(Hcds(hc_epel_), "7:true") << "a disabled category is not sent (quirk fixed)";
}

TEST_F(ReportMirrorE2eTest, OutputInputDebugAndNoSend) {
  std::string saved = h_->dir() + "/payload.json";
  auto r = RunProcess(BinaryPath("report_mirror"), {"-c", config_, "-o", saved, "-n", "-d"});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  auto printed = nlohmann::json::parse(r->out);
  EXPECT_EQ(printed["version"], 0);
  EXPECT_TRUE(
      printed["fedora linux"]["dirtree"].contains("releases/27/Everything/x86_64/os/Packages"));
  EXPECT_TRUE(printed["fedora linux"]["dirtree"].contains(""));
  EXPECT_FALSE(printed["fedora linux"]["dirtree"].contains("link")) << "symlinks are not followed";
  EXPECT_FALSE(printed["fedora linux"].contains("path"));
  EXPECT_EQ(printed["fedora epel"]["dirtree"].size(), 0u) << "missing path: empty dirtree";
  EXPECT_EQ(Hcds(hc_), "") << "-n sends nothing";
  // -i: the saved payload is sent; a category disabled in the config is dropped from it.
  WriteConfig("0");
  auto sent = RunProcess(BinaryPath("report_mirror"), {"-c", config_, "-i", saved});
  ASSERT_OK(sent.status());
  EXPECT_EQ(sent->exit_code, 0) << sent->err;
  EXPECT_THAT(sent->out, HasSubstr("Category Fedora Linux directories updated: 0  added: 9"));
  EXPECT_EQ(Hcds(hc_epel_), "7:true");
}

TEST_F(ReportMirrorE2eTest, ConfigParserSyntaxAndCategoryOrder) {
  // [DEFAULT], %(name)s and %% as configparser reads them; the categories are reported in the
  // order of the configuration file (not sorted).
  h_->db().Exec("UPDATE site SET password = 'p%w' WHERE name = 'Example.com'");
  std::ofstream(config_) << "[DEFAULT]\nenabled = 1\nroot = " << root_ << "\n\n"
                         << "[global]\nserver = " << h_->url() << "/xmlrpc\n"
                         << "[site]\nname = Example.com\npassword = p%%w\n"
                         << "[host]\nname: mirror.example.com\n"
                         << "[Fedora Linux]\npath = %(root)s/linux\n"
                         << "[Fedora EPEL]\npath = %(ROOT)s/epel\n";
  auto r = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out,
            "Category Fedora Linux directories updated: 0  added: 9  deleted 0\n"
            "Category Fedora EPEL directories updated: 1  added: 1  deleted 0\n"
            "checked in successful\n");
  // A bad configuration is one clear message and exit status 1, before anything is sent.
  std::ofstream(config_) << "[global]\nenabled=1\nserver=" << h_->url() << "/xmlrpc\n"
                         << "[site]\nenabled=1\nname=Example.com\npassword=50%\n"
                         << "[host]\nenabled=1\nname=mirror.example.com\n";
  auto bad = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  ASSERT_OK(bad.status());
  EXPECT_EQ(bad->exit_code, 1);
  EXPECT_EQ(bad->err, "'%' must be followed by '%' or '(', found: '%'\n");
  std::ofstream(config_) << "[global]\nenabled=1\n[global]\n";
  auto dup = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  EXPECT_EQ(dup->exit_code, 1);
  EXPECT_THAT(dup->err, HasSubstr("section 'global' already exists"));
  auto missing = RunProcess(BinaryPath("report_mirror"), {"-c", h_->dir() + "/nothing.conf"});
  EXPECT_EQ(missing->exit_code, 1);
  EXPECT_EQ(missing->err, "Configuration file " + h_->dir() + "/nothing.conf not found\n");
}

TEST_F(ReportMirrorE2eTest, DryRunPrintsNothingAndOutputFileIsThePayload) {
  auto dry = RunProcess(BinaryPath("report_mirror"), {"-c", config_, "-n"});
  ASSERT_OK(dry.status());
  EXPECT_EQ(dry->exit_code, 0) << dry->err;
  EXPECT_EQ(dry->out, "");
  EXPECT_EQ(dry->err, "");
  EXPECT_EQ(Hcds(hc_), "");
  // -o without -n: the file holds the payload (what -d prints) and the check-in is sent too.
  std::string saved = h_->dir() + "/sent.json";
  auto r = RunProcess(BinaryPath("report_mirror"), {"-c", config_, "-o", saved, "-d"});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  std::ifstream in(saved);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto printed_end = r->out.find("\n}\n");
  ASSERT_NE(printed_end, std::string::npos) << r->out;
  EXPECT_EQ(nlohmann::ordered_json::parse(file),
            nlohmann::ordered_json::parse(r->out.substr(0, printed_end + 3)));
  EXPECT_THAT(file, ::testing::StartsWith(R"({"version":0,"global":{"enabled":"1","server":)"));
  EXPECT_THAT(r->out, HasSubstr("Category Fedora Linux directories updated: 0  added: 9"));
  EXPECT_NE(Hcds(hc_), "");
}

TEST_F(ReportMirrorE2eTest, FaultsExitOne) {
  // The tree has more directories than the server accepts: a fault, exit status 1.
  for (int i = 0; i < 45; ++i) MakeDirs(absl::StrCat(root_, "/linux/many/d", i));
  auto r = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("check-in reports more than 40 directories"));
  EXPECT_THAT(r->err, HasSubstr("Please try again later."));
  // A refused check-in is an answer, not a fault: printed, exit status 0.
  std::string cmd = "rm -rf '" + root_ + "/linux/many'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  WriteConfig("1", "unknown.example.com");
  auto refused = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  ASSERT_OK(refused.status());
  EXPECT_EQ(refused->exit_code, 0);
  EXPECT_EQ(refused->out, "Config file host name for site not found.\nerror checking in\n");
  // Unreachable server.
  std::ofstream(config_) << "[global]\nenabled=1\nserver=http://127.0.0.1:1/xmlrpc\n"
                         << "[site]\nenabled=1\nname=a\npassword=b\n[host]\nenabled=1\nname=c\n";
  auto down = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  ASSERT_OK(down.status());
  EXPECT_EQ(down->exit_code, 1);
  // [global] enabled=0: nothing is sent.
  std::ofstream(config_) << "[global]\nenabled=0\nserver=http://127.0.0.1:1/xmlrpc\n";
  auto off = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  ASSERT_OK(off.status());
  EXPECT_EQ(off->exit_code, 1);
}

TEST_F(ReportMirrorE2eTest, UnreadableDirectoryIsLeftOutWithItsSubtree) {
  // As a mirror's unprivileged rsync user meets it: a directory it cannot open. Reporting it
  // would have the server mark it up to date and send clients there; upstream's os.walk leaves
  // it and everything below it out. The client runs as `nobody` (the tests run as root, who can
  // open anything); a non-root caller is already unprivileged.
  bool root = geteuid() == 0;
  char tmpl[] = "/tmp/mm_rm_unreadable.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::string tree = dir + "/linux";
  struct Cleanup {  // also after a failed ASSERT; reopens the closed directory for rm -rf
    std::string dir, closed;
    ~Cleanup() {
      chmod(closed.c_str(), 0755);
      std::system(("rm -rf '" + dir + "'").c_str());
    }
  } cleanup{dir, tree + "/releases/27"};
  ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
  for (const char* d : {"releases/27/Everything/x86_64/os/Packages", "updates/27", "development"})
    MakeDirs(tree + "/" + d);
  // Owner-only and owned by root: closed to nobody. For a non-root caller, closed to everyone.
  ASSERT_EQ(chmod((tree + "/releases/27").c_str(), root ? 0700 : 0), 0);
  std::string out_dir = dir + "/out";
  MakeDirs(out_dir);
  ASSERT_EQ(chmod(out_dir.c_str(), 01777), 0);
  std::string config = dir + "/report_mirror.conf";
  std::ofstream(config) << "[global]\nenabled=1\nserver=" << h_->url() << "/xmlrpc\n"
                        << "[site]\nenabled=1\nname=Example.com\npassword=pw\n"
                        << "[host]\nenabled=1\nname=mirror.example.com\n"
                        << "[Fedora Linux]\nenabled=1\npath=" << tree << "\n";
  ASSERT_EQ(chmod(config.c_str(), 0644), 0);
  std::string saved = out_dir + "/payload.json";
  std::vector<std::string> args = {"-c", config, "-o", saved};
  std::string program = BinaryPath("report_mirror");
  if (root) {
    args.insert(args.begin(), {"-u", "nobody", "--", program});
    program = "/usr/sbin/runuser";  // util-linux; RunProcess does not search PATH
  }
  ProcessOptions options;
  options.cwd = dir;
  auto r = RunProcess(program, args, options);
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->err, "warning: cannot read " + tree +
                        "/releases/27: Permission denied; not reported, nor anything below it\n");
  EXPECT_EQ(r->out,
            "Category Fedora Linux directories updated: 0  added: 5  deleted 0\n"
            "checked in successful\n");
  std::ifstream in(saved);
  ASSERT_TRUE(in) << "the payload file " << saved;
  auto payload = nlohmann::json::parse(in);
  std::vector<std::string> reported;
  for (const auto& [path, v] : payload["fedora linux"]["dirtree"].items()) reported.push_back(path);
  EXPECT_THAT(reported,
              ::testing::ElementsAre("", "development", "releases", "updates", "updates/27"));
  EXPECT_EQ(Hcds(hc_), ":true,development:true,releases:true,updates:true,updates/27:true")
      << "nothing at or below releases/27 is up to date";
}

TEST_F(ReportMirrorE2eTest, DisabledSiteIsNotSentAndTheServerRefuses) {
  // As upstream: [site] with enabled != 1 is removed from the payload, and the server answers
  // that the section is missing (spec §3.1).
  std::ofstream(config_) << "[global]\nenabled=1\nserver=" << h_->url() << "/xmlrpc\n"
                         << "[site]\nenabled=0\nname=Example.com\npassword=pw\n"
                         << "[host]\nenabled=1\nname=mirror.example.com\n"
                         << "[Fedora Linux]\nenabled=1\npath=" << root_ << "/linux\n";
  auto r = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(r->out,
            "removing disabled section site\nconfig file missing section site.\nInvalid config "
            "file provided, please check your report_mirror.conf.error checking in\n");
  EXPECT_EQ(Hcds(hc_), "") << "nothing applied";
}

TEST_F(ReportMirrorE2eTest, RedirectsAreNotFollowed) {
  // A server that redirects the POST: libcurl would re-send it as a GET (301/302/303); Python's
  // xmlrpc client never followed redirects. report_mirror reports the status and exits 1.
  httplib::Server server;
  std::atomic<int> posts{0}, followed{0};
  server.Post("/old", [&](const httplib::Request&, httplib::Response& res) {
    ++posts;
    res.status = 302;
    res.set_header("Location", "/new");
  });
  auto count = [&](const httplib::Request&, httplib::Response& res) {
    ++followed;
    res.set_content("<methodResponse/>", "text/xml");
  };
  server.Get("/new", count);
  server.Post("/new", count);
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  std::ofstream(config_) << "[global]\nenabled=1\nserver=http://127.0.0.1:" << port << "/old\n"
                         << "[site]\nenabled=1\nname=a\npassword=b\n[host]\nenabled=1\nname=c\n";
  auto r = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  server.stop();
  t.join();
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_THAT(r->err, HasSubstr("HTTP status 302"));
  EXPECT_EQ(posts.load(), 1);
  EXPECT_EQ(followed.load(), 0);
}

TEST_F(ReportMirrorE2eTest, CategoryWithoutEnabledIsAConfigurationError) {
  std::ofstream(config_) << "[global]\nenabled=1\nserver=" << h_->url() << "/xmlrpc\n"
                         << "[site]\nenabled=1\nname=Example.com\npassword=pw\n"
                         << "[host]\nenabled=1\nname=mirror.example.com\n"
                         << "[Fedora Linux]\npath=" << root_ << "/linux\n";
  auto r = RunProcess(BinaryPath("report_mirror"), {"-c", config_});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_EQ(r->err,
            "missing required option enabled in config [Fedora Linux]\n"
            "Invalid configuration - Exiting\n");
  EXPECT_EQ(Hcds(hc_), "") << "nothing sent";
}

TEST_F(ReportMirrorE2eTest, SampleConfigParses) {
  auto r = RunProcess(BinaryPath("report_mirror"),
                      {"-c", TestDataDir() + "/report_mirror.conf.sample", "-n", "-d"});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  auto j = nlohmann::json::parse(r->out);
  EXPECT_EQ(j["site"]["name"], "Example.com");
  EXPECT_TRUE(j.contains("fedora linux"));
  EXPECT_TRUE(j.contains("fedora epel"));
  EXPECT_FALSE(j.contains("fedora archive")) << "enabled=0";
  EXPECT_EQ(j["stats"], nlohmann::json::object());
}

}  // namespace
}  // namespace mm::testing
