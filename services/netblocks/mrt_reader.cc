#include "services/netblocks/mrt_reader.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace mm::netblocks {
namespace {

// MRT types (RFC 6396 §4; 0-10 are the deprecated ones of §B) and subtypes used here.
constexpr uint16_t kTableDump = 12;
constexpr uint16_t kTableDumpV2 = 13;
constexpr uint16_t kPeerIndexTable = 1;
constexpr uint16_t kRibIpv4Unicast = 2;
constexpr uint16_t kRibIpv6Unicast = 4;
constexpr uint16_t kLastTableDumpV2Subtype = 12;  // RIB_GENERIC_ADDPATH (RFC 8050)

constexpr uint8_t kAttrFlagExtendedLength = 0x10;
constexpr uint8_t kAttrAsPath = 2;
constexpr uint8_t kAttrAs4Path = 17;

constexpr uint8_t kAsSet = 1;
constexpr uint8_t kAsSequence = 2;
constexpr uint8_t kAsConfedSequence = 3;
constexpr uint8_t kAsConfedSet = 4;

constexpr int kHeaderLength = 12;
constexpr int kMaxProblemsNoted = 5;

bool KnownType(uint16_t type) {
  return type <= 13 || type == 16 || type == 17 || type == 32 || type == 33 || type == 48 ||
         type == 49;
}

inline uint16_t U16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t U32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint32_t ReadAs(const uint8_t* p, int as_size) { return as_size == 4 ? U32(p) : U16(p); }

// Validates an AS_PATH value and applies the origin rule (first run of adjacent AS_SEQUENCE
// segments, last AS of it).
bool ScanPath(const uint8_t* p, size_t n, int as_size, std::optional<uint32_t>* origin) {
  enum { kBefore, kInRun, kAfter } state = kBefore;
  size_t i = 0;
  origin->reset();
  while (i < n) {
    if (n - i < 2) return false;
    uint8_t type = p[i];
    size_t bytes = size_t{p[i + 1]} * static_cast<size_t>(as_size);
    i += 2;
    if (type < kAsSet || type > kAsConfedSet || n - i < bytes) return false;
    if (type == kAsSequence) {
      if (state != kAfter) {
        state = kInRun;
        if (bytes > 0) *origin = ReadAs(p + i + bytes - as_size, as_size);
      }
    } else if (state == kInRun) {
      state = kAfter;
    }
    i += bytes;
  }
  return true;
}

// Number of ASes of a (valid) path for the AS4_PATH merge: sets count one, confederation
// segments none (RFC 6793 §4.2.3).
size_t CountAses(const uint8_t* p, size_t n, int as_size) {
  size_t count = 0;
  for (size_t i = 0; i + 2 <= n;) {
    uint8_t type = p[i];
    uint8_t len = p[i + 1];
    if (type == kAsSequence) count += len;
    if (type == kAsSet) count += 1;
    i += 2 + size_t{len} * static_cast<size_t>(as_size);
  }
  return count;
}

bool HasConfedSegment(const uint8_t* p, size_t n, int as_size) {
  for (size_t i = 0; i + 2 <= n;) {
    if (p[i] == kAsConfedSequence || p[i] == kAsConfedSet) return true;
    i += 2 + size_t{p[i + 1]} * static_cast<size_t>(as_size);
  }
  return false;
}

void AppendSegment(std::string& out, uint8_t type, const uint8_t* ases, size_t count, int as_size) {
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(count));
  for (size_t k = 0; k < count; ++k) {
    uint32_t as = ReadAs(ases + k * static_cast<size_t>(as_size), as_size);
    char b[4] = {static_cast<char>(as >> 24), static_cast<char>(as >> 16),
                 static_cast<char>(as >> 8), static_cast<char>(as)};
    out.append(b, 4);
  }
}

}  // namespace

