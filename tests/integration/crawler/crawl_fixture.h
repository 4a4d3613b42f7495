#pragma once
// A master catalog (real PostgreSQL + in-process catalog) with one category of directories in
// every state the crawler distinguishes, plus helpers to build mirror copies of it and run the
// real mm2_crawler binary.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/crawler/mirror_servers.h"
#include "tests/testing/catalog_harness.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"

namespace mm::testing {

struct SampleSpec {
  std::string name;
  std::string content;             // the master's copy; its size goes into the sample
  int64_t timestamp = 1700000000;  // the master's mtime (as UMDL copies it from the master's FFT)
};

struct DirSpec {
  std::string path;  // relative to the topdir
  std::vector<SampleSpec> files;
  bool readable = true;
};

std::string FilesJson(const std::vector<SampleSpec>& files);
std::string Sha256Hex(const std::string& data);

class CrawlTest : public ::testing::Test {
 protected:
  static constexpr const char* kTopdir = "pub/test";
  static constexpr const char* kCategory = "Test Linux";

  void SetUp() override;

  // The standard master: directories a, b, c, c/repodata, stale, wrongsize, forbidden, gone,
  // error, moved, badrepo/repodata, unreadable. badrepo's repomd.xml changed last (newer mtime,
  // same size as before).
  void BuildMaster();
  // Writes a faithful copy of the master below root/prefix/pub/test, with the deliberate
  // differences the standard scenario expects (stale lacks new.rpm, wrongsize is short, badrepo
  // still has the previous repomd.xml: same size, older mtime). `with_fft` adds
  // fullfiletimelist-test at the top, describing the mirror's own content.
  void WriteMirror(const std::string& root, const std::string& prefix, bool with_fft);
  // The master's fullfiletimelist-test (what a mirror that synced the FFT but not the content
  // would serve).
  std::string MasterFft() const;
  // Adds a host with one host category for kCategory and the given URLs; returns host id.
  int64_t AddHost(const std::string& name, const std::vector<std::string>& urls,
                  int64_t* hc_id = nullptr, const HostOptions& options = {});

  std::string WriteConfig(const std::string& extra = "");
  ProcessResult RunCrawler(const std::vector<std::string>& args,
                           const std::string& extra_config = "",
                           absl::Duration timeout = absl::Seconds(120));

  // Starts mm2_crawler in the background (for signals and concurrent processes).
  std::unique_ptr<BackgroundProcess> StartCrawler(const std::vector<std::string>& args,
                                                  const std::string& extra_config);

  // "t", "f" or "" (no HCD) for host category `hc` and path.
  std::string Hcd(int64_t hc, const std::string& path);
  std::string HostField(int64_t host, const std::string& column);
  // `column` of the newest crawl history row of host category `hc` ("" when none).
  std::string History(int64_t hc, const std::string& column);
  // The host's crawler log file (MM_LOG_DIR/crawler/<id>.log).
  std::string HostLog(int64_t host);
  int64_t Count(const std::string& sql);

  std::unique_ptr<CatalogHarness> catalog_;
  std::unique_ptr<FixtureBuilder> f_;
  TempDir work_;
  int64_t category_ = 0;
  std::vector<DirSpec> dirs_;
  std::map<std::string, int64_t> dir_ids_;
};

}  // namespace mm::testing
