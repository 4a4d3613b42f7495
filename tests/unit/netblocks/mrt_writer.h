#pragma once
// A small MRT (RFC 6396) writer for tests and the benchmark: TABLE_DUMP_V2 PEER_INDEX_TABLE and
// RIB_IPV4/IPV6_UNICAST records, legacy TABLE_DUMP records (2- and 4-byte AS variants), path
// attributes with AS_PATH/AS4_PATH segments, and raw records for malformed input. Plus bzip2 and
// gzip helpers. Independent of the reader under test: it encodes from the RFC, not from our
// parser's code.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mm::netblocks::testing {

enum SegmentType : uint8_t { kAsSet = 1, kAsSequence = 2, kAsConfedSequence = 3, kAsConfedSet = 4 };

struct Segment {
  uint8_t type = kAsSequence;
  std::vector<uint32_t> ases;
};

struct Attributes {
  bool has_as_path = true;
  std::vector<Segment> as_path;
  std::optional<std::vector<Segment>> as4_path;  // always encoded with 4-byte ASes
  uint8_t origin = 0;                            // IGP
  uint32_t next_hop = 0x0A000001;
  std::optional<uint32_t> med;
  std::vector<uint32_t> communities;
  bool extended_length_as_path = true;  // AS_PATH flag 0x50 (extended length) vs 0x40
  bool as_path_first = false;           // put AS_PATH before ORIGIN
};

// Encodes a path attribute list. `as_size` is 2 or 4 (bytes per AS in AS_PATH).
std::string EncodeAttributes(const Attributes& attrs, int as_size);
// Encodes AS path segments.
std::string EncodeSegments(const std::vector<Segment>& segments, int as_size);

struct Peer {
  uint32_t bgp_id = 0;
  bool ipv6 = false;
  std::string address;  // 4 or 16 raw bytes; empty = zeros
  uint32_t as = 0;
  bool as4 = true;
};

struct RibEntry {
  uint16_t peer_index = 0;
  uint32_t originated = 1700000000;
  Attributes attrs;
  std::string raw_attrs;  // when non-empty, used instead of `attrs`
};

class MrtWriter {
 public:
  explicit MrtWriter(uint32_t timestamp = 1700000000) : timestamp_(timestamp) {}

  void PeerIndexTable(uint32_t collector_id, const std::string& view_name,
                      const std::vector<Peer>& peers);
  // `prefix` holds the network in network byte order (4 or 16 bytes); only the first
  // (length + 7) / 8 bytes are written, as RFC 6396 §4.3.2 says.
  void RibUnicast(bool ipv6, uint32_t sequence, const std::string& prefix, uint8_t length,
                  const std::vector<RibEntry>& entries);
  // Legacy TABLE_DUMP; subtype 1 (IPv4) / 2 (IPv6) use 2-byte ASes, 3 / 4 4-byte ASes.
  void TableDump(uint16_t subtype, uint16_t sequence, const std::string& prefix, uint8_t length,
                 uint32_t peer_as, const Attributes& attrs);
  // Any record; `length` overrides the length field when set.
  void Raw(uint16_t type, uint16_t subtype, const std::string& body,
           std::optional<uint32_t> length = std::nullopt);

  const std::string& data() const { return data_; }
  std::string Take() {
    std::string out;
    out.swap(data_);
    return out;
  }

 private:
  uint32_t timestamp_;
  std::string data_;
};

// Address helpers: "192.0.2.0" -> 4 raw bytes, "2001:db8::" -> 16 raw bytes.
std::string V4(const std::string& text);
std::string V6(const std::string& text);

std::string Bzip2(const std::string& data, int block_size_100k = 9);
std::string Gzip(const std::string& data);

bool WriteFile(const std::string& path, const std::string& data);
std::string ReadFile(const std::string& path);

}  // namespace mm::netblocks::testing
