#pragma once
// One UMDL run (mm2-backend.md §1.3): select the UMDL_MASTER_DIRECTORIES entries, then for each
// one scan the tree, diff it against the catalog, and apply the category's changes in one
// catalog transaction; finally age the file_detail history. A category that fails (unreadable
// listing, catalog unavailable after retries, ...) is logged and the run goes on with the next;
// the exit code then says that something failed.
//
// Lifecycle: construct with every dependency (all outlive the runner), call Run() once.

#include <atomic>
#include <string>
#include <vector>

#include "services/common/clock.h"
#include "services/umdl/master_tree.h"
#include "services/umdl/umdl_config.h"

namespace mm::umdl {

class FileSystem;
class Progress;
class RsyncRunner;
class UmdlMetrics;

struct UmdlOptions {
  bool list_categories = false;         // --list
  std::vector<std::string> categories;  // --category (repeatable; "^NAME" excludes)
  bool skip_fullfiletimelist = false;   // --skip-fullfiletimelist
  bool delete_directories = false;      // --delete-directories
  std::string temp_dir = "/tmp";        // rsync listings are written here
};

struct UmdlDeps {
  MasterTreeCatalog* catalog = nullptr;
  const FileSystem* fs = nullptr;
  RsyncRunner* rsync = nullptr;
  const common::Clock* clock = nullptr;
  UmdlMetrics* metrics = nullptr;           // optional
  Progress* progress = nullptr;             // optional
  const std::atomic<bool>* stop = nullptr;  // optional: set by SIGTERM/SIGINT
};

// Exit codes of Run().
inline constexpr int kExitOk = 0;
inline constexpr int kExitCategoryFailed = 1;  // at least one category could not be synced
inline constexpr int kExitInterrupted = 3;     // stopped by a signal

class UmdlRunner {
 public:
  UmdlRunner(const UmdlConfig& config, UmdlOptions options, UmdlDeps deps);
  int Run();

 private:
  struct Selected {
    const MasterDirectory* entry;
    CategoryInfo category;
  };
  std::vector<Selected> SelectEntries(const std::vector<CategoryInfo>& categories) const;
  // Returns false when the category failed.
  bool SyncCategory(const Selected& selected, const std::vector<std::string>& arches);
  bool Stopped() const { return deps_.stop != nullptr && deps_.stop->load(); }

  const UmdlConfig& config_;
  UmdlOptions options_;
  UmdlDeps deps_;
};

}  // namespace mm::umdl
