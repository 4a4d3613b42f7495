#include "tests/integration/cachegen/cachegen_testing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/cachegen/catalog_client.h"
#include "services/cachegen/snapshot_source.h"

namespace mm::cachegen::testing {

// One fresh directory per test process (mkdtemp: a reused pid cannot collide with what an
// earlier run left), removed when the process exits.
std::string TempPath(const std::string& name) {
  static const std::string* base = [] {
    std::string pattern = absl::StrCat(::testing::TempDir(), "/cachegen_XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    }
    auto* dir = new std::string(pattern);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*base, ec);
    });
    return dir;
  }();
  static std::atomic<int> n{0};
  return absl::StrCat(*base, "/", n++, "_", name);
}

absl::StatusOr<Generated> GenerateFrom(const mm::testing::CatalogHarness& harness,
                                       HostResolver* resolver, int batch_rows) {
  Generated g;
  g.path = TempPath("mirrorlist_cache.proto");
  SystemResolver system(4);
  std::unique_ptr<SnapshotSource> source =
      ConnectCatalog(harness.address(), absl::Seconds(120), batch_rows);
  GenerateOptions options;
  options.outfile = g.path;
  options.attempts = 1;
  Generator generator(options, *source, resolver != nullptr ? *resolver : system, nullptr);
  auto result = generator.Run();
  if (!result.ok()) return result.status();
  g.result = *result;
  std::ifstream in(g.path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!g.cache.ParseFromString(bytes.str())) {
    return absl::InternalError("the cache does not parse (or misses a required field)");
  }
  return g;
}

const mc::MirrorListCacheType* FindDirectory(const mc::MirrorList& cache, const std::string& dir) {
  for (const auto& e : cache.mirrorlistcache()) {
    if (e.directory() == dir) return &e;
  }
  return nullptr;
}

std::vector<int64_t> Ids(const google::protobuf::RepeatedField<int64_t>& ids) {
  return {ids.begin(), ids.end()};
}

std::map<std::string, std::vector<int64_t>> ByCountry(
    const google::protobuf::RepeatedPtrField<mc::StringRepeatedIntMap>& list) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& e : list) {
    EXPECT_EQ(out.count(e.key()), 0u) << "duplicate key " << e.key();
    out[e.key()] = Ids(e.value());
  }
  return out;
}

std::map<int64_t, std::vector<int64_t>> ByHostId(const mc::MirrorListCacheType& entry) {
  std::map<int64_t, std::vector<int64_t>> out;
  for (const auto& e : entry.byhostid()) {
    EXPECT_EQ(out.count(e.key()), 0u) << "duplicate host " << e.key();
    out[e.key()] = Ids(e.value());
  }
  return out;
}

std::map<int64_t, int64_t> IntInt(const google::protobuf::RepeatedPtrField<mc::IntIntMap>& list) {
  std::map<int64_t, int64_t> out;
  for (const auto& e : list) {
    EXPECT_EQ(out.count(e.key()), 0u) << "duplicate key " << e.key();
    out[e.key()] = e.value();
  }
  return out;
}

std::map<int64_t, std::string> IntString(
    const google::protobuf::RepeatedPtrField<mc::IntStringMap>& list) {
  std::map<int64_t, std::string> out;
  for (const auto& e : list) {
    EXPECT_EQ(out.count(e.key()), 0u) << "duplicate key " << e.key();
    out[e.key()] = e.value();
  }
  return out;
}

std::map<std::string, std::string> StringString(
    const google::protobuf::RepeatedPtrField<mc::StringStringMap>& list) {
  std::map<std::string, std::string> out;
  for (const auto& e : list) {
    EXPECT_EQ(out.count(e.key()), 0u) << "duplicate key " << e.key();
    out[e.key()] = e.value();
  }
  return out;
}

}  // namespace mm::cachegen::testing
