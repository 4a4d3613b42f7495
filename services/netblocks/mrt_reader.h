#pragma once
// A streaming reader of MRT routing table dumps (RFC 6396) that reports, for every prefix of a
// RIB, its origin AS. Only what the netblocks job needs is decoded:
//
//  * TABLE_DUMP_V2 (type 13): PEER_INDEX_TABLE (checked, otherwise unused), RIB_IPV4_UNICAST and
//    RIB_IPV6_UNICAST. Attributes of RIB entries carry 4-byte AS numbers (RFC 6396 §4.3.4).
//  * Legacy TABLE_DUMP (type 12): subtypes AFI_IPv4 (1) and AFI_IPv6 (2) with 2-byte AS numbers,
//    and the 4-byte variants 3 and 4 that Zebra/Quagga and bgpdump know.
//  * Every other record is skipped by its length and counted (known types as "ignored", unknown
//    types and subtypes as "unknown"), as are multicast and ADD-PATH RIBs, which upstream
//    (mrtparse + a subtype filter) skips as well.
//
// Origin AS (upstream's rule, mm2-backend.md §3): the FIRST RIB entry of a TABLE_DUMP_V2 record,
// its AS_PATH attribute, the first AS_SEQUENCE segment, the LAST AS number in it. Adjacent
// AS_SEQUENCE segments count as one sequence: a sequence longer than 255 ASes must be split into
// several segments, and the AS4_PATH merge below yields two adjacent ones; treating them as one
// gives the real origin and matches bgpdump's text output (where they are indistinguishable).
// A path without an AS_SEQUENCE (empty, or only sets/confederation segments) has no origin.
// A legacy TABLE_DUMP record is one (prefix, peer) entry; its AS_PATH is read the same way.
//
// AS4_PATH (RFC 6793 §4.2.3): only meaningful where AS_PATH has 2-byte AS numbers (legacy
// TABLE_DUMP subtypes 1 and 2). If AS_PATH has at least as many ASes as AS4_PATH (sets count as
// one, confederation segments as none), the leading ASes of AS_PATH are prepended to AS4_PATH and
// the result is used; otherwise, and when AS4_PATH is malformed or contains confederation
// segments, AS4_PATH is ignored ("attribute discard", RFC 7606). With 4-byte AS_PATHs
// (TABLE_DUMP_V2, legacy subtypes 3 and 4) AS4_PATH is ignored, as bgpdump does.
//
// Bad input never stops the reader unless framing is lost: a record whose inner lengths do not
// add up, whose prefix length exceeds 32/128, or whose AS_PATH is malformed is counted as
// malformed and skipped. A record header announcing more than kMaxRecordLength bytes means the
// stream cannot be resynchronised (MRT has no sync marks): Consume() then returns DATA_LOSS.
// Bytes left over at the end (a truncated last record) are counted and reported by Finish().
//
// Thread-safety: none; one reader per stream.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "services/netblocks/prefix.h"

namespace mm::netblocks {

// Receives one call per RIB record used (TABLE_DUMP_V2 unicast RIB, or a legacy TABLE_DUMP
// entry). `origin` is empty when the path has no AS_SEQUENCE. An error stops the reader:
// Consume() returns it, and so does every later call.
class RouteSink {
 public:
  virtual ~RouteSink() = default;
  virtual absl::Status OnRoute(const Prefix& prefix, std::optional<uint32_t> origin) = 0;
};

struct MrtStats {
  uint64_t bytes = 0;    // input bytes consumed (complete records)
  uint64_t records = 0;  // complete records seen
  uint64_t peer_index_tables = 0;
  uint64_t rib_ipv4 = 0;  // records reported to the sink, per family
  uint64_t rib_ipv6 = 0;
  uint64_t no_origin = 0;        // reported records whose path has no AS_SEQUENCE
  uint64_t ignored = 0;          // well-formed records of types/subtypes not used
  uint64_t unknown = 0;          // records of unknown type or subtype
  uint64_t malformed = 0;        // records skipped because their contents are inconsistent
  uint64_t truncated_bytes = 0;  // trailing bytes that did not make up a whole record

  uint64_t skipped() const { return unknown + malformed; }
  MrtStats& operator+=(const MrtStats& o);
};

class MrtReader {
 public:
  // Largest record accepted. Real RIB records are a few KiB; a PEER_INDEX_TABLE with thousands
  // of peers stays well below this.
  static constexpr uint32_t kMaxRecordLength = 16u << 20;

  // `sink` must outlive the reader.
  explicit MrtReader(RouteSink& sink);
  ~MrtReader();
  MrtReader(const MrtReader&) = delete;
  MrtReader& operator=(const MrtReader&) = delete;

  // Feeds the next bytes of the stream; records may span calls. DATA_LOSS when framing is lost,
  // or the sink's error (after that every call returns the same error).
  absl::Status Consume(std::string_view data);
  // End of input. Leftover bytes of an incomplete record are counted in truncated_bytes and
  // the record in malformed; returns OK (the caller decides what a truncated dump means) and
  // sets `warning()`.
  absl::Status Finish();

  const MrtStats& stats() const { return stats_; }
  // A human-readable note about the first problems seen (empty when none); for the log.
  const std::string& warning() const { return warning_; }

 private:
  void ParseRecord(uint16_t type, uint16_t subtype, const uint8_t* body, uint32_t length);
  bool ParseRibV2(bool ipv6, const uint8_t* body, uint32_t length);
  bool ParsePeerIndexTable(const uint8_t* body, uint32_t length);
  bool ParseTableDump(uint16_t subtype, const uint8_t* body, uint32_t length);
  void NoteProblem(const char* what, uint16_t type, uint16_t subtype);
  absl::Status ConsumeRecords(const uint8_t* data, size_t size, size_t* used);

  RouteSink& sink_;
  MrtStats stats_;
  std::string carry_;  // an incomplete record carried over to the next Consume()
  absl::Status failed_;
  absl::Status sink_status_;  // the last OnRoute result
  std::string warning_;
  int problems_noted_ = 0;
};

// The origin AS of an AS_PATH attribute value (`as_size` 2 or 4 bytes per AS), merged with an
// AS4_PATH value when `as4_path` is non-null and `as_size` is 2 (see the header comment).
// Returns false when the AS_PATH is malformed; `*origin` is empty when there is no AS_SEQUENCE.
// Exposed for tests.
bool OriginFromPaths(const uint8_t* as_path, size_t as_path_len, int as_size,
                     const uint8_t* as4_path, size_t as4_path_len, std::optional<uint32_t>* origin);

}  // namespace mm::netblocks
