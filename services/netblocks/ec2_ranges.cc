#include "services/netblocks/ec2_ranges.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "services/netblocks/prefix.h"

namespace mm::netblocks {
namespace {

constexpr int kMaxDepth = 64;

// Nesting depth of brackets outside strings; nlohmann's parser recurses per level.
bool NestingWithin(std::string_view s, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

void ReadArray(const nlohmann::json& doc, const char* array, const char* field, bool ipv6,
               IpRanges& out) {
  auto it = doc.find(array);
  if (it == doc.end() || !it->is_array()) return;
  for (const auto& item : *it) {
    if (!item.is_object()) {
      ++out.skipped;
      continue;
    }
    auto p = item.find(field);
    auto r = item.find("region");
    auto s = item.find("service");
    if (p == item.end() || r == item.end() || s == item.end() || !p->is_string() ||
        !r->is_string() || !s->is_string()) {
      ++out.skipped;
      continue;
    }
    IpRange range{p->get<std::string>(), r->get<std::string>(), s->get<std::string>(), ipv6};
    Prefix parsed;
    if (!ParsePrefix(range.prefix, &parsed) || (parsed.family == Family::kIpv6) != ipv6) {
      ++out.skipped;
      continue;
    }
    out.ranges.push_back(std::move(range));
  }
}

}  // namespace

absl::StatusOr<IpRanges> ParseIpRanges(std::string_view json) {
  if (json.size() > kMaxIpRangesBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("ranges document larger than ", kMaxIpRangesBytes, " bytes"));
  }
  if (!NestingWithin(json, kMaxDepth)) {
    return absl::InvalidArgumentError("ranges document nested too deeply");
  }
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("ranges document is not valid JSON");
  if (!doc.is_object()) return absl::InvalidArgumentError("ranges document is not a JSON object");
  auto prefixes = doc.find("prefixes");
  if (prefixes == doc.end() || !prefixes->is_array()) {
    return absl::InvalidArgumentError("ranges document has no \"prefixes\" array");
  }
  IpRanges out;
  ReadArray(doc, "prefixes", "ip_prefix", false, out);
  ReadArray(doc, "ipv6_prefixes", "ipv6_prefix", true, out);
  return out;
}

}  // namespace mm::netblocks
