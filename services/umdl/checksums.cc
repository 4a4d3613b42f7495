#include "services/umdl/checksums.h"

#include <vector>

#include "absl/strings/ascii.h"

namespace mm::umdl {
namespace {

// Regex "prefix" match where '.' in `pattern` matches any character (upstream uses re.match).
bool MatchesAt(std::string_view name, size_t at, std::string_view pattern) {
  if (name.size() < at + pattern.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '.' && pattern[i] != name[at + i]) return false;
  }
  return true;
}
bool StartsWithPattern(std::string_view name, std::string_view pattern) {
  return MatchesAt(name, 0, pattern);
}
// ".*X": X (literal) anywhere.
bool ContainsLiteral(std::string_view name, std::string_view literal) {
  return name.find(literal) != std::string_view::npos;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

HashAlgo ChecksumFileAlgo(std::string_view n) {
  if (ContainsLiteral(n, ".md5sum") || StartsWithPattern(n, "MD5SUM") ||
      StartsWithPattern(n, "md5sum.txt")) {
    return HashAlgo::kMd5;
  }
  if (ContainsLiteral(n, ".sha1sum") || StartsWithPattern(n, "SHA1SUM") ||
      StartsWithPattern(n, "sha1sum.txt")) {
    return HashAlgo::kSha1;
  }
  if (ContainsLiteral(n, "-CHECKSUM") || StartsWithPattern(n, "sha256sum.txt")) {
    return HashAlgo::kSha256;
  }
  if (ContainsLiteral(n, ".sha512sum") || StartsWithPattern(n, "SHA512SUM") ||
      StartsWithPattern(n, "sha512sum.txt")) {
    return HashAlgo::kSha512;
  }
  return HashAlgo::kNone;
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
    size_t end = contents.find('\n', pos);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(pos, end - pos);
    pos = end + 1;
    tok.clear();
    size_t i = 0;
    while (i < line.size() && tok.size() < 5) {
      while (i < line.size() && absl::ascii_isspace(static_cast<unsigned char>(line[i]))) ++i;
      size_t j = i;
      while (j < line.size() && !absl::ascii_isspace(static_cast<unsigned char>(line[j]))) ++j;
      if (j > i) tok.push_back(line.substr(i, j - i));
      i = j;
    }
    if (tok.empty()) continue;
    std::string_view hash, name;
    if (tok.size() == 2) {
      hash = tok[0];
      name = tok[1];
      if (!name.empty() && name.front() == '*') name.remove_prefix(1);
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
