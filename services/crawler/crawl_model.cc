#include "services/crawler/crawl_model.h"

namespace mm::crawler {

const char* ModeName(CrawlMode mode) {
  switch (mode) {
    case CrawlMode::kFull:
      return "full";
    case CrawlMode::kCanary:
      return "canary";
    case CrawlMode::kRepodata:
      return "repodata";
    case CrawlMode::kPropagation:
      return "propagation";
  }
  return "full";
}

const char* HostStatusName(HostStatus status) {
  switch (status) {
    case HostStatus::kUnknown:
      return "UNKNOWN";
    case HostStatus::kOk:
      return "OK";
    case HostStatus::kFailure:
      return "FAILURE";
    case HostStatus::kTimeout:
      return "TIMEOUT";
    case HostStatus::kDisable:
      return "DISABLE";
  }
  return "UNKNOWN";
}

const char* DirStateName(DirState state) {
  switch (state) {
    case DirState::kUp2date:
      return "up2date";
    case DirState::kStale:
      return "not_up2date";
    case DirState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const CategoryTree::Index& CategoryTree::index() const {
  std::call_once(index_once_, [this] {
    auto idx = std::make_unique<Index>();
    size_t nfiles = 0;
    for (const auto& d : dirs) nfiles += d.files.size();
    idx->files.reserve(nfiles);
    idx->dirs.reserve(dirs.size());
    idx->file_dir.reserve(nfiles);
    idx->file_size.reserve(nfiles);
    idx->file_mtime.reserve(nfiles);
    for (uint32_t i = 0; i < dirs.size(); ++i) {
      const auto& d = dirs[i];
      idx->dirs.emplace(d.path, i);
      idx->dir_first_slot.push_back(static_cast<uint32_t>(idx->file_dir.size()));
      for (const auto& f : d.files) {
        std::string key = d.path.empty() ? f.name : d.path + "/" + f.name;
        auto [it, inserted] =
            idx->files.emplace(std::move(key), static_cast<uint32_t>(idx->file_dir.size()));
        (void)it;
        (void)inserted;
        idx->file_dir.push_back(i);
        idx->file_size.push_back(f.size);
        idx->file_mtime.push_back(f.timestamp);
      }
    }
    idx->dir_first_slot.push_back(static_cast<uint32_t>(idx->file_dir.size()));
    index_ = std::move(idx);
  });
  return *index_;
}

}  // namespace mm::crawler
