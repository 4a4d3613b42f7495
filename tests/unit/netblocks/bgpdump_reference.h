#pragma once
// Debian's bgpdump (/usr/bin/bgpdump, the reference MRT reader) run on a file, its `-m` lines
// reduced to prefix -> origin AS with the same rules our table applies:
//  * a TABLE_DUMP2 record prints one line per RIB entry, in order: the first line of a run of
//    lines with the same prefix text is the record's (its first entry's); a legacy TABLE_DUMP
//    line is a record of its own;
//  * the LAST record of a prefix that has an origin decides (mirrorlist-server keeps the later
//    of two lines); the prefix keeps the position of its first such record;
//  * origin = last AS of the first run of plain AS numbers in the AS path text (sets "{..}" and
//    confederation segments "(..)"/"[..]" end a run); no run = no origin = not listed;
//  * prefixes are canonicalised (host bits cleared), /0 is dropped, upstream's exclusion
//    patterns are applied to "<prefix> <asn>".

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mm::netblocks::testing {

inline constexpr char kBgpdump[] = "/usr/bin/bgpdump";

struct ReferenceTable {
  // In first-seen order, values as decided by the last record.
  std::vector<std::pair<std::string, uint32_t>> entries;
  int lines = 0;
  std::string error;  // non-empty when bgpdump could not be run
};

ReferenceTable BgpdumpOrigins(const std::string& path);

// The origin AS of a bgpdump AS path text, by the rule above.
bool OriginFromText(const std::string& as_path, uint32_t* origin);

// "a b\n" lines of an output file, in order.
std::vector<std::pair<std::string, uint32_t>> ReadNetblocksFile(const std::string& path);

}  // namespace mm::netblocks::testing
