#pragma once
// Decides the directories of a category from a full listing of the mirror's copy (the mirror's
// fullfiletimelist or one rsync listing): entries are observed as they stream in, then each
// directory is up to date iff it exists in the listing and every file of the master's sample
// is there with the same size (symlinks are accepted whatever their size) and, when mtimes are
// compared, the same mtime as the sample's timestamp (samples without one are judged by size). A
// directory that is missing from the listing is not up to date, even with an empty sample
// (upstream's issue #225: per-file checks cannot see that).
//
// Thread-safety: one matcher per category crawl; the tree is shared read-only.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/crawler/crawl_model.h"

namespace mm::crawler {

class ListingMatcher {
 public:
  // `strip_prefix` (e.g. "linux/") is removed from entry paths first; entries without it are
  // ignored. `tree` must outlive the matcher.
  ListingMatcher(const CategoryTree& tree, std::string strip_prefix, bool compare_mtime = false);

  // `type`: 'd' directory, 'l' symlink, anything else a file. Paths are relative to the listing
  // root ("." or "" is the root itself). `mtime` (Unix seconds, 0 = unknown) is compared only
  // when the matcher compares mtimes.
  void Observe(char type, std::string_view path, int64_t size, bool size_valid, int64_t mtime = 0);
  DirState Decide(size_t dir_index) const;
  int64_t observed() const { return observed_; }

 private:
  const CategoryTree& tree_;
  const CategoryTree::Index& index_;
  std::string prefix_;
  bool compare_mtime_;
  std::vector<uint8_t> file_state_;  // 0 unseen, 1 matches, 2 differs
  std::vector<uint8_t> dir_seen_;
  int64_t observed_ = 0;
};

}  // namespace mm::crawler
