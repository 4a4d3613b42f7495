#pragma once
// Helpers for cachegen tests against a real catalog (CatalogHarness: real PostgreSQL, real
// gRPC): run the generator in-process and look at the cache it wrote.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mirrormanager/cache/mirrormanager.pb.h"
#include "services/cachegen/generator.h"
#include "services/cachegen/resolver.h"
#include "tests/testing/catalog_harness.h"

namespace mm::cachegen::testing {

namespace mc = ::mirrormanager;

struct Generated {
  mc::MirrorList cache;
  GenerateResult result;
  std::string path;
};

// Generates into a fresh file under the test's temp dir through catalog's gRPC API and parses
// it back (checking every required field). `resolver` defaults to the system resolver.
absl::StatusOr<Generated> GenerateFrom(const mm::testing::CatalogHarness& harness,
                                       HostResolver* resolver = nullptr, int batch_rows = 0);

// A unique path under the test temp dir.
std::string TempPath(const std::string& name);

const mc::MirrorListCacheType* FindDirectory(const mc::MirrorList& cache, const std::string& dir);
std::vector<int64_t> Ids(const google::protobuf::RepeatedField<int64_t>& ids);
std::map<std::string, std::vector<int64_t>> ByCountry(
    const google::protobuf::RepeatedPtrField<mc::StringRepeatedIntMap>& list);
std::map<int64_t, std::vector<int64_t>> ByHostId(const mc::MirrorListCacheType& entry);
// int -> value maps of the host caches.
std::map<int64_t, int64_t> IntInt(const google::protobuf::RepeatedPtrField<mc::IntIntMap>& list);
std::map<int64_t, std::string> IntString(
    const google::protobuf::RepeatedPtrField<mc::IntStringMap>& list);
std::map<std::string, std::string> StringString(
    const google::protobuf::RepeatedPtrField<mc::StringStringMap>& list);

}  // namespace mm::cachegen::testing
