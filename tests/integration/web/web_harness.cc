#include "tests/integration/web/web_harness.h"

#include <httplib.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/test_env.h"

namespace mm::testing {
namespace {

std::string MakeTempDir() {
  char tmpl[] = "/tmp/mm_web_test.XXXXXX";
  char* d = mkdtemp(tmpl);
  return d ? d : "/tmp";
}

HttpAnswer ToAnswer(const httplib::Result& r) {
  HttpAnswer a;
  if (!r) return a;
  a.status = r->status;
  a.body = r->body;
  a.content_type = r->get_header_value("Content-Type");
  for (const auto& [k, v] : r->headers) a.headers.emplace(k, v);
  return a;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WebHarness>> WebHarness::Start(const std::string& extra_config) {
  auto catalog = CatalogHarness::Start();
  if (!catalog.ok()) return catalog.status();
  std::unique_ptr<WebHarness> h(new WebHarness());
  h->catalog_ = std::move(*catalog);
  h->dir_ = MakeTempDir();
  auto gw = h->StartGateway(extra_config, &h->port_);
  if (!gw.ok()) return gw.status();
  h->gateway_ = std::move(*gw);
  return h;
}

WebHarness::~WebHarness() {
  gateway_.reset();
  if (dir_.rfind("/tmp/mm_web_test.", 0) == 0) {
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)std::system(cmd.c_str());
  }
}

absl::StatusOr<std::unique_ptr<BackgroundProcess>> WebHarness::StartGateway(
    const std::string& extra_config, int* port) {
  static int n = 0;
  std::string sub = absl::StrCat(dir_, "/gw", n++);
  std::string mk = "mkdir -p '" + sub + "'";
  (void)std::system(mk.c_str());
  std::string cfg = catalog_->WriteConfigFile(
      sub, absl::StrCat("WEB_CACHE_SECONDS = 0\nWEB_THREADS = 2\nMM_LOG_DIR = '", dir_, "/log'\n",
                        extra_config));
  auto proc = BackgroundProcess::Start(BinaryPath("mm2-web-gateway"),
                                       {"-c", cfg, "--listen", "127.0.0.1:0"});
  if (!proc.ok()) return proc.status();
  int found = 0;
  BackgroundProcess* p = proc->get();
  WaitFor(
      [&] {
        std::string log = p->ReadLog();
        size_t at = log.find("(port ");
        if (at == std::string::npos) return false;
        return absl::SimpleAtoi(log.substr(at + 6, log.find(')', at) - at - 6), &found);
      },
      absl::Seconds(20));
  if (found == 0) return absl::UnavailableError("gateway did not start: " + p->ReadLog());
  *port = found;
  return std::move(*proc);
}

std::string WebHarness::url() const { return absl::StrCat("http://127.0.0.1:", port_); }

HttpAnswer WebHarness::Get(const std::string& path, int port) const {
  httplib::Client c("127.0.0.1", port ? port : port_);
  c.set_read_timeout(30, 0);
  return ToAnswer(c.Get(path.c_str()));
}

HttpAnswer WebHarness::Post(const std::string& path, const std::string& body,
                            const std::string& content_type, int port) const {
  httplib::Client c("127.0.0.1", port ? port : port_);
  c.set_read_timeout(60, 0);
  return ToAnswer(c.Post(path.c_str(), body, content_type.c_str()));
}

WebFixture SeedUpstreamLikeFixture(const TestDatabase& db) {
  FixtureBuilder f(db);
  WebFixture w;
  w.fedora = f.Product("Fedora");
  w.epel = f.Product("EPEL");
  f.Product("Hidden Product", /*publiclist=*/false);
  w.x86_64 = f.Arch("x86_64");
  w.aarch64 = f.Arch("aarch64");
  f.Arch("source", /*publiclist=*/false);
  w.linux_category = f.Category("Fedora Linux", w.fedora, "pub/fedora/linux");
  w.epel_category = f.Category("Fedora EPEL", w.epel, "pub/epel");
  std::map<std::string, int64_t> versions;
  for (const char* v : {"25", "26", "27"}) versions[v] = f.Version(w.fedora, v);
  versions["rawhide"] = f.Version(w.fedora, "rawhide");
  f.Version(w.fedora, "24", /*display=*/false);
  int64_t epel7 = f.Version(w.epel, "7", true, false, std::string("EPEL 7"));
  for (const char* v : {"25", "26", "27"}) {
    std::string dir = absl::StrCat("pub/fedora/linux/releases/", v, "/Everything/x86_64/os");
    int64_t d = f.Directory(dir, {w.linux_category}, true, 1000 + std::atoi(v));
    w.repos[absl::StrCat("fedora-", v)] =
        f.Repository(absl::StrCat("Fedora ", v, " x86_64"), absl::StrCat("fedora-", v),
                     w.linux_category, versions[v], w.x86_64, d);
  }
  int64_t d27a = f.Directory("pub/fedora/linux/releases/27/Everything/aarch64/os",
                             {w.linux_category}, true, 1100);
  w.repos["fedora-27-aarch64"] = f.Repository("Fedora 27 aarch64", std::string("fedora-27"),
                                              w.linux_category, versions["27"], w.aarch64, d27a);
  int64_t de7 = f.Directory("pub/epel/7/x86_64", {w.epel_category}, true, 500);
  w.repos["epel-7"] =
      f.Repository("EPEL 7 x86_64", std::string("epel-7"), w.epel_category, epel7, w.x86_64, de7);
  f.Directory("pub/fedora/linux/releases/27", {w.linux_category}, true, 2000);
  f.Directory("pub/fedora/linux/releases", {w.linux_category}, true, 10);
  w.us = f.Country("US");
  w.fr = f.Country("FR");
  f.Country("DE");
  f.Country("JP");
  int64_t d27 = std::stoll(
      db.QueryValue("SELECT id FROM directory WHERE name = 'pub/fedora/linux/releases/27'"));

  const char* countries[] = {"US", "FR", "DE", "JP"};
  for (int i = 1; i <= 26; ++i) {
    std::string site_name =
        i == 5 ? "<script>alert('x')</script> & Co" : absl::StrFormat("Site %02d", (i + 1) / 2);
    if (!w.sites.count(site_name)) {
      SiteOptions so;
      so.org_url = absl::StrFormat("https://site%02d.example.org", (i + 1) / 2);
      so.created_by = absl::StrFormat("creator%02d", (i + 1) / 2);
      w.sites[site_name] = f.Site(site_name, so);
      f.SiteAdmin(w.sites[site_name], absl::StrFormat("admin%02d", (i + 1) / 2));
    }
    std::string name = absl::StrFormat("mirror%02d.example.org", i);
    HostOptions ho;
    ho.internet2 = i % 5 == 0;
    ho.bandwidth = 100 * i;
    if (i == 3) ho.comment = "Fast <b>mirror</b>";
    if (i <= 4) {
      ho.latitude = 10.0 * i;
      ho.longitude = -20.0 * i;
    }
    int64_t h = f.Host(w.sites[site_name], name, countries[(i - 1) % 4], ho);
    w.hosts[name] = h;
    w.public_hosts.push_back(h);
    if (i <= 20) {
      int64_t hc = f.HostCategory(h, w.linux_category);
      w.hcs[name] = hc;
      f.Url(hc, absl::StrFormat("http://%s/pub/fedora/linux", name));
      if (i % 2 == 0) f.Url(hc, absl::StrFormat("https://%s/pub/fedora/linux", name));
      if (i % 3 == 0) f.Url(hc, absl::StrFormat("rsync://%s/fedora-linux", name));
      f.Hcd(hc, d27, "releases/27", true);
    } else {
      int64_t hc = f.HostCategory(h, w.epel_category);
      f.Url(hc, absl::StrFormat("http://%s/pub/epel", name));
      f.Hcd(hc, de7, "7/x86_64", true);
    }
  }
  f.HostCountry(w.hosts["mirror01.example.org"], w.us);
  f.HostCountry(w.hosts["mirror02.example.org"], w.fr);

  // One host per way of failing the public list.
  auto ineligible = [&](const std::string& name, SiteOptions so, HostOptions ho, bool up2date,
                        bool private_url) {
    so.org_url = "https://hidden.example.org";
    int64_t s = f.Site("Site of " + name, so);
    w.sites["Site of " + name] = s;
    ho.latitude = 50;
    ho.longitude = 8;
    int64_t h = f.Host(s, name, "DE", ho);
    w.hosts[name] = h;
    int64_t hc = f.HostCategory(h, w.linux_category);
    w.hcs[name] = hc;
    f.Url(hc, absl::StrCat("http://", name, "/pub/fedora/linux"), private_url);
    f.Hcd(hc, d27, "releases/27", up2date);
    return h;
  };
  HostOptions priv;
  priv.private_ = true;
  ineligible("private-host.example.org", {}, priv, true, false);
  SiteOptions priv_site;
  priv_site.private_ = true;
  ineligible("private-site.example.org", priv_site, {}, true, false);
  HostOptions admin_off;
  admin_off.admin_active = false;
  ineligible("host-admin-off.example.org", {}, admin_off, true, false);
  HostOptions user_off;
  user_off.user_active = false;
  ineligible("host-user-off.example.org", {}, user_off, true, false);
  SiteOptions site_admin_off;
  site_admin_off.admin_active = false;
  ineligible("site-admin-off.example.org", site_admin_off, {}, true, false);
  SiteOptions site_user_off;
  site_user_off.user_active = false;
  ineligible("site-user-off.example.org", site_user_off, {}, true, false);
  ineligible("stale.example.org", {}, {}, false, false);
  ineligible("private-url.example.org", {}, {}, true, true);

  // Statistics (access_stat) and propagation.
  int64_t countries_cat =
      f.Insert("INSERT INTO access_stat_category (name) VALUES ('countries') RETURNING id");
  int64_t archs_cat =
      f.Insert("INSERT INTO access_stat_category (name) VALUES ('archs') RETURNING id");
  f.Insert("INSERT INTO access_stat_category (name) VALUES ('repositories') RETURNING id");
  db.Exec(
      absl::StrCat("INSERT INTO access_stat (category_id, date, name, percent, requests) VALUES ",
                   "(", countries_cat, ", '2026-01-02', 'US', 60.0, 600), ", "(", countries_cat,
                   ", '2026-01-02', 'FR', 30.0, 300), ", "(", countries_cat,
                   ", '2026-01-02', '<b>XX</b>', 10.0, 100), ", "(", countries_cat,
                   ", '2026-01-01', 'US', 100.0, 50), ", "(", archs_cat,
                   ", '2026-01-02', 'x86_64', 100.0, 1000)"));
  db.Exec(
      absl::StrCat("INSERT INTO propagation_stat (repository_id, datetime, same_day, one_day, "
                   "two_day, older, no_info) VALUES ",
                   "(", w.repos["fedora-27"], ", '2026-01-02 10:00', 15, 3, 1, 1, 6), ", "(",
                   w.repos["fedora-27"], ", '2026-01-02 12:00', 18, 2, 0, 0, 6), ", "(",
                   w.repos["fedora-27-aarch64"], ", '2026-01-02 12:00', 5, 0, 0, 0, 1)"));
  return w;
}

}  // namespace mm::testing
