#include "services/crawler/listing_matcher.h"

namespace mm::crawler {

ListingMatcher::ListingMatcher(const CategoryTree& tree, std::string strip_prefix,
                               bool compare_mtime)
    : tree_(tree),
      index_(tree.index()),
      prefix_(std::move(strip_prefix)),
      compare_mtime_(compare_mtime),
      file_state_(index_.file_dir.size(), 0),
      dir_seen_(tree.dirs.size(), 0) {}

void ListingMatcher::Observe(char type, std::string_view path, int64_t size, bool size_valid,
                             int64_t mtime) {
  ++observed_;
  if (!prefix_.empty()) {
    std::string_view bare(prefix_.data(), prefix_.size() - 1);  // "linux" for "linux/"
    if (path == bare) {
      path = "";
    } else if (path.substr(0, prefix_.size()) == prefix_) {
      path.remove_prefix(prefix_.size());
    } else {
      return;
    }
  }
  if (path == ".") path = "";
  while (path.size() > 2 && path.substr(0, 2) == "./") path.remove_prefix(2);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (type == 'd') {
    auto it = index_.dirs.find(path);
    if (it != index_.dirs.end()) dir_seen_[it->second] = 1;
    return;
  }
  auto it = index_.files.find(path);
  if (it == index_.files.end()) return;
  uint32_t slot = it->second;
  bool ok = type == 'l' || (size_valid && size == index_.file_size[slot]);
  // Same size but another mtime: the file was replaced (a new repomd.xml often keeps its size).
  const int64_t expected_mtime = index_.file_mtime[slot];
  if (ok && type != 'l' && compare_mtime_ && expected_mtime != 0 && mtime != expected_mtime)
    ok = false;
  file_state_[slot] = ok ? 1 : 2;
  // A file inside a directory proves the directory exists (listings may omit directories).
  dir_seen_[index_.file_dir[slot]] = 1;
}

DirState ListingMatcher::Decide(size_t dir) const {
  const MasterDirectory& d = tree_.dirs[dir];
  if (!d.path.empty() && !dir_seen_[dir]) return DirState::kStale;
  for (uint32_t slot = index_.dir_first_slot[dir]; slot < index_.dir_first_slot[dir + 1]; ++slot) {
    if (file_state_[slot] != 1) return DirState::kStale;
  }
  return DirState::kUp2date;
}

}  // namespace mm::crawler
