#pragma once
// Test helpers: a hand-built catalog snapshot (all sections in one chunk, header and trailer
// around it) fed to the CacheBuilder, and a scripted resolver.

#include <map>
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
                            uint64_t time = 1700000000);

// Small fixture helpers.
pb::ExportHost* AddHost(pb::MirrorlistSnapshotChunk& d, int64_t id, const std::string& country);
void AddDirectory(pb::MirrorlistSnapshotChunk& d, int64_t id, const std::string& name);

}  // namespace mm::cachegen::testing
