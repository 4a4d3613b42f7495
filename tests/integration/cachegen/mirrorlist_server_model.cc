#include "tests/integration/cachegen/mirrorlist_server_model.h"

#include <arpa/inet.h>
#include <maxminddb.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mm::cachegen::testing {

namespace mc = ::mirrormanager;

namespace {

struct Addr {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};
  int bits() const { return family == AF_INET ? 32 : 128; }
};

// Rust's IpAddr::from_str: strict dotted quad (inet_pton rejects leading zeros and short
// forms) or IPv6 text without a zone.
std::optional<Addr> ParseAddr(const std::string& text) {
  Addr a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return std::nullopt;
}

}  // namespace

struct MirrorlistServerModel::Net {
  Addr addr;
  int len = 0;
  bool Contains(const Addr& a) const {
    if (a.family != addr.family) return false;
    for (int bit = 0; bit < len; ++bit) {
      int byte = bit / 8, mask = 0x80 >> (bit % 8);
      if ((a.bytes[byte] & mask) != (addr.bytes[byte] & mask)) return false;
    }
    return true;
  }
};

namespace {

using Net = MirrorlistServerModel::Net;

// ipnet's IpNet::from_str: "address/length", length in range; host bits allowed.
std::optional<Net> ParseCidr(const std::string& text) {
  size_t slash = text.find('/');
  if (slash == std::string::npos || text.find('/', slash + 1) != std::string::npos) {
    return std::nullopt;
  }
  auto addr = ParseAddr(text.substr(0, slash));
  std::string len = text.substr(slash + 1);
  if (!addr || len.empty() || len.size() > 3 ||
      !std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int n = std::stoi(len);
  if (n > addr->bits()) return std::nullopt;
  return Net{*addr, n};
}

std::string Upper(std::string s) { return absl::AsciiStrToUpper(s); }

}  // namespace

// Lookups over the cache, as the server does them.
struct MirrorlistServerModel::Impl {
  // String -> string maps: every matching value, joined (mirrorlist-server.md §4).
  static std::string Joined(const google::protobuf::RepeatedPtrField<mc::StringStringMap>& list,
                            const std::string& key) {
    std::string out;
    for (const auto& e : list) {
      if (e.key() == key) out += e.value();
    }
    return out;
  }
  static const mc::StringRepeatedIntMap* First(
      const google::protobuf::RepeatedPtrField<mc::StringRepeatedIntMap>& list,
      const std::string& key) {
    for (const auto& e : list) {
      if (e.key() == key) return &e;
    }
    return nullptr;
  }
  static const mc::IntRepeatedIntMap* ByHostId(const mc::MirrorListCacheType& d, int64_t id) {
    for (const auto& e : d.byhostid()) {
      if (e.key() == id) return &e;
    }
    return nullptr;
  }
  static const mc::MirrorListCacheType* Directory(const mc::MirrorList& c, const std::string& d) {
    for (const auto& e : c.mirrorlistcache()) {
      if (e.directory() == d) return &e;
    }
    return nullptr;
  }
};

MirrorlistServerModel::~MirrorlistServerModel() {
  if (mmdb_) MMDB_close(mmdb_.get());
}

absl::StatusOr<std::unique_ptr<MirrorlistServerModel>> MirrorlistServerModel::Load(
    const std::string& cache_path, const std::string& global_netblocks,
    const std::string& country_continent_csv, const std::string& geoip_mmdb, int minimum) {
  std::ifstream in(cache_path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("Opening ", cache_path, " failed"));
  std::stringstream bytes;
  bytes << in.rdbuf();
  mc::MirrorList cache;
  // ParseFromString fails on a missing required field anywhere, as rust-protobuf does.
  if (!cache.ParseFromString(bytes.str())) {
    return absl::DataLossError(absl::StrCat("Parsing ", cache_path, " failed"));
  }
  auto m =
      FromCache(std::move(cache), global_netblocks, country_continent_csv, geoip_mmdb, minimum);
  if (m.ok() && (*m)->continents_.empty()) {
    return absl::InvalidArgumentError("Parsing country continent data failed. Exiting!");
  }
  return m;
}

absl::StatusOr<std::unique_ptr<MirrorlistServerModel>> MirrorlistServerModel::FromCache(
    mc::MirrorList cache, const std::string& global_netblocks,
    const std::string& country_continent_csv, const std::string& geoip_mmdb, int minimum) {
  std::unique_ptr<MirrorlistServerModel> m(new MirrorlistServerModel());
  m->cache_ = std::move(cache);
  m->minimum_ = minimum;

  m->mmdb_ = std::make_unique<MMDB_s>();
  if (MMDB_open(geoip_mmdb.c_str(), MMDB_MODE_MMAP, m->mmdb_.get()) != MMDB_SUCCESS) {
    m->mmdb_.reset();
    return absl::NotFoundError(absl::StrCat("Reading GeoIP2 database ", geoip_mmdb, " failed"));
  }

  // §1.2 step 4 (lines as Rust's BufRead::lines gives them: no piece after a final newline).
  std::string text = global_netblocks;
  if (absl::EndsWith(text, "\n")) text.pop_back();
  std::vector<std::string> lines;
  if (!text.empty()) lines = absl::StrSplit(text, '\n');
  for (const auto& line : lines) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("global netblocks line '", line, "' panics the Rust server"));
    }
    auto net = ParseCidr(fields[0]);
    if (!net || net->len == 0) continue;
    bool replaced = false;
    for (auto& [existing, asn] : m->global_netblocks_) {
      if (existing->addr.family == net->addr.family && existing->len == net->len &&
          existing->addr.bytes == net->addr.bytes) {
        asn = fields[1];
        replaced = true;
      }
    }
    if (!replaced) m->global_netblocks_.emplace_back(std::make_unique<Net>(*net), fields[1]);
  }

  // §1.2 step 5: continents from the CSV, CountryContinentRedirectCache overriding.
  for (const auto& line : absl::StrSplit(country_continent_csv, '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (fields[0].size() != 2) continue;
    if (fields.size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat("CSV line '", line, "' panics the server"));
    }
    std::string redirect =
        Impl::Joined(m->cache_.countrycontinentredirectcache(), std::string(fields[0]));
    m->continents_[fields[0]] = redirect.empty() ? fields[1] : redirect;
  }
  return m;
}

