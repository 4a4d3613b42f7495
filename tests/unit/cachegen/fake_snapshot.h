#pragma once
// Test helpers: a hand-built catalog snapshot (all sections in one chunk, header and trailer
// around it) fed to the CacheBuilder, and a scripted resolver.

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mirrormanager/cache/mirrormanager.pb.h"
#include "mirrormanager/catalog/v1/cache_export.pb.h"
#include "services/cachegen/cache_builder.h"
#include "services/cachegen/resolver.h"

namespace mm::cachegen::testing {

namespace pb = ::mirrormanager::catalog::v1;
namespace mc = ::mirrormanager;

class ScriptedResolver final : public HostResolver {
 public:
  std::map<std::string, std::vector<std::string>> answers;
  std::vector<std::string> asked;
  ResolveResults ResolveAll(const std::vector<std::string>& names,
                            absl::Duration timeout) override {
    ResolveResults r;
    for (const auto& n : names) {
      asked.push_back(n);
      auto it = answers.find(n);
      if (it == answers.end()) {
        r.errors[n] = "no such name";
      } else {
        r.addresses[n] = it->second;
      }
    }
    return r;
  }
};

// A resolver that does not answer until released: a resolver stuck on an unreachable name
// server, one that ignores its timeout. Its state is shared with the callers, so a lookup
// still running when the resolver is destroyed stays valid.
class HangingResolver final : public HostResolver {
 public:
  ~HangingResolver() { Release(); }
  ResolveResults ResolveAll(const std::vector<std::string>& names, absl::Duration timeout) override;
  // Lets every pending and future call return (with no answers).
  void Release();
  int calls() const;

 private:
  struct State {
    mutable std::mutex mu;
    std::condition_variable cv;
    bool released = false;
    int calls = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Row counts of the sections present in `data`, keyed like the trailer.
std::map<std::string, int64_t> SectionCounts(const pb::MirrorlistSnapshotChunk& data);

// The chunks of a well-formed stream: header, `data`, trailer.
std::vector<pb::MirrorlistSnapshotChunk> StreamOf(const pb::MirrorlistSnapshotChunk& data);

struct Built {
  std::string bytes;
  mc::MirrorList cache;  // parsed back
  BuildStats stats;
};

// Runs the builder over StreamOf(data).
absl::StatusOr<Built> Build(const pb::MirrorlistSnapshotChunk& data, HostResolver& resolver,
                            uint64_t time = 1700000000,
                            absl::Duration dns_timeout = absl::Seconds(10));

// Small fixture helpers.
pb::ExportHost* AddHost(pb::MirrorlistSnapshotChunk& d, int64_t id, const std::string& country);
void AddDirectory(pb::MirrorlistSnapshotChunk& d, int64_t id, const std::string& name);

}  // namespace mm::cachegen::testing
