#pragma once
// Checksum files next to ISOs and images (mm2-backend.md §1.7): which file names are checksum
// files of which algorithm, and how their lines are read.
//
// Name patterns (regular expressions matched from the start of the name, as upstream):
//   MD5     .*\.md5sum   MD5SUM   md5sum.txt
//   SHA1    .*\.sha1sum  SHA1SUM  sha1sum.txt
//   SHA256  .*-CHECKSUM  sha256sum.txt
//   SHA512  .*\.sha512sum SHA512SUM sha512sum.txt
// Line formats: GNU "HASH [*]FILENAME" (two tokens) and BSD "ALGO (FILENAME) = HASH" (four
// tokens). The hash must have the algorithm's length and be hexadecimal; anything else (PGP
// armour, comments, other algorithms) is ignored.

#include <map>
#include <string>
#include <string_view>

namespace mm::umdl {

enum class HashAlgo { kNone = -1, kMd5 = 0, kSha1 = 1, kSha256 = 2, kSha512 = 3 };

// The algorithm a file of this name lists, or kNone.
HashAlgo ChecksumFileAlgo(std::string_view filename);
// 32, 40, 64, 128.
size_t HexLength(HashAlgo algo);
const char* AlgoName(HashAlgo algo);  // "MD5", "SHA1", "SHA256", "SHA512"

struct ChecksumParseStats {
  size_t entries = 0;  // lines accepted
  size_t ignored = 0;  // non-empty lines that are not entries
};

// File name -> hash (later lines win). At most `max_entries` entries are kept.
std::map<std::string, std::string> ParseChecksumFile(std::string_view contents, HashAlgo algo,
                                                     ChecksumParseStats* stats = nullptr,
                                                     size_t max_entries = 100'000);

}  // namespace mm::umdl
