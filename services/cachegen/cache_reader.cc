#include "services/cachegen/cache_reader.h"

#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "mirrormanager/cache/mirrormanager.pb.h"
#include "services/cachegen/cache_writer.h"
#include "services/cachegen/text_util.h"

namespace mm::cachegen {
namespace {

namespace mc = ::mirrormanager;
using google::protobuf::internal::WireFormatLite;

bool Utf8(const mc::StringStringMap& e) { return IsValidUtf8(e.key()) && IsValidUtf8(e.value()); }
bool Utf8(const mc::StringRepeatedIntMap& e) { return IsValidUtf8(e.key()); }
bool Utf8(const mc::IntStringMap& e) { return IsValidUtf8(e.value()); }
bool Utf8(const mc::StringBoolMap& e) { return IsValidUtf8(e.key()); }
bool Utf8(const mc::IntIntMap&) { return true; }
bool Utf8(const mc::IntRepeatedIntMap&) { return true; }
bool Utf8(const mc::IntRepeatedStringMap& e) {
  for (const auto& v : e.value()) {
    if (!IsValidUtf8(v)) return false;
  }
  return true;
}
bool Utf8(const mc::FileDetailsCacheDirectoryType& e) {
  if (!IsValidUtf8(e.directory())) return false;
  for (const auto& f : e.filedetailscachefiles()) {
    if (!IsValidUtf8(f.filename())) return false;
    for (const auto& d : f.filedetails()) {
      if (!IsValidUtf8(d.sha1()) || !IsValidUtf8(d.md5()) || !IsValidUtf8(d.sha256()) ||
          !IsValidUtf8(d.sha512())) {
        return false;
      }
    }
  }
  return true;
}
bool Utf8(const mc::MirrorListCacheType& e) {
  if (!IsValidUtf8(e.directory()) || !IsValidUtf8(e.subpath())) return false;
  for (const auto& c : e.bycountry()) {
    if (!IsValidUtf8(c.key())) return false;
  }
  for (const auto& c : e.bycountryinternet2()) {
    if (!IsValidUtf8(c.key())) return false;
  }
  return true;
}

class Reader {
 public:
  Reader(google::protobuf::io::ZeroCopyInputStream* in, CacheVisitor& visitor,
         const ReadLimits& limits)
      : in_(in), visitor_(visitor) {
    int64_t max = std::max<int64_t>(0, std::min<int64_t>(limits.max_bytes, INT32_MAX));
    in_.SetTotalBytesLimit(static_cast<int>(max));
  }

  absl::Status Run() {
    bool have_time = false;
    while (true) {  // each iteration consumes at least one byte of a bounded input
      uint32_t tag = 0;
      bool end = false;
      if (!ReadTag(&tag, &end)) return Error("invalid field tag");
      if (end) break;
      int field = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
      auto wire = WireFormatLite::GetTagWireType(tag);
      if (field == 0 || static_cast<int>(wire) > 5) return Error("invalid field tag");
      if (field < 1 || field > kLastCacheField) {
        if (!WireFormatLite::SkipField(&in_, tag)) return Error("truncated unknown field");
        continue;
      }
      if (field == kTime) {
        if (wire != WireFormatLite::WIRETYPE_VARINT) return Error("Time has the wrong wire type");
        uint64_t t;
        if (!in_.ReadVarint64(&t)) return Error("truncated Time");
        have_time = true;
        visitor_.Time(t);
        continue;
      }
      if (wire != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
        return Error(absl::StrCat(CacheFieldName(field), " has the wrong wire type"));
      }
      absl::Status s = ReadEntry(field);
      if (!s.ok()) return s;
    }
    if (!have_time) return absl::InvalidArgumentError("missing required field MirrorList.Time");
    return absl::OkStatus();
  }

 private:
  // A top-level tag: a varint of at most 5 bytes whose value fits 32 bits (protobuf's own
  // parser refuses anything else). `*end` at a clean end of input.
  bool ReadTag(uint32_t* tag, bool* end) {
    uint64_t value = 0;
    for (int i = 0; i < 5; ++i) {
      uint8_t byte;
      if (!in_.ReadRaw(&byte, 1)) {
        *end = i == 0;
        return i == 0;
      }
      value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        if (value > UINT32_MAX) return false;
        *tag = static_cast<uint32_t>(value);
        return true;
      }
    }
    return false;
  }

  absl::Status Error(const std::string& what) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid mirror-list cache at byte ", in_.CurrentPosition(), ": ", what));
  }

