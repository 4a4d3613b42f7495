#include "services/netblocks/netblock_table.h"

#include <algorithm>

#include "absl/strings/match.h"

namespace mm::netblocks {

NetblockTable::NetblockTable() = default;
NetblockTable::~NetblockTable() = default;

void NetblockTable::OnRoute(const Prefix& prefix, std::optional<uint32_t> origin) {
  ++stats_.routes;
  if (prefix.family == Family::kIpv4) {
    uint64_t key = (uint64_t{prefix.V4()} << 8) | prefix.length;
    if (!seen_v4_.insert(key).second) {
      ++stats_.duplicates;
      return;
    }
    if (prefix.length == 0) {
      ++stats_.default_route;
      return;
    }
    if (!origin) {
      ++stats_.no_origin;
      return;
    }
    v4_.push_back(V4Entry{key, *origin});
  } else {
    V6Key key{prefix.V6High(), prefix.V6Low(), prefix.length};
    if (!seen_v6_.insert(key).second) {
      ++stats_.duplicates;
      return;
    }
    if (prefix.length == 0) {
      ++stats_.default_route;
      return;
    }
    if (!origin) {
      ++stats_.no_origin;
      return;
    }
    v6_.push_back(V6Entry{key, *origin});
  }
}

void NetblockTable::Sort() {
  std::sort(v4_.begin(), v4_.end(),
            [](const V4Entry& a, const V4Entry& b) { return a.key < b.key; });
  std::sort(v6_.begin(), v6_.end(), [](const V6Entry& a, const V6Entry& b) {
    if (a.key.high != b.key.high) return a.key.high < b.key.high;
    if (a.key.low != b.key.low) return a.key.low < b.key.low;
    return a.key.length < b.key.length;
  });
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