bool OriginFromPaths(const uint8_t* as_path, size_t as_path_len, int as_size,
                     const uint8_t* as4_path, size_t as4_path_len,
                     std::optional<uint32_t>* origin) {
  if (!ScanPath(as_path, as_path_len, as_size, origin)) return false;
  if (as_size != 2 || as4_path == nullptr) return true;
  std::optional<uint32_t> unused;
  if (!ScanPath(as4_path, as4_path_len, 4, &unused) ||
      HasConfedSegment(as4_path, as4_path_len, 4)) {
    return true;  // attribute discard: keep the AS_PATH result
  }
  size_t old_count = CountAses(as_path, as_path_len, 2);
  size_t new_count = CountAses(as4_path, as4_path_len, 4);
  if (old_count < new_count) return true;
  size_t need = old_count - new_count;
  std::string merged;
  for (size_t i = 0; i + 2 <= as_path_len && need > 0;) {
    uint8_t type = as_path[i];
    uint8_t len = as_path[i + 1];
    const uint8_t* ases = as_path + i + 2;
    if (type == kAsSequence) {
      size_t take = len < need ? len : need;
      AppendSegment(merged, type, ases, take, 2);
      need -= take;
    } else {
      AppendSegment(merged, type, ases, len, 2);
      if (type == kAsSet) need -= 1;
    }
    i += 2 + size_t{len} * 2;
  }
  merged.append(reinterpret_cast<const char*>(as4_path), as4_path_len);
  return ScanPath(reinterpret_cast<const uint8_t*>(merged.data()), merged.size(), 4, origin);
}

MrtStats& MrtStats::operator+=(const MrtStats& o) {
  bytes += o.bytes;
  records += o.records;
  peer_index_tables += o.peer_index_tables;
  rib_ipv4 += o.rib_ipv4;
  rib_ipv6 += o.rib_ipv6;
  no_origin += o.no_origin;
  ignored += o.ignored;
  unknown += o.unknown;
  malformed += o.malformed;
  truncated_bytes += o.truncated_bytes;
  return *this;
}

MrtReader::MrtReader(RouteSink& sink) : sink_(sink) {}
MrtReader::~MrtReader() = default;

void MrtReader::NoteProblem(const char* what, uint16_t type, uint16_t subtype) {
  if (problems_noted_++ >= kMaxProblemsNoted) return;
  if (!warning_.empty()) warning_ += "; ";
  absl::StrAppend(&warning_, "record ", stats_.records, " at byte ", stats_.bytes, " (type ", type,
                  " subtype ", subtype, "): ", what);
}

namespace {

// Finds the AS_PATH and AS4_PATH attributes in a path attribute list. False when the list is
// malformed (an attribute running past the end).
struct PathAttrs {
  const uint8_t* as_path = nullptr;
  size_t as_path_len = 0;
  const uint8_t* as4_path = nullptr;
  size_t as4_path_len = 0;
};

bool FindPathAttributes(const uint8_t* p, size_t n, PathAttrs* out) {
  size_t i = 0;
  while (i < n) {
    if (n - i < 3) return false;
    uint8_t flags = p[i];
    uint8_t type = p[i + 1];
    size_t len;
    if (flags & kAttrFlagExtendedLength) {
      if (n - i < 4) return false;
      len = U16(p + i + 2);
      i += 4;
    } else {
      len = p[i + 2];
      i += 3;
    }
    if (n - i < len) return false;
    // Duplicate attributes: the first one counts (RFC 7606 §3 (g)).
    if (type == kAttrAsPath && out->as_path == nullptr) {
      out->as_path = p + i;
      out->as_path_len = len;
    } else if (type == kAttrAs4Path && out->as4_path == nullptr) {
      out->as4_path = p + i;
      out->as4_path_len = len;
    }
    i += len;
  }
  return true;
}

// Origin of one entry's attribute list; false when malformed.
bool EntryOrigin(const uint8_t* attrs, size_t n, int as_size, std::optional<uint32_t>* origin) {
  PathAttrs pa;
  if (!FindPathAttributes(attrs, n, &pa)) return false;
  origin->reset();
  if (pa.as_path == nullptr) return true;
  return OriginFromPaths(pa.as_path, pa.as_path_len, as_size, pa.as4_path, pa.as4_path_len, origin);
}

}  // namespace

