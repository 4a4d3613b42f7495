#pragma once
// Writes a MirrorList (mirrormanager.proto) incrementally: the top-level fields one entry at a
// time, so the generator never holds the whole message (hundreds of MB for Fedora) in memory.
// The bytes are exactly what MirrorList::SerializeToString would produce for the same entries
// in the same order: each entry is a length-delimited field of the top-level message.
//
// Not thread-safe. The stream must outlive the writer.

#include <cstdint>
#include <memory>

#include "absl/status/status.h"

namespace google::protobuf {
class MessageLite;
namespace io {
class CodedOutputStream;
class ZeroCopyOutputStream;
}  // namespace io
}  // namespace google::protobuf

namespace mm::cachegen {

// MirrorList field numbers (cache-wire-format.md §2.1).
enum CacheField : int {
  kTime = 1,
  kNetblockCountryCache = 2,
  kLocationCache = 3,
  kHCUrlCache = 4,
  kFileDetailsCache = 5,
  kDisabledRepositoryCache = 6,
  kCountryContinentRedirectCache = 7,
  kRepositoryRedirectCache = 8,
  kRepoArchToDirectoryName = 9,
  kHostAsnCache = 10,
  kHostMaxConnectionCache = 11,
  kHostCountryCache = 12,
  kHostBandwidthCache = 13,
  kHostCountryAllowedCache = 14,
  kHostNetblockCache = 15,
  kMirrorListCache = 16,
};
inline constexpr int kLastCacheField = 16;
// "HCUrlCache", ... as in the schema; "" for numbers outside 1..16.
const char* CacheFieldName(int field);

class CacheWriter {
 public:
  explicit CacheWriter(google::protobuf::io::ZeroCopyOutputStream* out);
  ~CacheWriter();
  CacheWriter(const CacheWriter&) = delete;
  CacheWriter& operator=(const CacheWriter&) = delete;

  void WriteTime(uint64_t unix_seconds);
  // One element of a repeated message field of MirrorList. `entry` must be initialized (all
  // required fields set); the check is the caller's (the builder sets them by construction).
  void WriteEntry(int field, const google::protobuf::MessageLite& entry);
  // Flushes buffered bytes into the stream; error if the stream failed.
  absl::Status Finish();
  int64_t bytes_written() const;

 private:
  std::unique_ptr<google::protobuf::io::CodedOutputStream> coded_;
  // Counted here: CodedOutputStream::ByteCount() is an int and wraps past 2 GiB.
  int64_t bytes_ = 0;
};

}  // namespace mm::cachegen
