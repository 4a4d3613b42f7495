#pragma once
// Checksum files next to ISOs and images (mm2-backend.md §1.7): which file names are checksum
// files of which algorithm, and how their lines are read.
//
// Name patterns (Python regular expressions matched from the start of the name with re.match, as
// upstream; '.' is any character but a newline, and the match need not reach the name's end):
//   MD5     .*\.md5sum   MD5SUM   md5sum.txt
//   SHA1    .*\.sha1sum  SHA1SUM  sha1sum.txt
//   SHA256  .*-CHECKSUM  sha256sum.txt
//   SHA512  .*\.sha512sum SHA512SUM sha512sum.txt
// A name may match the patterns of several algorithms ("MD5SUM.sha1sum"): the file is then read
// once for each of them, as upstream.
// Line formats (lines end at "\n", "\r\n" or "\r", as Python's text mode): GNU "HASH [*]FILENAME"
// (two tokens; leading '*'s are stripped) and BSD "ALGO (FILENAME) = HASH" (four tokens). The
// hash must have the algorithm's length and be hexadecimal; anything else (PGP armour, comments,
// other algorithms) is ignored.

#include <map>
#include <string>
#include <string_view>

namespace mm::umdl {

enum class HashAlgo { kNone = -1, kMd5 = 0, kSha1 = 1, kSha256 = 2, kSha512 = 3 };

inline constexpr HashAlgo kHashAlgos[] = {HashAlgo::kMd5, HashAlgo::kSha1, HashAlgo::kSha256,
                                          HashAlgo::kSha512};

// How many name patterns `algo` has, and whether `filename` matches the `index`th of them (in
// the order above). Upstream collects an algorithm's files pattern by pattern and merges their
// lists in that order (a later list wins for a file named twice).
size_t ChecksumPatternCount(HashAlgo algo);
bool MatchesChecksumPattern(std::string_view filename, HashAlgo algo, size_t index);
// Whether `filename` matches a pattern of any algorithm.
bool IsChecksumFileName(std::string_view filename);
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