bool MrtReader::ParseRibV2(bool ipv6, const uint8_t* body, uint32_t length) {
  const uint16_t subtype = ipv6 ? kRibIpv6Unicast : kRibIpv4Unicast;
  const Family family = ipv6 ? Family::kIpv6 : Family::kIpv4;
  if (length < 5) {
    NoteProblem("record too short", kTableDumpV2, subtype);
    return false;
  }
  uint8_t plen = body[4];
  if (plen > MaxPrefixLength(family)) {
    NoteProblem(ipv6 ? "prefix length over 128" : "prefix length over 32", kTableDumpV2, subtype);
    return false;
  }
  size_t nbytes = (plen + 7u) / 8u;
  size_t pos = 5 + nbytes;
  if (length < pos + 2) {
    NoteProblem("prefix or entry count runs past the record", kTableDumpV2, subtype);
    return false;
  }
  const uint8_t* prefix_bytes = body + 5;
  uint16_t entries = U16(body + pos);
  pos += 2;
  std::optional<uint32_t> origin;
  for (uint32_t e = 0; e < entries; ++e) {
    // peer index (2), originated time (4), attribute length (2), attributes.
    if (length - pos < 8) {
      NoteProblem("RIB entry runs past the record", kTableDumpV2, subtype);
      return false;
    }
    size_t attr_len = U16(body + pos + 6);
    pos += 8;
    if (length - pos < attr_len) {
      NoteProblem("attribute length runs past the record", kTableDumpV2, subtype);
      return false;
    }
    if (e == 0 && !EntryOrigin(body + pos, attr_len, 4, &origin)) {
      NoteProblem("malformed path attributes", kTableDumpV2, subtype);
      return false;
    }
    pos += attr_len;
  }
  if (entries == 0) {
    // Nothing to report: no entry, no path (bgpdump prints no line for such a record).
    ++stats_.no_origin;
    return true;
  }
  Prefix prefix = Prefix::FromBytes(family, plen, prefix_bytes, static_cast<int>(nbytes));
  if (ipv6) {
    ++stats_.rib_ipv6;
  } else {
    ++stats_.rib_ipv4;
  }
  if (!origin) ++stats_.no_origin;
  sink_status_ = sink_.OnRoute(prefix, origin);
  return true;
}

bool MrtReader::ParsePeerIndexTable(const uint8_t* body, uint32_t length) {
  // collector BGP id (4), view name length (2), view name, peer count (2), peer entries.
  if (length < 6) {
    NoteProblem("record too short", kTableDumpV2, kPeerIndexTable);
    return false;
  }
  size_t pos = 6 + size_t{U16(body + 4)};
  if (length < pos + 2) {
    NoteProblem("view name runs past the record", kTableDumpV2, kPeerIndexTable);
    return false;
  }
  uint16_t peers = U16(body + pos);
  pos += 2;
  for (uint32_t i = 0; i < peers; ++i) {
    if (length - pos < 1) {
      NoteProblem("peer entry runs past the record", kTableDumpV2, kPeerIndexTable);
      return false;
    }
    uint8_t peer_type = body[pos];
    size_t need = 1 + 4 + ((peer_type & 1) ? 16 : 4) + ((peer_type & 2) ? 4 : 2);
    if (length - pos < need) {
      NoteProblem("peer entry runs past the record", kTableDumpV2, kPeerIndexTable);
      return false;
    }
    pos += need;
  }
  ++stats_.peer_index_tables;
  return true;
}

bool MrtReader::ParseTableDump(uint16_t subtype, const uint8_t* body, uint32_t length) {
  const bool ipv6 = subtype == 2 || subtype == 4;
  const int as_size = subtype >= 3 ? 4 : 2;
  const Family family = ipv6 ? Family::kIpv6 : Family::kIpv4;
  const size_t addr = static_cast<size_t>(AddressBytes(family));
  // view (2), sequence (2), prefix, prefix length (1), status (1), originated time (4),
  // peer IP, peer AS, attribute length (2), attributes.
  const size_t fixed = 2 + 2 + addr + 1 + 1 + 4 + addr + static_cast<size_t>(as_size) + 2;
  if (length < fixed) {
    NoteProblem("record too short", kTableDump, subtype);
    return false;
  }
  uint8_t plen = body[4 + addr];
  if (plen > MaxPrefixLength(family)) {
    NoteProblem(ipv6 ? "prefix length over 128" : "prefix length over 32", kTableDump, subtype);
    return false;
  }
  size_t attr_len = U16(body + fixed - 2);
  if (length - fixed < attr_len) {
    NoteProblem("attribute length runs past the record", kTableDump, subtype);
    return false;
  }
  std::optional<uint32_t> origin;
  if (!EntryOrigin(body + fixed, attr_len, as_size, &origin)) {
    NoteProblem("malformed path attributes", kTableDump, subtype);
    return false;
  }
  Prefix prefix = Prefix::FromBytes(family, plen, body + 4, static_cast<int>(addr));
  if (ipv6) {
    ++stats_.rib_ipv6;
  } else {
    ++stats_.rib_ipv4;
  }
  if (!origin) ++stats_.no_origin;
  sink_status_ = sink_.OnRoute(prefix, origin);
  return true;
}

