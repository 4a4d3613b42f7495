#pragma once
// Reads a mirror-list cache file without materialising the whole MirrorList: the top-level
// fields are decoded one entry at a time and handed to a visitor, so memory stays small
// whatever the file size. The reader applies the checks of mirrorlist-server's loader
// (cache-wire-format.md §3-4): every required field present, valid UTF-8 in every string,
// expected wire types for known fields; unknown fields are skipped. Outside data: bounded by
// ReadLimits and fuzzed (tests/fuzz/cachegen/cache_reader_fuzz.cc).

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace mirrormanager {
class StringStringMap;
class StringRepeatedIntMap;
class IntStringMap;
class IntIntMap;
class IntRepeatedIntMap;
class IntRepeatedStringMap;
class StringBoolMap;
class FileDetailsCacheDirectoryType;
class MirrorListCacheType;
}  // namespace mirrormanager

namespace google::protobuf::io {
class ZeroCopyInputStream;
}

namespace mm::cachegen {

// Receives the entries of a cache in file order. `field` is the MirrorList field number
// (cache_writer.h, CacheField). Default implementations ignore the entry.
class CacheVisitor {
 public:
  virtual ~CacheVisitor() = default;
  virtual void Time(uint64_t unix_seconds) {}
  // NetblockCountryCache, CountryContinentRedirectCache, RepositoryRedirectCache,
  // RepoArchToDirectoryName.
  virtual void StringString(int field, const mirrormanager::StringStringMap& e) {}
  // LocationCache, HostNetblockCache.
  virtual void StringRepeatedInt(int field, const mirrormanager::StringRepeatedIntMap& e) {}
  // HCUrlCache, HostCountryCache.
  virtual void IntString(int field, const mirrormanager::IntStringMap& e) {}
  virtual void FileDetails(const mirrormanager::FileDetailsCacheDirectoryType& e) {}
  virtual void StringBool(int field, const mirrormanager::StringBoolMap& e) {}
  virtual void IntRepeatedInt(int field, const mirrormanager::IntRepeatedIntMap& e) {}  // HostAsn
  // HostMaxConnectionCache, HostBandwidthCache.
  virtual void IntInt(int field, const mirrormanager::IntIntMap& e) {}
  virtual void IntRepeatedString(int field, const mirrormanager::IntRepeatedStringMap& e) {}
  virtual void MirrorList(const mirrormanager::MirrorListCacheType& e) {}
};

struct ReadLimits {
  // Largest accepted input. Protobuf messages cannot reach 2 GiB, so neither can a cache.
  int64_t max_bytes = (int64_t{1} << 31) - 1;
};

// INVALID_ARGUMENT (DATA_LOSS for truncation) names the first problem and its byte offset.
absl::Status ReadCache(google::protobuf::io::ZeroCopyInputStream* in, CacheVisitor& visitor,
                       const ReadLimits& limits = {});
absl::Status ReadCacheBytes(std::string_view bytes, CacheVisitor& visitor,
                            const ReadLimits& limits = {});
// NOT_FOUND / PERMISSION_DENIED when the file cannot be opened.
absl::Status ReadCacheFile(const std::string& path, CacheVisitor& visitor,
                           const ReadLimits& limits = {});

}  // namespace mm::cachegen
