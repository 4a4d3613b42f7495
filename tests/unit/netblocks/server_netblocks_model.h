#pragma once
// A model of how mirrorlist-server reads global_netblocks.txt at start-up (create_ip_tree in
// mirrorlist-server.rs; mirrorlist-server.md §1.2 step 4, cache-wire-format.md §5), to check
// that what mm2_get-netblocks writes loads there exactly as intended:
//  * the file is read as lines (`BufRead::lines`: split on "\n", one trailing "\r" dropped); a
//    byte that is not ASCII is treated as invalid UTF-8, which empties both tables (stricter than
//    the server, which accepts valid non-ASCII UTF-8: we never write any);
//  * a line is split on whitespace; field 1 must be a CIDR network (`IpNet::from_str`), else the
//    line is skipped; prefix length 0 is skipped; the later line of a prefix wins;
//  * the server PANICS on an empty (or blank) line, on a valid network without a second field,
//    and (tree-bitmap assertion) on a network with host bits set in its last partial nibble —
//    the model reports those as `hazard` (host bits anywhere count: canonical output has none);
//  * an empty IPv4 table means "Creating ASN cache failed. Exiting!" (`starts` false).
// Longest-prefix match as the server's lookup does it, returning the ASN text.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace mm::netblocks::testing {

class ServerNetblocksModel {
 public:
  // Loads file contents.
  explicit ServerNetblocksModel(const std::string& contents);

  // The first line that would stop the server at start-up (empty when none).
  const std::string& hazard() const { return hazard_; }
  // False when the server would refuse to start (empty IPv4 table).
  bool starts() const { return !v4_.empty(); }
  size_t ipv4_size() const { return v4_.size(); }
  size_t ipv6_size() const { return v6_.size(); }
  int skipped_lines() const { return skipped_; }

  // The ASN text of the longest prefix containing `address` (IPv4 or IPv6 text).
  std::optional<std::string> LongestMatch(const std::string& address) const;
  // The ASN text stored for exactly this network ("a.b.c.d/len"), if any.
  std::optional<std::string> Exact(const std::string& network) const;

 private:
  using Key = std::pair<std::array<uint8_t, 16>, int>;  // masked address, length
  std::map<Key, std::string> v4_, v6_;
  std::string hazard_;
  int skipped_ = 0;
};

}  // namespace mm::netblocks::testing