void MrtReader::ParseRecord(uint16_t type, uint16_t subtype, const uint8_t* body, uint32_t length) {
  bool ok = true;
  if (type == kTableDumpV2) {
    if (subtype == kRibIpv4Unicast || subtype == kRibIpv6Unicast) {
      ok = ParseRibV2(subtype == kRibIpv6Unicast, body, length);
    } else if (subtype == kPeerIndexTable) {
      ok = ParsePeerIndexTable(body, length);
    } else if (subtype >= 1 && subtype <= kLastTableDumpV2Subtype) {
      ++stats_.ignored;
    } else {
      NoteProblem("unknown TABLE_DUMP_V2 subtype", type, subtype);
      ++stats_.unknown;
    }
  } else if (type == kTableDump) {
    if (subtype >= 1 && subtype <= 4) {
      ok = ParseTableDump(subtype, body, length);
    } else {
      NoteProblem("unknown TABLE_DUMP subtype", type, subtype);
      ++stats_.unknown;
    }
  } else if (KnownType(type)) {
    ++stats_.ignored;
  } else {
    NoteProblem("unknown MRT type", type, subtype);
    ++stats_.unknown;
  }
  if (!ok) ++stats_.malformed;
}

absl::Status MrtReader::ConsumeRecords(const uint8_t* data, size_t size, size_t* used) {
  size_t off = 0;
  while (size - off >= kHeaderLength) {
    const uint8_t* h = data + off;
    uint32_t length = U32(h + 8);
    if (length > kMaxRecordLength) {
      failed_ = absl::DataLossError(absl::StrCat(
          "MRT record ", stats_.records, " at byte ", stats_.bytes, " announces ", length,
          " bytes (limit ", kMaxRecordLength, "): the input is corrupt or not an MRT dump"));
      *used = off;
      return failed_;
    }
    if (size - off - kHeaderLength < length) break;
    ParseRecord(U16(h + 4), U16(h + 6), h + kHeaderLength, length);
    ++stats_.records;
    stats_.bytes += kHeaderLength + length;
    off += kHeaderLength + length;
    if (!sink_status_.ok()) {
      failed_ = sink_status_;
      *used = off;
      return failed_;
    }
  }
  *used = off;
  return absl::OkStatus();
}

absl::Status MrtReader::Consume(std::string_view data) {
  if (!failed_.ok()) return failed_;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t n = data.size();
  if (!carry_.empty()) {
    // Complete the record started by an earlier call.
    if (carry_.size() < kHeaderLength) {
      size_t take = std::min(n, kHeaderLength - carry_.size());
      carry_.append(reinterpret_cast<const char*>(p), take);
      p += take;
      n -= take;
      if (carry_.size() < kHeaderLength) return absl::OkStatus();
    }
    uint32_t length = U32(reinterpret_cast<const uint8_t*>(carry_.data()) + 8);
    if (length > kMaxRecordLength) {
      size_t used = 0;
      return ConsumeRecords(reinterpret_cast<const uint8_t*>(carry_.data()), carry_.size(), &used);
    }
    size_t total = kHeaderLength + size_t{length};
    size_t take = std::min(n, total - carry_.size());
    carry_.append(reinterpret_cast<const char*>(p), take);
    p += take;
    n -= take;
    if (carry_.size() < total) return absl::OkStatus();
    size_t used = 0;
    absl::Status s =
        ConsumeRecords(reinterpret_cast<const uint8_t*>(carry_.data()), carry_.size(), &used);
    carry_.clear();
    if (!s.ok()) return s;
  }
  size_t used = 0;
  absl::Status s = ConsumeRecords(p, n, &used);
  if (!s.ok()) return s;
  carry_.assign(reinterpret_cast<const char*>(p + used), n - used);
  return absl::OkStatus();
}

absl::Status MrtReader::Finish() {
  if (!failed_.ok()) return failed_;
  if (!carry_.empty()) {
    std::string what =
        absl::StrCat("input ends inside a record (", carry_.size(), " bytes of it present)");
    uint16_t type =
        carry_.size() >= 8 ? U16(reinterpret_cast<const uint8_t*>(carry_.data()) + 4) : 0;
    uint16_t subtype =
        carry_.size() >= 8 ? U16(reinterpret_cast<const uint8_t*>(carry_.data()) + 6) : 0;
    NoteProblem(what.c_str(), type, subtype);
    stats_.truncated_bytes += carry_.size();
    ++stats_.malformed;
    carry_.clear();
  }
  return absl::OkStatus();
}

}  // namespace mm::netblocks
