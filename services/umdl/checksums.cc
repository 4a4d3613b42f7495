#include "services/umdl/checksums.h"

#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"

namespace mm::umdl {
namespace {

// One upstream name pattern: ".*LITERAL" (`anywhere`) or a pattern matched at the start of the
// name in which '.' stands for any character but a newline.
struct NamePattern {
  bool anywhere;
  std::string_view text;
};

constexpr NamePattern kMd5Patterns[] = {
    {true, ".md5sum"}, {false, "MD5SUM"}, {false, "md5sum.txt"}};
constexpr NamePattern kSha1Patterns[] = {
    {true, ".sha1sum"}, {false, "SHA1SUM"}, {false, "sha1sum.txt"}};
constexpr NamePattern kSha256Patterns[] = {{true, "-CHECKSUM"}, {false, "sha256sum.txt"}};
constexpr NamePattern kSha512Patterns[] = {
    {true, ".sha512sum"}, {false, "SHA512SUM"}, {false, "sha512sum.txt"}};

std::pair<const NamePattern*, size_t> PatternsOf(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kMd5:
      return {kMd5Patterns, std::size(kMd5Patterns)};
    case HashAlgo::kSha1:
      return {kSha1Patterns, std::size(kSha1Patterns)};
    case HashAlgo::kSha256:
      return {kSha256Patterns, std::size(kSha256Patterns)};
    case HashAlgo::kSha512:
      return {kSha512Patterns, std::size(kSha512Patterns)};
    case HashAlgo::kNone:
      break;
  }
  return {nullptr, 0};
}

bool Matches(std::string_view name, const NamePattern& p) {
  if (p.anywhere) {
    // ".*" does not cross a newline: the literal must start on the name's first line.
    size_t at = name.find(p.text);
    return at != std::string_view::npos && name.substr(0, at).find('\n') == std::string_view::npos;
  }
  if (name.size() < p.text.size()) return false;
  for (size_t i = 0; i < p.text.size(); ++i) {
    if (p.text[i] == '.' ? name[i] == '\n' : p.text[i] != name[i]) return false;
  }
  return true;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Python's str.split() separators among single bytes: ASCII whitespace and \x1c-\x1f.
bool IsSplitSpace(unsigned char c) { return absl::ascii_isspace(c) || (c >= 0x1c && c <= 0x1f); }

}  // namespace

size_t ChecksumPatternCount(HashAlgo algo) { return PatternsOf(algo).second; }

bool MatchesChecksumPattern(std::string_view filename, HashAlgo algo, size_t index) {
  auto [patterns, n] = PatternsOf(algo);
  return index < n && Matches(filename, patterns[index]);
}

bool IsChecksumFileName(std::string_view filename) {
  for (HashAlgo algo : kHashAlgos) {
    for (size_t i = 0; i < ChecksumPatternCount(algo); ++i) {
      if (MatchesChecksumPattern(filename, algo, i)) return true;
    }
  }
  return false;
}

size_t HexLength(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kMd5:
      return 32;
    case HashAlgo::kSha1:
      return 40;
    case HashAlgo::kSha256:
      return 64;
    case HashAlgo::kSha512:
      return 128;
    case HashAlgo::kNone:
      break;
  }
  return 0;
}

const char* AlgoName(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kMd5:
      return "MD5";
    case HashAlgo::kSha1:
      return "SHA1";
    case HashAlgo::kSha256:
      return "SHA256";
    case HashAlgo::kSha512:
      return "SHA512";
    case HashAlgo::kNone:
      break;
  }
  return "?";
}

std::map<std::string, std::string> ParseChecksumFile(std::string_view contents, HashAlgo algo,
                                                     ChecksumParseStats* stats,
                                                     size_t max_entries) {
  std::map<std::string, std::string> out;
  ChecksumParseStats local;
  if (stats == nullptr) stats = &local;
  const size_t want = HexLength(algo);
  if (want == 0) return out;
  size_t pos = 0;
  std::vector<std::string_view> tok;
  while (pos < contents.size()) {
    // Lines end at "\n", "\r\n" or a lone "\r" (Python's universal newlines).
    size_t end = contents.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(pos, end - pos);
    pos = end + 1;
    if (end < contents.size() && contents[end] == '\r' && pos < contents.size() &&
        contents[pos] == '\n') {
      ++pos;
    }
    tok.clear();
    size_t i = 0;
    while (i < line.size() && tok.size() < 5) {
      while (i < line.size() && IsSplitSpace(static_cast<unsigned char>(line[i]))) ++i;
      size_t j = i;
      while (j < line.size() && !IsSplitSpace(static_cast<unsigned char>(line[j]))) ++j;
      if (j > i) tok.push_back(line.substr(i, j - i));
      i = j;
    }
    if (tok.empty()) continue;
    std::string_view hash, name;
    if (tok.size() == 2) {
      hash = tok[0];
      name = tok[1];
      // Python's lstrip("*"): every leading '*'.
      while (!name.empty() && name.front() == '*') name.remove_prefix(1);
    } else if (tok.size() == 4 && tok[0] == AlgoName(algo) && tok[2] == "=" && tok[1].size() >= 2 &&
               tok[1].front() == '(' && tok[1].back() == ')') {
      name = tok[1].substr(1, tok[1].size() - 2);
      hash = tok[3];
    } else {
      ++stats->ignored;
      continue;
    }
    if (hash.size() != want || !IsHex(hash) || name.empty()) {
      ++stats->ignored;
      continue;
    }
    if (out.size() >= max_entries && out.find(std::string(name)) == out.end()) {
      ++stats->ignored;
      continue;
    }
    out[std::string(name)] = std::string(hash);
    ++stats->entries;
  }
  return out;
}

}  // namespace mm::umdl
