#include "services/netblocks/netblock_table.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mm::netblocks {

NetblockTable::NetblockTable(size_t max_prefixes) : max_prefixes_(max_prefixes) {}
NetblockTable::~NetblockTable() = default;

absl::Status NetblockTable::TooMany() const {
  return absl::ResourceExhaustedError(
      absl::StrCat("more than ", max_prefixes_,
                   " distinct prefixes (NETBLOCKS_MAX_PREFIXES); a full routing table has "
                   "about 1.3 million: the input is not a plausible RIB dump"));
}

absl::Status NetblockTable::OnRoute(const Prefix& prefix, std::optional<uint32_t> origin) {
  ++stats_.routes;
  if (prefix.length == 0) {
    ++stats_.default_route;
    return absl::OkStatus();
  }
  if (!origin) {
    ++stats_.no_origin;
    return absl::OkStatus();
  }
  uint32_t* asn;
  if (prefix.family == Family::kIpv4) {
    uint64_t key = (uint64_t{prefix.V4()} << 8) | prefix.length;
    auto [it, inserted] = index_v4_.try_emplace(key, static_cast<uint32_t>(v4_.size()));
    if (inserted) {
      if (size() >= max_prefixes_) {
        index_v4_.erase(it);
        return TooMany();
      }
      v4_.push_back(V4Entry{key, *origin});
      return absl::OkStatus();
    }
    asn = &v4_[it->second].asn;
  } else {
    V6Key key{prefix.V6High(), prefix.V6Low(), prefix.length};
    auto [it, inserted] = index_v6_.try_emplace(key, static_cast<uint32_t>(v6_.size()));
    if (inserted) {
      if (size() >= max_prefixes_) {
        index_v6_.erase(it);
        return TooMany();
      }
      v6_.push_back(V6Entry{key, *origin});
      return absl::OkStatus();
    }
    asn = &v6_[it->second].asn;
  }
  ++stats_.duplicates;
  if (*asn != *origin) {
    ++stats_.replaced;
    *asn = *origin;
  }
  return absl::OkStatus();
}

void NetblockTable::Sort() {
  std::sort(v4_.begin(), v4_.end(),
            [](const V4Entry& a, const V4Entry& b) { return a.key < b.key; });
  std::sort(v6_.begin(), v6_.end(), [](const V6Entry& a, const V6Entry& b) {
    if (a.key.high != b.key.high) return a.key.high < b.key.high;
    if (a.key.low != b.key.low) return a.key.low < b.key.low;
    return a.key.length < b.key.length;
  });
  // Lines moved: point the index at their new places.
  for (size_t i = 0; i < v4_.size(); ++i) index_v4_[v4_[i].key] = static_cast<uint32_t>(i);
  for (size_t i = 0; i < v6_.size(); ++i) index_v6_[v6_[i].key] = static_cast<uint32_t>(i);
}

bool NetblockTable::Excluded(std::string_view line) {
  absl::string_view l(line.data(), line.size());
  return absl::StrContains(l, "2001::/32") || absl::StrContains(l, "Unknown") ||
         absl::StartsWith(l, "0.0/16") || absl::StartsWith(l, "10.0.0/16") ||
         absl::StartsWith(l, "000:206f");
}

namespace {

void AppendUint(uint32_t v, std::string& out) {
  char buf[12];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

// Appends "<prefix> <asn>\n" unless excluded; returns whether it was kept.
bool AppendLine(const Prefix& p, uint32_t asn, std::string& out) {
  size_t start = out.size();
  AppendPrefix(p, out);
  out.push_back(' ');
  AppendUint(asn, out);
  if (NetblockTable::Excluded(std::string_view(out).substr(start))) {
    out.resize(start);
    return false;
  }
  out.push_back('\n');
  return true;
}

}  // namespace

size_t NetblockTable::Render(std::string& out, size_t* ipv4_lines, size_t* ipv6_lines) {
  out.reserve(out.size() + v4_.size() * 24 + v6_.size() * 32);
  size_t n4 = 0, n6 = 0;
  stats_.excluded = 0;
  for (const V4Entry& e : v4_) {
    Prefix p;
    p.family = Family::kIpv4;
    p.length = static_cast<uint8_t>(e.key & 0xFF);
    uint32_t a = static_cast<uint32_t>(e.key >> 8);
    p.addr[0] = static_cast<uint8_t>(a >> 24);
    p.addr[1] = static_cast<uint8_t>(a >> 16);
    p.addr[2] = static_cast<uint8_t>(a >> 8);
    p.addr[3] = static_cast<uint8_t>(a);
    if (AppendLine(p, e.asn, out)) {
      ++n4;
    } else {
      ++stats_.excluded;
    }
  }
  for (const V6Entry& e : v6_) {
    Prefix p;
    p.family = Family::kIpv6;
    p.length = e.key.length;
    for (int i = 0; i < 8; ++i) {
      p.addr[i] = static_cast<uint8_t>(e.key.high >> (56 - 8 * i));
      p.addr[8 + i] = static_cast<uint8_t>(e.key.low >> (56 - 8 * i));
    }
    if (AppendLine(p, e.asn, out)) {
      ++n6;
    } else {
      ++stats_.excluded;
    }
  }
  if (ipv4_lines) *ipv4_lines = n4;
  if (ipv6_lines) *ipv6_lines = n6;
  return n4 + n6;
}

}  // namespace mm::netblocks
