#include "services/cachegen/cache_writer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream.h>
#include <google/protobuf/message_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include <climits>
#include <cstdint>

namespace mm::cachegen {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedOutputStream;

const char* CacheFieldName(int field) {
  static constexpr const char* kNames[] = {"",
                                           "Time",
                                           "NetblockCountryCache",
                                           "LocationCache",
                                           "HCUrlCache",
                                           "FileDetailsCache",
                                           "DisabledRepositoryCache",
                                           "CountryContinentRedirectCache",
                                           "RepositoryRedirectCache",
                                           "RepoArchToDirectoryName",
                                           "HostAsnCache",
                                           "HostMaxConnectionCache",
                                           "HostCountryCache",
                                           "HostBandwidthCache",
                                           "HostCountryAllowedCache",
                                           "HostNetblockCache",
                                           "MirrorListCache"};
  if (field < 1 || field > kLastCacheField) return "";
  return kNames[field];
}

CacheWriter::CacheWriter(google::protobuf::io::ZeroCopyOutputStream* out)
    : coded_(std::make_unique<google::protobuf::io::CodedOutputStream>(out)) {}

CacheWriter::~CacheWriter() = default;

void CacheWriter::WriteTime(uint64_t unix_seconds) {
  uint32_t tag = WireFormatLite::MakeTag(kTime, WireFormatLite::WIRETYPE_VARINT);
  coded_->WriteTag(tag);
  coded_->WriteVarint64(unix_seconds);
  bytes_ += CodedOutputStream::VarintSize32(tag) + CodedOutputStream::VarintSize64(unix_seconds);
}

void CacheWriter::WriteEntry(int field, const google::protobuf::MessageLite& entry) {
  uint32_t tag = WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  coded_->WriteTag(tag);
  size_t size = entry.ByteSizeLong();  // also caches the sizes SerializeWithCachedSizes needs
  coded_->WriteVarint32(static_cast<uint32_t>(size));
  entry.SerializeWithCachedSizes(coded_.get());
  bytes_ += CodedOutputStream::VarintSize32(tag) +
            CodedOutputStream::VarintSize32(static_cast<uint32_t>(size)) +
            static_cast<int64_t>(size);
}

absl::Status CacheWriter::Finish() {
  coded_->Trim();
  if (coded_->HadError()) return absl::InternalError("writing the cache failed");
  // Protobuf readers (the Rust server's included) refuse messages of 2 GiB or more.
  if (bytes_ >= INT32_MAX) {
    return absl::ResourceExhaustedError("the cache exceeds protobuf's 2 GiB message limit");
  }
  return absl::OkStatus();
}

int64_t CacheWriter::bytes_written() const { return bytes_; }

}  // namespace mm::cachegen
