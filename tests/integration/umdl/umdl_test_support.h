#pragma once
// Helpers for UMDL's integration tests: scratch master trees, fullfiletimelists written from a
// tree, upstream's test fixture, running the real binary, and reading results back with SQL.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testing/catalog_harness.h"
#include "tests/testing/subprocess.h"

namespace mm::testing {

// A fresh directory under the test's temporary directory, removed on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Copies a tree, then sets directories to 0755 and files to 0644.
void CopyTree(const std::string& from, const std::string& to);
void MakeDirs(const std::string& path, int mode = 0755);
void WriteFile(const std::string& path, const std::string& contents, int mode = 0644);
std::string ReadWholeFile(const std::string& path);

// A fullfiletimelist of the tree below `root`, rows relative to `root` (prefixed with
// `row_prefix`, e.g. "linux/"), in quick-fedora-mirror's format. `times` overrides the timestamp
// written for given relative paths (default: st_ctime).
std::string MakeFullFileTimeList(const std::string& root, const std::string& row_prefix = "",
                                 const std::map<std::string, int64_t>& times = {});

// Upstream's UMDL test fixture (tests/conftest.py: base_items, directory, category,
// categorydirectory), with the same ids.
void SeedUpstreamUmdlFixture(const TestDatabase& db);

// Runs mm2_update-master-directory-list with `args` (plus "-c config").
ProcessResult RunUmdl(const std::string& config, const std::vector<std::string>& args = {},
                      const std::map<std::string, std::string>& env = {});

// Runs mm2_update-master-directory-list with its stdout on a pseudo-terminal (stderr captured
// apart), as an operator at a terminal would: `out` is everything written to the terminal.
ProcessResult RunUmdlOnTerminal(const std::string& config,
                                const std::vector<std::string>& args = {});

// What a terminal shows for `text`: "\r" returns to the start of the line, ESC[K erases to its
// end, "\n" (or "\r\n") starts a new line.
std::vector<std::string> ScreenLines(const std::string& text);

// Log messages of stderr without the "YYYY-MM-DD HH:MM:SS,mmm LEVEL " prefix.
std::vector<std::string> LogMessages(const std::string& err);

// All rows of a query as text cells ("" for NULL), for assertions.
std::vector<std::vector<std::string>> Rows(const TestDatabase& db, const std::string& sql);

// directory.files of `name` decoded as name -> (size, timestamp).
std::map<std::string, std::pair<int64_t, int64_t>> DirectoryFiles(const TestDatabase& db,
                                                                  const std::string& name);

// Absolute path of the rsync binary (RunProcess does not search PATH).
std::string RsyncBinary();

// An rsync daemon on 127.0.0.1 (port chosen free) serving module `module` at `path`, running as
// the current user, chroot off. Stopped on destruction.
class RsyncDaemon {
 public:
  static absl::StatusOr<std::unique_ptr<RsyncDaemon>> Start(const std::string& module,
                                                            const std::string& path);
  ~RsyncDaemon();
  int port() const { return port_; }
  std::string Url(const std::string& sub = "") const;

 private:
  ScratchDir dir_;
  std::unique_ptr<BackgroundProcess> process_;
  std::string module_;
  int port_ = 0;
};

}  // namespace mm::testing
