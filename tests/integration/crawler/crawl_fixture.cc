#include "tests/integration/crawler/crawl_fixture.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>

namespace mm::testing {

std::string FilesJson(const std::vector<SampleSpec>& files) {
  std::vector<SampleSpec> sorted = files;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::string out = "[";
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i) out += ", ";
    out += absl::StrCat("{\"name\": \"", sorted[i].name, "\", \"size\": ", sorted[i].content.size(),
                        ", \"timestamp\": ", sorted[i].timestamp, "}");
  }
  return out + "]";
}

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

void CrawlTest::SetUp() {
  auto h = CatalogHarness::Start();
  ASSERT_OK(h.status());
  catalog_ = std::move(*h);
  f_ = std::make_unique<FixtureBuilder>(catalog_->db());
}

void CrawlTest::BuildMaster() {
  int64_t product = f_->Product("Test");
  category_ = f_->Category(kCategory, product, kTopdir);
  const std::string repomd = "<repomd><revision>42</revision></repomd>\n";
  dirs_ = {
      {"a", {{"f1.rpm", "0123456789"}, {"index.html", "hello\n"}}},
      {"b", {{"g.iso", std::string(20, 'g')}}},
      {"c", {}},
      {"c/repodata", {{"repomd.xml", repomd}}},
      {"stale", {{"new.rpm", "fresh"}}},
      {"wrongsize", {{"x.bin", std::string(100, 'x')}}},
      {"forbidden", {{"y", "y"}}},
      {"gone", {{"z", "z"}}},
      {"error", {{"e", "e"}}},
      {"moved", {{"m", "m"}}},
      {"badrepo/repodata",
       {{"repomd.xml", "<repomd><revision>7</revision></repomd>\n", 1700000100}}},
      {"unreadable", {{"u", "u"}}, false},
  };
  for (const auto& d : dirs_) {
    dir_ids_[d.path] = f_->Directory(absl::StrCat(kTopdir, "/", d.path), {category_}, d.readable, 0,
                                     FilesJson(d.files));
  }
  for (const auto& d : dirs_) {
    for (const auto& file : d.files) {
      if (file.name != "repomd.xml") continue;
      FileDetailRow fd;
      fd.filename = "repomd.xml";
      fd.timestamp = file.timestamp;
      fd.size = static_cast<int64_t>(file.content.size());
      fd.sha256 = Sha256Hex(file.content);
      f_->FileDetail(dir_ids_[d.path], fd);
    }
  }
  catalog_->db().Exec(absl::StrCat("UPDATE directory SET files = convert_to(",
                                   Q(FilesJson({{"fullfiletimelist-test", "x"}})),
                                   ", 'UTF8') WHERE name = ", Q(std::string(kTopdir))));
}

void CrawlTest::WriteMirror(const std::string& root, const std::string& prefix, bool with_fft) {
  const std::string top = prefix.empty() ? kTopdir : absl::StrCat(prefix, "/", kTopdir);
  std::string fft = "[Version]\n2\n\n[Files]\n";
  auto add = [&](const std::string& rel, const std::string& content, int64_t mtime) {
    WriteFile(root, absl::StrCat(top, "/", rel), content);
    absl::StrAppend(&fft, mtime, "\tf\t", content.size(), "\t", rel, "\n");
  };
  auto add_dir = [&](const std::string& rel) {
    MakeDir(root, absl::StrCat(top, "/", rel));
    absl::StrAppend(&fft, "1700000000\td\t0\t", rel, "\n");
  };
  for (const auto& d : dirs_) {
    if (d.path == "forbidden" || d.path == "gone" || d.path == "error" || d.path == "moved") {
      continue;  // answered by HTTP rules (HTTP tests) or simply absent (listing methods)
    }
    add_dir(d.path);
    for (const auto& file : d.files) {
      if (d.path == "stale") continue;  // the mirror lacks new.rpm
      std::string content = file.content;
      int64_t mtime = file.timestamp;
      if (d.path == "wrongsize") content.pop_back();
      if (d.path == "badrepo/repodata") {
        content = "<repomd><revision>6</revision></repomd>\n";  // the previous one
        mtime = 1700000000;
      }
      add(absl::StrCat(d.path, "/", file.name), content, mtime);
    }
    if (d.path == "stale") add("stale/old.rpm", "stale", 1700000000);
  }
  add_dir("forbidden");
  add("forbidden/y", "y", 1700000000);
  add_dir("error");
  add("error/e", "e", 1700000000);
  fft += "\n[Checksums]\nsha1\n";
  if (with_fft) WriteFile(root, absl::StrCat(top, "/fullfiletimelist-test"), fft);
}