std::vector<int64_t> MirrorlistServerModel::Response::HostsIn(const std::string& tier) const {
  std::vector<int64_t> out;
  for (const auto& h : hosts) {
    if (h.tier == tier) out.push_back(h.id);
  }
  return out;
}

std::vector<int64_t> MirrorlistServerModel::Response::HostIds() const {
  std::vector<int64_t> out;
  for (const auto& h : hosts) out.push_back(h.id);
  return out;
}

const MirrorlistServerModel::Host* MirrorlistServerModel::Response::Find(int64_t id) const {
  for (const auto& h : hosts) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

std::vector<std::string> MirrorlistServerModel::Response::UrlsOf(int64_t id) const {
  const Host* h = Find(id);
  return h == nullptr ? std::vector<std::string>() : h->urls;
}

absl::StatusOr<MirrorlistServerModel::Response> MirrorlistServerModel::Handle(
    const std::string& uri, const std::string& peer) const {
  Response r;
  const mc::MirrorList& c = cache_;

  // §1.4 routing and §2.1 query parsing (no percent-decoding; last duplicate wins).
  size_t q = uri.find('?');
  std::string path = uri.substr(0, q);
  std::string query = q == std::string::npos ? "" : uri.substr(q + 1);
  bool metalink;
  if (absl::EndsWith(path, "/metalink")) {
    metalink = true;
  } else if (absl::EndsWith(path, "/mirrorlist")) {
    metalink = false;
  } else {
    r.status = 404;
    r.body = "We don't serve their kind here!";
    return r;
  }
  std::map<std::string, std::string> params;
  for (const auto& piece : absl::StrSplit(query, '&')) {
    std::vector<std::string> kv = absl::StrSplit(piece, '=');
    params[kv[0]] = kv.size() > 1 ? kv[1] : "";
  }
  auto has = [&](const char* k) { return params.count(k) > 0; };

  // §2.2.
  if (!(has("repo") && has("arch")) && !has("path")) {
    r.body = "# either path=, or repo= and arch= must be specified";
    return r;
  }

  const mc::MirrorListCacheType* dir = nullptr;
  bool path_is_dir = false;
  if (has("path")) {
    // §2.3.
    std::vector<std::string> parts = absl::StrSplit(params["path"], '/', absl::SkipEmpty());
    std::string p = absl::StrJoin(parts, "/");
    r.header = absl::StrCat("# path = ", p, " ");
    dir = Impl::Directory(c, p);
    if (dir != nullptr) {
      path_is_dir = true;
      r.directory = p;
    } else {
      size_t slash = p.rfind('/');
      r.file = slash == std::string::npos ? p : p.substr(slash + 1);
      r.directory = slash == std::string::npos ? "" : p.substr(0, slash);
      dir = Impl::Directory(c, r.directory);
      if (dir == nullptr) {
        r.status = 404;
        r.body = "error: invalid path";
        return r;
      }
    }
  } else {
    // §2.4.
    std::string repo = params["repo"];
    std::string arch = absl::StrContains(repo, "source") ? "source" : params["arch"];
    std::string redirected = Impl::Joined(c.repositoryredirectcache(), repo);
    if (!redirected.empty()) repo = redirected;
    r.header = absl::StrCat("# repo = ", repo, " arch = ", arch, " ");
    for (const auto& e : c.disabledrepositorycache()) {
      if (e.key() != repo) continue;
      if (e.value()) {
        r.body = "repo disabled";
        return r;
      }
      break;
    }
    std::string name = Impl::Joined(c.repoarchtodirectoryname(), absl::StrCat(repo, "+", arch));
    if (name.empty()) {
      std::set<std::string> keys;
      for (const auto& e : c.repoarchtodirectoryname()) keys.insert(e.key());
      r.status = 404;
      r.body = absl::StrCat(
          r.header, "error: invalid repo or arch\n# following repositories are available:\n");
      for (const auto& k : keys) {
        std::vector<std::string> pa = absl::StrSplit(k, '+');
        if (pa.size() == 2) absl::StrAppend(&r.body, "# repo=", pa[0], "&arch=", pa[1], "\n");
      }
      return r;
    }
    if (metalink) {
      if (!absl::EndsWith(name, "/repodata")) name += "/repodata";
      r.file = "repomd.xml";
    } else {
      path_is_dir = true;
    }
    r.directory = name;
    dir = Impl::Directory(c, name);
    if (dir == nullptr) {
      r.status = 500;
      r.body = "mirrorlist cache index out of range, you broke it!";
      return r;
    }
  }

  // §2.5.
  std::string ip_text = has("ip") && !params["ip"].empty() ? params["ip"] : peer;
  std::optional<Addr> client = ParseAddr(ip_text);
  if (!client) {
    r.status = 500;
    r.body = "Cannot parse client IP address. Aborting.";
    return r;
  }

  // §2.6.
  std::vector<std::string> countries;
  if (has("country") && !params["country"].empty()) {
    std::set<std::string> s = absl::StrSplit(params["country"], ',');
    countries.assign(s.begin(), s.end());
  }

  // §2.7 step A.
  std::vector<std::pair<int, int64_t>> netblock_hosts;  // (prefix length, host)
  std::vector<int64_t> asn_hosts;
  if (countries.empty() && (!has("netblock") || params["netblock"] == "1")) {
    for (const auto& e : c.hostnetblockcache()) {
      std::optional<Net> net = ParseCidr(e.key());
      if (!net) {
        if (auto a = ParseAddr(e.key())) net = Net{*a, a->bits()};
      }
      if (!net || !net->Contains(*client)) continue;
      for (int64_t id : e.value()) {
        if (Impl::ByHostId(*dir, id) != nullptr) netblock_hosts.emplace_back(net->len, id);
      }
    }
    if (!netblock_hosts.empty()) r.header += "Using preferred netblock ";
    const std::string* asn = nullptr;
    int best = -1;
    for (const auto& [net, text] : global_netblocks_) {
      if (net->Contains(*client) && net->len > best) {
        best = net->len;
        asn = &text;
      }
    }
    if (asn != nullptr) {
      int64_t number = -1;
      if (!asn->empty() && std::all_of(asn->begin(), asn->end(), ::isdigit)) {
        number = std::stoll(*asn);
      }
      for (const auto& e : c.hostasncache()) {
        if (e.key() != number) continue;
        asn_hosts.assign(e.value().begin(), e.value().end());
        break;
      }
      if (!asn_hosts.empty()) absl::StrAppend(&r.header, "Using ASN ", *asn, " ");
    }
  }

  // §2.8 step B.
  r.client_country = "N/A";
  bool overridden = false;
  for (const auto& e : c.netblockcountrycache()) {
    std::optional<Net> net = ParseCidr(e.key());
    if (!net) break;  // the first key that is not CIDR ends the scan
    if (net->Contains(*client)) {
      r.client_country = e.value();
      overridden = true;
      break;
    }
  }
  if (!overridden) {
    int gai = 0, err = 0;
    MMDB_lookup_result_s res = MMDB_lookup_string(mmdb_.get(), ip_text.c_str(), &gai, &err);
    MMDB_entry_data_s data;
    if (gai == 0 && err == MMDB_SUCCESS && res.found_entry &&
        MMDB_get_value(&res.entry, &data, "country", "iso_code", nullptr) == MMDB_SUCCESS &&
        data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING) {
      r.client_country = std::string(data.utf8_string, data.data_size);
    }
  }

  // The allowed-country trim.
  auto trim = [&](std::vector<int64_t>& hosts) {
    std::vector<int64_t> kept;
    for (int64_t id : hosts) {
      bool keep = true;
      for (const auto& e : c.hostcountryallowedcache()) {
        if (e.key() != id) continue;
        keep = std::find(e.value().begin(), e.value().end(), r.client_country) != e.value().end();
        break;
      }
      if (keep) kept.push_back(id);
    }
    hosts = std::move(kept);
  };
  auto append = [](std::vector<int64_t>& to, const mc::StringRepeatedIntMap* e) {
    if (e != nullptr) to.insert(to.end(), e->value().begin(), e->value().end());
  };
  // Every other country of `country`'s continent that has hosts (§2.10, §2.12).
  auto continent_of = [&](const std::string& country, std::vector<int64_t>& to) {
    auto it = continents_.find(Upper(country));
    if (it == continents_.end()) return;
    for (const auto& [cc, continent] : continents_) {
      if (continent != it->second || cc == it->first) continue;
      const auto* e = Impl::First(dir->bycountry(), cc);
      if (e == nullptr) continue;
      append(to, e);
      absl::StrAppend(&r.header, "country = ", cc, " ");
    }
  };

  // §2.10 step C.
  std::vector<int64_t> country_hosts, continent_hosts, geoip_hosts, global_hosts;
  bool only_country = false;
  for (const auto& cc : countries) {
    if (absl::EqualsIgnoreCase(cc, "global")) {
      country_hosts.insert(country_hosts.end(), dir->global().begin(), dir->global().end());
      trim(country_hosts);
      r.header += "country = global ";
    }
    if (const auto* e = Impl::First(dir->bycountry(), Upper(cc))) {
      append(country_hosts, e);
      absl::StrAppend(&r.header, "country = ", cc, " ");
    }
  }
  if (!countries.empty() && country_hosts.empty()) {
    for (const auto& cc : countries) continent_of(cc, continent_hosts);
  }
  if (!country_hosts.empty() || !continent_hosts.empty()) {
    trim(country_hosts);
    trim(continent_hosts);
    only_country = true;
  }
  if (!only_country) {
    // §2.11 step D, §2.12 step E (neither trimmed).
    if (const auto* e = Impl::First(dir->bycountry(), Upper(r.client_country))) {
      append(geoip_hosts, e);
      absl::StrAppend(&r.header, "country = ", r.client_country, " ");
    }
    continent_of(r.client_country, continent_hosts);
  }

  // §2.15 URLs of one host; empty optional when the host has no ByHostId entry.
  auto urls_of = [&](int64_t id) -> std::optional<std::vector<std::string>> {
    const auto* e = Impl::ByHostId(*dir, id);
    if (e == nullptr) return std::nullopt;
    std::vector<std::string> urls;
    for (int64_t url_id : e->value()) {
      std::string url;
      for (const auto& u : c.hcurlcache()) {
        if (u.key() == url_id) {
          url = u.value();
          break;
        }
      }
      if (!dir->subpath().empty()) absl::StrAppend(&url, "/", dir->subpath());
      if (r.file.empty() && path_is_dir) url += "/";
      if (!r.file.empty()) {
        if (!absl::EndsWith(url, "/")) url += "/";
        url += r.file;
      }
      urls.push_back(std::move(url));
    }
    return urls;
  };
  // §2.16: keep URLs of any of `protocols`, at most `cap` per host.
  auto trim_protocols = [](std::vector<std::string>& urls, const std::set<std::string>& protocols,
                           size_t cap) {
    std::vector<std::string> kept;
    for (const auto& u : urls) {
      if (kept.size() >= cap) break;
      for (const auto& p : protocols) {
        if (absl::StartsWith(u, p + ":")) {
          kept.push_back(u);
          break;
        }
      }
    }
    urls = std::move(kept);
  };
  std::set<std::string> protocols;
  if (has("protocol")) protocols = absl::StrSplit(params["protocol"], ',');

  // §2.13 step F.
  std::vector<int64_t> candidates;
  std::set<int64_t> seen;
  auto add_candidates = [&](const std::vector<int64_t>& ids) {
    for (int64_t id : ids) {
      if (seen.insert(id).second) candidates.push_back(id);
    }
  };
  {
    std::vector<int64_t> nb;
    for (const auto& [len, id] : netblock_hosts) nb.push_back(id);
    add_candidates(nb);
  }
  for (const auto* list : {&asn_hosts, &country_hosts, &geoip_hosts, &continent_hosts}) {
    add_candidates(*list);
  }
  int count = 0;
  for (int64_t id : candidates) {
    auto urls = urls_of(id);
    if (!urls) continue;
    if (has("protocol")) trim_protocols(*urls, protocols, protocols.size());
    if (!urls->empty() || !has("protocol")) ++count;
  }
  if (count < minimum_ && !only_country) {
    global_hosts.assign(dir->global().begin(), dir->global().end());
    trim(global_hosts);
    r.header += "country = global ";
  }
  if (has("protocol")) absl::StrAppend(&r.header, "protocol = ", params["protocol"]);
  if (has("time")) absl::StrAppend(&r.header, "\n# database creation time: ", c.time());

  // §2.14 step G: most specific netblock first; the weighted tiers need positive weights.
  std::stable_sort(netblock_hosts.begin(), netblock_hosts.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::pair<std::string, std::vector<int64_t>>> tiers;
  tiers.emplace_back("netblocks", std::vector<int64_t>());
  for (const auto& [len, id] : netblock_hosts) tiers.back().second.push_back(id);
  tiers.emplace_back("asn", asn_hosts);
  tiers.emplace_back("country", country_hosts);
  tiers.emplace_back("geoip", geoip_hosts);
  tiers.emplace_back("continent", continent_hosts);
  tiers.emplace_back("global", global_hosts);
  for (const auto& [tier, ids] : tiers) {
    if (tier == "netblocks" || tier == "asn") continue;
    for (int64_t id : ids) {
      int64_t weight = 0;
      for (const auto& b : c.hostbandwidthcache()) {
        if (b.key() == id) {
          weight = b.value();
          break;
        }
      }
      if (weight <= 0) {
        return absl::InternalError(absl::StrCat("host ", id, " has weight ", weight, " in the ",
                                                tier, " tier: the Rust server panics"));
      }
    }
  }
  std::set<int64_t> placed;
  int index = 0;
  for (const auto& [tier, ids] : tiers) {
    for (int64_t id : ids) {
      if (!placed.insert(id).second) continue;
      auto urls = urls_of(id);
      if (!urls) continue;
      Host h;
      h.id = id;
      h.tier = tier;
      h.urls = std::move(*urls);
      h.preference = std::max(1, 100 - index++);
      for (const auto& e : c.hostcountrycache()) {
        if (e.key() == id) {
          h.location = Upper(e.value());
          break;
        }
      }
      h.is_private =
          std::find(dir->global().begin(), dir->global().end(), id) == dir->global().end();
      if (has("protocol")) trim_protocols(h.urls, protocols, protocols.size());
      if (!metalink && has("redirect")) {
        trim_protocols(h.urls, {"https", "http"}, 1);
      } else if (!metalink && !has("protocol")) {
        trim_protocols(h.urls, {"https", "http", "ftp"}, 1);
      }
      if (!h.urls.empty()) r.hosts.push_back(std::move(h));
    }
  }

  if (metalink) {
    // §2.20.
    for (const auto& d : c.filedetailscache()) {
      if (d.directory() != r.directory) continue;
      for (const auto& f : d.filedetailscachefiles()) {
        if (f.filename() == r.file) {
          r.file_details.insert(r.file_details.end(), f.filedetails().begin(),
                                f.filedetails().end());
        }
      }
      break;
    }
    if (r.file_details.empty()) {
      r.status = 404;
      r.body = absl::StrCat(r.directory, "/", r.file, " not found or has not metalink");
    }
    return r;
  }
  if (has("redirect")) {
    for (const auto& h : r.hosts) {
      for (const auto& u : h.urls) {
        if (absl::StartsWith(u, "http")) {
          r.status = 302;
          r.redirect = u;
          return r;
        }
      }
    }
    r.status = 404;
    return r;
  }
  r.body = r.header + "\n";
  for (const auto& h : r.hosts) {
    for (const auto& u : h.urls) absl::StrAppend(&r.body, u, "\n");
  }
  return r;
}

}  // namespace mm::cachegen::testing