  template <typename Message>
  absl::Status Parse(int field, Message& m) {
    uint32_t length;
    if (!in_.ReadVarint32(&length)) return Error("truncated length");
    int remaining = in_.BytesUntilTotalBytesLimit();  // -1: no limit below INT_MAX
    if (remaining >= 0 && static_cast<int64_t>(length) > remaining) {
      return absl::DataLossError(absl::StrCat("truncated ", CacheFieldName(field), " entry"));
    }
    auto limit = in_.PushLimit(static_cast<int>(length));
    m.Clear();
    bool ok = m.MergePartialFromCodedStream(&in_) && in_.ConsumedEntireMessage() &&
              in_.BytesUntilLimit() == 0;
    in_.PopLimit(limit);
    if (!ok) return Error(absl::StrCat("malformed ", CacheFieldName(field), " entry"));
    if (!m.IsInitialized()) {
      return Error(absl::StrCat(CacheFieldName(field), " entry misses a required field (",
                                m.InitializationErrorString(), ")"));
    }
    if (!Utf8(m)) return Error(absl::StrCat(CacheFieldName(field), " entry is not valid UTF-8"));
    return absl::OkStatus();
  }

  absl::Status ReadEntry(int field) {
    absl::Status s;
    switch (field) {
      case kNetblockCountryCache:
      case kCountryContinentRedirectCache:
      case kRepositoryRedirectCache:
      case kRepoArchToDirectoryName:
        s = Parse(field, ss_);
        if (s.ok()) visitor_.StringString(field, ss_);
        break;
      case kLocationCache:
      case kHostNetblockCache:
        s = Parse(field, sri_);
        if (s.ok()) visitor_.StringRepeatedInt(field, sri_);
        break;
      case kHCUrlCache:
      case kHostCountryCache:
        s = Parse(field, is_);
        if (s.ok()) visitor_.IntString(field, is_);
        break;
      case kFileDetailsCache:
        s = Parse(field, fd_);
        if (s.ok()) visitor_.FileDetails(fd_);
        break;
      case kDisabledRepositoryCache:
        s = Parse(field, sb_);
        if (s.ok()) visitor_.StringBool(field, sb_);
        break;
      case kHostAsnCache:
        s = Parse(field, iri_);
        if (s.ok()) visitor_.IntRepeatedInt(field, iri_);
        break;
      case kHostMaxConnectionCache:
      case kHostBandwidthCache:
        s = Parse(field, ii_);
        if (s.ok()) visitor_.IntInt(field, ii_);
        break;
      case kHostCountryAllowedCache:
        s = Parse(field, irs_);
        if (s.ok()) visitor_.IntRepeatedString(field, irs_);
        break;
      case kMirrorListCache:
        s = Parse(field, mlc_);
        if (s.ok()) visitor_.MirrorList(mlc_);
        break;
      default:
        s = Error("unexpected field");
    }
    return s;
  }

  google::protobuf::io::CodedInputStream in_;
  CacheVisitor& visitor_;
  // One reusable message per entry type.
  mc::StringStringMap ss_;
  mc::StringRepeatedIntMap sri_;
  mc::IntStringMap is_;
  mc::FileDetailsCacheDirectoryType fd_;
  mc::StringBoolMap sb_;
  mc::IntRepeatedIntMap iri_;
  mc::IntIntMap ii_;
  mc::IntRepeatedStringMap irs_;
  mc::MirrorListCacheType mlc_;
};

}  // namespace

absl::Status ReadCache(google::protobuf::io::ZeroCopyInputStream* in, CacheVisitor& visitor,
                       const ReadLimits& limits) {
  Reader reader(in, visitor, limits);
  return reader.Run();
}

absl::Status ReadCacheBytes(std::string_view bytes, CacheVisitor& visitor,
                            const ReadLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError("mirror-list cache larger than the read limit");
  }
  google::protobuf::io::ArrayInputStream in(bytes.data(), static_cast<int>(bytes.size()));
  return ReadCache(&in, visitor, limits);
}

absl::Status ReadCacheFile(const std::string& path, CacheVisitor& visitor,
                           const ReadLimits& limits) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    std::string msg = absl::StrCat("cannot open ", path, ": ", std::strerror(e));
    if (e == ENOENT) return absl::NotFoundError(msg);
    if (e == EACCES) return absl::PermissionDeniedError(msg);
    return absl::InternalError(msg);
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > limits.max_bytes) {
    close(fd);
    return absl::ResourceExhaustedError(
        absl::StrCat(path, " is larger than the read limit (", limits.max_bytes, " bytes)"));
  }
  absl::Status s;
  {
    google::protobuf::io::FileInputStream in(fd, 1 << 20);
    s = ReadCache(&in, visitor, limits);
    if (s.ok() && in.GetErrno() != 0) {
      s = absl::InternalError(absl::StrCat("reading ", path, ": ", std::strerror(in.GetErrno())));
    }
  }
  close(fd);
  return s;
}

}  // namespace mm::cachegen