std::string CrawlTest::MasterFft() const {
  std::string fft = "[Version]\n2\n\n[Files]\n";
  for (const auto& d : dirs_) {
    absl::StrAppend(&fft, "1700000000\td\t0\t", d.path, "\n");
    for (const auto& f : d.files) {
      absl::StrAppend(&fft, f.timestamp, "\tf\t", f.content.size(), "\t", d.path, "/", f.name,
                      "\n");
    }
  }
  return fft + "\n[Checksums]\nsha1\n";
}

int64_t CrawlTest::AddHost(const std::string& name, const std::vector<std::string>& urls,
                           int64_t* hc_id, const HostOptions& options) {
  int64_t site = f_->Site(absl::StrCat("site-", name));
  int64_t host = f_->Host(site, name, "US", options);
  int64_t hc = f_->HostCategory(host, category_);
  for (const auto& u : urls) f_->Url(hc, u);
  if (hc_id != nullptr) *hc_id = hc;
  return host;
}

std::string CrawlTest::WriteConfig(const std::string& extra) {
  return catalog_->WriteConfigFile(
      work_.path(),
      absl::StrCat("MM_LOG_DIR = '", work_.path(), "/log'\nCRAWLER_HTTP_TIMEOUT = 2\n",
                   "CRAWLER_RETRY_ATTEMPTS = 2\nCRAWLER_RETRY_MAX_WAIT = 0.1\n", extra));
}

ProcessResult CrawlTest::RunCrawler(const std::vector<std::string>& args,
                                    const std::string& extra_config, absl::Duration timeout) {
  std::vector<std::string> full = {"-c", WriteConfig(extra_config)};
  full.insert(full.end(), args.begin(), args.end());
  ProcessOptions o;
  o.timeout = timeout;
  o.env = {{"MM2_CONFIG", "/dev/null"}};
  auto r = RunProcess(BinaryPath("mm2_crawler"), full, o);
  EXPECT_OK(r.status());
  return r.ok() ? *r : ProcessResult{};
}

std::unique_ptr<BackgroundProcess> CrawlTest::StartCrawler(const std::vector<std::string>& args,
                                                           const std::string& extra_config) {
  std::vector<std::string> full = {"-c", WriteConfig(extra_config)};
  full.insert(full.end(), args.begin(), args.end());
  ProcessOptions o;
  o.env = {{"MM2_CONFIG", "/dev/null"}};
  auto p = BackgroundProcess::Start(BinaryPath("mm2_crawler"), full, o);
  EXPECT_OK(p.status());
  return p.ok() ? std::move(*p) : nullptr;
}

std::string CrawlTest::History(int64_t hc, const std::string& column) {
  return catalog_->db().QueryValue(
      absl::StrCat("SELECT ", column, " FROM mm_crawl_history WHERE host_category_id = ", hc,
                   " ORDER BY id DESC LIMIT 1"));
}

std::string CrawlTest::HostLog(int64_t host) {
  return ReadFileOrEmpty(absl::StrCat(work_.path(), "/log/crawler/", host, ".log"));
}

int64_t CrawlTest::Count(const std::string& sql) { return catalog_->db().Count(sql); }

std::string CrawlTest::Hcd(int64_t hc, const std::string& path) {
  return catalog_->db().QueryValue(
      absl::StrCat("SELECT CASE WHEN up2date THEN 't' ELSE 'f' END FROM host_category_dir WHERE "
                   "host_category_id = ",
                   hc, " AND path = ", Q(path)));
}

std::string CrawlTest::HostField(int64_t host, const std::string& column) {
  return catalog_->db().QueryValue(absl::StrCat("SELECT ", column, " FROM host WHERE id = ", host));
}

}  // namespace mm::testing
