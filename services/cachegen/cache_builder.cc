#include "services/cachegen/cache_builder.h"

#include <algorithm>
#include <condition_variable>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "mirrormanager/cache/mirrormanager.pb.h"
#include "mirrormanager/catalog/v1/cache_export.pb.h"
#include "services/cachegen/cache_writer.h"
#include "services/cachegen/netblock.h"
#include "services/cachegen/resolver.h"
#include "services/cachegen/text_util.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"

namespace mm::cachegen {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
namespace mc = ::mirrormanager;

// Snapshot sections in stream order (cache_export.proto).
enum class Section : int {
  kNone = 0,
  kHeader,
  kArches,
  kCategories,
  kDirectories,
  kHosts,
  kHostCategories,
  kHostCategoryUrls,
  kHostCountryAllowed,
  kHostCountries,
  kHostNetblocks,
  kHostPeerAsns,
  kCategoryDirectories,
  kRepositories,
  kRepositoryRedirects,
  kCountryContinentRedirects,
  kNetblockCountries,
  kHostCategoryDirs,
  kFileDetails,
  kTrailer,
};

// Names as in the trailer's row counts (the chunk's field names).
const char* SectionName(Section s) {
  switch (s) {
    case Section::kArches:
      return "arches";
    case Section::kCategories:
      return "categories";
    case Section::kDirectories:
      return "directories";
    case Section::kHosts:
      return "hosts";
    case Section::kHostCategories:
      return "host_categories";
    case Section::kHostCategoryUrls:
      return "host_category_urls";
    case Section::kHostCountryAllowed:
      return "host_country_allowed";
    case Section::kHostCountries:
      return "host_countries";
    case Section::kHostNetblocks:
      return "host_netblocks";
    case Section::kHostPeerAsns:
      return "host_peer_asns";
    case Section::kCategoryDirectories:
      return "category_directories";
    case Section::kRepositories:
      return "repositories";
    case Section::kRepositoryRedirects:
      return "repository_redirects";
    case Section::kCountryContinentRedirects:
      return "country_continent_redirects";
    case Section::kNetblockCountries:
      return "netblock_countries";
    case Section::kHostCategoryDirs:
      return "host_category_dirs";
    case Section::kFileDetails:
      return "file_details";
    case Section::kHeader:
      return "header";
    case Section::kTrailer:
      return "trailer";
    case Section::kNone:
      break;
  }
  return "";
}

// bandwidth_int NULL: the column's default (MirrorManager2's model default).
constexpr int64_t kDefaultBandwidth = 100;
constexpr int64_t kMinBandwidth = 1;
constexpr int64_t kMaxBandwidth = 10000;

// Reasons in BuildStats::dropped (and the metric label).
constexpr char kInvalidUtf8[] = "invalid_utf8";
constexpr char kDuplicateKey[] = "duplicate_key";
constexpr char kNetblockUnparsable[] = "netblock_unparsable";
constexpr char kNetblockUnresolved[] = "netblock_unresolved";
constexpr char kNetblockCountryNotCidr[] = "netblock_country_not_cidr";
constexpr char kOutsideTopdir[] = "directory_outside_topdir";
constexpr char kUnknownReference[] = "unknown_reference";
constexpr int64_t kMaxLoggedInvalidUtf8 = 20;

struct Host {
  int64_t id = 0;
  std::string country;  // upper-cased; empty when unset or not UTF-8
  int64_t bandwidth = kDefaultBandwidth;
  std::optional<int64_t> asn;
  bool asn_clients = false;
  int64_t max_connections = 0;
  bool active = false;
  bool is_private = false;
  bool internet2 = false;
  bool internet2_clients = false;
};

struct HostCategory {
  int64_t id = 0;
  int32_t host = -1;  // index into hosts; -1 = no such host (or host without a site)
  bool always_up2date = false;
  // Public URLs: https, http, ftp, rsync, others; by id within a scheme (UrlRank).
  std::vector<std::pair<int, int64_t>> urls;
};

// mirrorlist-server gives each host the first of its URLs (in ByHostId order) whose scheme it
// accepts, not the best one (mirrorlist-server.md §2.16): https first, so that a mirror with
// both gets its https URL offered (upstream's id order usually offered http).
int UrlRank(std::string_view url) {
  static constexpr std::string_view kSchemes[] = {"https:", "http:", "ftp:", "rsync:"};
  for (size_t i = 0; i < std::size(kSchemes); ++i) {
    if (url.substr(0, kSchemes[i].size()) == kSchemes[i]) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kSchemes));
}

struct Repository {
  std::optional<std::string> prefix;
  int64_t arch_id = 0;
  int64_t directory_id = 0;
  bool disabled = false;
};

// Netblock host names being resolved on a thread of their own while the snapshot streams in.
// Shared with that thread, which may outlive the builder when a resolver overruns the
// deadline.
struct DnsLookup {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  ResolveResults results;
};

struct StringPair {
  std::string key;
  std::optional<std::string> value;
};

// Keyed groups of ids in first-appearance order (HostAsnCache, HostNetblockCache).
template <typename Key>
class Groups {
 public:
  void Add(const Key& key, int64_t id) {
    auto [it, inserted] = index_.try_emplace(key, groups_.size());
    if (inserted) groups_.push_back({key, {}});
    auto& ids = groups_[it->second].second;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  const std::vector<std::pair<Key, std::vector<int64_t>>>& groups() const { return groups_; }

 private:
  absl::flat_hash_map<Key, size_t> index_;
  std::vector<std::pair<Key, std::vector<int64_t>>> groups_;
};

}  // namespace

struct CacheBuilder::State {
  State(BuildOptions o, HostResolver& r, CacheWriter& w) : options(o), resolver(r), writer(w) {
    for (int f = kNetblockCountryCache; f <= kLastCacheField; ++f) {
      stats.entries[CacheFieldName(f)] = 0;
    }
  }

  BuildOptions options;
  HostResolver& resolver;
  CacheWriter& writer;
  BuildStats stats;

  Section section = Section::kNone;
  bool dns_started = false;
  bool hcds_indexed = false;
  bool prefix_written = false;
  bool trailer_seen = false;
  bool finished = false;
  std::map<std::string, int64_t> trailer_counts;

  absl::flat_hash_map<int64_t, std::string> arches;
  absl::flat_hash_map<int64_t, int64_t> category_topdir;  // category -> topdir dir id (0 none)

  std::vector<int64_t> dir_ids;
  std::vector<std::string> dir_names;
  std::vector<bool> dir_ok;  // name is valid UTF-8
  absl::flat_hash_map<int64_t, uint32_t> dir_index;
  std::vector<int64_t> dir_category;  // category that serves the directory (0 = none)

  std::vector<Host> hosts;
  absl::flat_hash_map<int64_t, uint32_t> host_index;
  std::vector<HostCategory> hcs;
  absl::flat_hash_map<int64_t, uint32_t> hc_index;
  absl::flat_hash_map<int64_t, std::vector<uint32_t>> category_hcs;  // by host category id

  std::vector<std::pair<int64_t, std::string>> urls;               // HCUrlCache
  absl::flat_hash_map<int64_t, std::vector<std::string>> allowed;  // host -> countries
  std::vector<std::pair<int64_t, std::string>> netblocks;          // (host, text)
  std::vector<std::pair<int64_t, int64_t>> peer_asns;              // (host, asn)
  std::vector<Repository> repositories;
  std::vector<StringPair> repository_redirects, country_continent_redirects, netblock_countries;

  // Up-to-date host categories per directory: first as packed (dir << 32 | hc) pairs while
  // they stream in, then as CSR (offsets per directory into hcd_hcs).
  std::vector<uint64_t> hcd_pairs;
  std::vector<uint32_t> hcd_offsets;
  std::vector<uint32_t> hcd_hcs;

  // File details of the directory being assembled.
  int64_t fd_dir = 0;
  bool fd_active = false;  // a directory is being assembled and will be written
  bool fd_any = false;
  mc::FileDetailsCacheDirectoryType fd_entry;
  absl::flat_hash_map<std::string, int> fd_files;

  std::shared_ptr<DnsLookup> dns;
  std::thread dns_thread;
  std::vector<std::string> dns_queries;
  absl::Time dns_deadline;

  ~State() { ReleaseDnsThread(); }

  // Joins the lookup thread if it has finished; otherwise lets it finish on its own.
  void ReleaseDnsThread() {
    if (!dns_thread.joinable()) return;
    bool done;
    {
      std::lock_guard<std::mutex> lock(dns->mu);
      done = dns->done;
    }
    if (done) {
      dns_thread.join();
    } else {
      dns_thread.detach();
    }
  }

  void Drop(const char* reason, int64_t n = 1) { stats.dropped[reason] += n; }
  // mirrorlist-server refuses a cache with one string that is not UTF-8: such values are left
  // out, counted and (the first few) logged.
  void DropInvalidUtf8(std::string_view what, std::string_view value) {
    Drop(kInvalidUtf8);
    int64_t n = stats.dropped[kInvalidUtf8];
    if (n <= kMaxLoggedInvalidUtf8) {
      MM_LOG(WARNING) << what << " is not valid UTF-8 and is left out of the cache: \""
                      << absl::CHexEscape(std::string(value)) << "\"";
    } else if (n == kMaxLoggedInvalidUtf8 + 1) {
      MM_LOG(WARNING) << "further values that are not UTF-8 are left out without a message "
                         "(counted in mm_cachegen_entries_dropped{reason=\"invalid_utf8\"})";
    }
  }
  void Count(int field) { ++stats.entries[CacheFieldName(field)]; }
  void Rows(Section s, int64_t n) { stats.rows[SectionName(s)] += n; }

  // Checks the section order and runs the work that becomes possible when a section ends.
  absl::Status Enter(Section next) {
    if (next < section) {
      return absl::FailedPreconditionError(
          absl::StrCat("cache export stream out of order: ", SectionName(next), " after ",
                       SectionName(section)));
    }
    if (next == section) return absl::OkStatus();
    section = next;
    if (next > Section::kHostNetblocks && !dns_started) StartDns();
    if (next > Section::kHostCategoryDirs && !hcds_indexed) IndexHostCategoryDirs();
    if (next > Section::kFileDetails) FlushFileDetails();
    if (next >= Section::kFileDetails && !prefix_written) WritePrefix();
    return absl::OkStatus();
  }

  // ---- sections ----

  void AddDirectories(const pb::ExportDirectories& d) {
    for (int i = 0; i < d.id_size(); ++i) {
      auto [it, inserted] = dir_index.try_emplace(d.id(i), static_cast<uint32_t>(dir_ids.size()));
      if (!inserted) continue;
      dir_ids.push_back(d.id(i));
      dir_names.push_back(d.name(i));
      bool ok = IsValidUtf8(d.name(i));
      if (!ok) DropInvalidUtf8(absl::StrCat("directory ", d.id(i)), d.name(i));
      dir_ok.push_back(ok);
    }
    dir_category.resize(dir_ids.size(), 0);
  }

  void AddHost(const pb::ExportHost& h) {
    Host x;
    x.id = h.id();
    if (IsValidUtf8(h.country())) {
      x.country = AsciiUpper(h.country());
    } else {
      DropInvalidUtf8(absl::StrCat("country of host ", h.id()), h.country());
    }
    x.bandwidth = std::clamp<int64_t>(h.has_bandwidth_int() ? h.bandwidth_int() : kDefaultBandwidth,
                                      kMinBandwidth, kMaxBandwidth);
    if (h.has_asn()) x.asn = h.asn();
    x.asn_clients = h.asn_clients();
    x.max_connections = h.max_connections();
    x.active = h.user_active() && h.admin_active() && h.site_user_active() && h.site_admin_active();
    x.is_private = h.private_() || h.site_private();
    x.internet2 = h.internet2();
    x.internet2_clients = h.internet2_clients();
    if (host_index.try_emplace(x.id, static_cast<uint32_t>(hosts.size())).second) {
      hosts.push_back(std::move(x));
    }
  }

  void AddHostCategory(const pb::ExportHostCategory& hc) {
    HostCategory x;
    x.id = hc.id();
    if (auto it = host_index.find(hc.host_id()); it != host_index.end()) {
      x.host = static_cast<int32_t>(it->second);
    }
    x.always_up2date = hc.always_up2date();
    uint32_t index = static_cast<uint32_t>(hcs.size());
    if (!hc_index.try_emplace(x.id, index).second) return;
    hcs.push_back(std::move(x));
    if (hc.category_id() != 0) category_hcs[hc.category_id()].push_back(index);
  }

  void AddUrl(const pb::ExportHostCategoryUrl& u) {
    if (!IsValidUtf8(u.url())) {
      DropInvalidUtf8(absl::StrCat("host_category_url ", u.id()), u.url());
      return;
    }
    // One trailing '/' goes, as MirrorManager2's form strips it on entry: the server appends
    // "/" + Subpath to the base, so "http://m/linux/" would give "http://m/linux//releases".
    std::string url = u.url();
    if (!url.empty() && url.back() == '/') url.pop_back();
    urls.emplace_back(u.id(), std::move(url));
    if (auto it = hc_index.find(u.host_category_id()); it != hc_index.end()) {
      auto& list = hcs[it->second].urls;  // kept sorted by (scheme rank, id)
      std::pair<int, int64_t> entry(UrlRank(u.url()), u.id());
      list.insert(std::upper_bound(list.begin(), list.end(), entry), entry);
    }
  }

  void AddAllowedCountry(const pb::ExportHostCountry& c) {
    if (!IsValidUtf8(c.country())) {
      DropInvalidUtf8(absl::StrCat("allowed country of host ", c.host_id()), c.country());
      return;
    }
    allowed[c.host_id()].push_back(AsciiUpper(c.country()));
  }

  // "first row found wins": rows come by directory, then category; the first category with a
  // known top directory serves the directory.
  void AddCategoryDirectories(const pb::ExportCategoryDirectories& cd) {
    for (int i = 0; i < cd.category_id_size(); ++i) {
      auto dir = dir_index.find(cd.directory_id(i));
      if (dir == dir_index.end()) {
        Drop(kUnknownReference);
        continue;
      }
      if (dir_category[dir->second] != 0) continue;
      auto top = category_topdir.find(cd.category_id(i));
      if (top == category_topdir.end() || !dir_index.contains(top->second)) continue;
      dir_category[dir->second] = cd.category_id(i);
    }
  }

  void AddHostCategoryDirs(const pb::ExportHostCategoryDirs& hcd) {
    for (int i = 0; i < hcd.directory_id_size(); ++i) {
      auto dir = dir_index.find(hcd.directory_id(i));
      auto hc = hc_index.find(hcd.host_category_id(i));
      if (dir == dir_index.end() || hc == hc_index.end()) {
        Drop(kUnknownReference);
        continue;
      }
      hcd_pairs.push_back((static_cast<uint64_t>(dir->second) << 32) | hc->second);
    }
  }

  // Counting sort of the pairs by directory into CSR form.
  void IndexHostCategoryDirs() {
    hcds_indexed = true;
    hcd_offsets.assign(dir_ids.size() + 1, 0);
    for (uint64_t p : hcd_pairs) ++hcd_offsets[(p >> 32) + 1];
    for (size_t i = 1; i < hcd_offsets.size(); ++i) hcd_offsets[i] += hcd_offsets[i - 1];
    hcd_hcs.resize(hcd_pairs.size());
    std::vector<uint32_t> next(hcd_offsets.begin(), hcd_offsets.end() - 1);
    for (uint64_t p : hcd_pairs) hcd_hcs[next[p >> 32]++] = static_cast<uint32_t>(p);
    std::vector<uint64_t>().swap(hcd_pairs);
  }

  absl::Status AddFileDetail(const pb::ExportFileDetail& f) {
    if (!fd_any || f.directory_id() != fd_dir) {
      if (fd_any && f.directory_id() < fd_dir) {
        return absl::FailedPreconditionError("cache export stream: file details out of order");
      }
      FlushFileDetails();
      fd_any = true;
      fd_dir = f.directory_id();
      fd_active = false;
      auto dir = dir_index.find(fd_dir);
      if (dir == dir_index.end()) {
        Drop(kUnknownReference);
      } else if (dir_ok[dir->second]) {
        fd_active = true;
        fd_entry.Clear();
        fd_files.clear();
        fd_entry.set_directory(dir_names[dir->second]);
      }
    }
    if (!fd_active) return absl::OkStatus();
    if (!IsValidUtf8(f.filename())) {
      DropInvalidUtf8(absl::StrCat("file name in directory ", f.directory_id()), f.filename());
      return absl::OkStatus();
    }
    auto [it, inserted] = fd_files.try_emplace(f.filename(), fd_entry.filedetailscachefiles_size());
    mc::FileDetailsCacheFilesType* file;
    if (inserted) {
      file = fd_entry.add_filedetailscachefiles();
      file->set_filename(f.filename());
    } else {
      file = fd_entry.mutable_filedetailscachefiles(it->second);
    }
    mc::FileDetailsType* d = file->add_filedetails();
    d->set_timestamp(static_cast<uint64_t>(std::max<int64_t>(0, f.timestamp())));
    d->set_size(static_cast<uint64_t>(std::max<int64_t>(0, f.size())));
    auto hash = [&](bool has, const std::string& v, auto setter) {
      if (!has) return;
      if (IsValidUtf8(v)) {
        (d->*setter)(v);
      } else {
        DropInvalidUtf8(absl::StrCat("checksum of ", f.filename()), v);
      }
    };
    using SetFn = void (mc::FileDetailsType::*)(const std::string&);
    hash(f.has_sha1(), f.sha1(), static_cast<SetFn>(&mc::FileDetailsType::set_sha1));
    hash(f.has_md5(), f.md5(), static_cast<SetFn>(&mc::FileDetailsType::set_md5));
    hash(f.has_sha256(), f.sha256(), static_cast<SetFn>(&mc::FileDetailsType::set_sha256));
    hash(f.has_sha512(), f.sha512(), static_cast<SetFn>(&mc::FileDetailsType::set_sha512));
    return absl::OkStatus();
  }

  void FlushFileDetails() {
    if (fd_active && fd_entry.filedetailscachefiles_size() > 0) {
      writer.WriteEntry(kFileDetailsCache, fd_entry);
      Count(kFileDetailsCache);
    }
    fd_active = false;
  }

  // ---- DNS ----

  void StartDns() {
    dns_started = true;
    std::vector<std::string> names;
    absl::flat_hash_set<std::string> seen;
    for (const auto& [host_id, text] : netblocks) {
      auto h = host_index.find(host_id);
      if (h == host_index.end() || !hosts[h->second].active) continue;
      ParsedNetblock p = ParseNetblock(text);
      if (p.kind == ParsedNetblock::Kind::kDnsName && seen.insert(p.text).second) {
        names.push_back(p.text);
      }
    }
    stats.dns_names = static_cast<int64_t>(names.size());
    if (names.empty()) return;
    MM_LOG(DEBUG) << "resolving " << names.size() << " netblock host name(s)";
    // The builder stops waiting at the deadline whatever the resolver does; the resolver gets
    // a little less, so that what it found in time is handed over before then.
    const absl::Duration timeout = std::max(options.dns_timeout, absl::ZeroDuration());
    const absl::Duration budget = timeout - std::min(timeout / 10, absl::Milliseconds(500));
    dns_deadline = absl::Now() + timeout;
    dns = std::make_shared<DnsLookup>();
    dns_queries = names;
    dns_thread = std::thread([lookup = dns, r = &resolver, names = std::move(names), budget] {
      ResolveResults results = r->ResolveAll(names, budget);
      std::lock_guard<std::mutex> lock(lookup->mu);
      lookup->results = std::move(results);
      lookup->done = true;
      lookup->cv.notify_all();
    });
  }

  // The lookups' results, or every name as failed when the resolver has not answered by the
  // deadline (a hung resolver must not hold up the cache).
  ResolveResults CollectDns() {
    ResolveResults resolved;
    if (!dns) return resolved;
    bool done;
    {
      std::unique_lock<std::mutex> lock(dns->mu);
      done = dns->cv.wait_until(lock, absl::ToChronoTime(dns_deadline), [&] { return dns->done; });
      if (done) resolved = std::move(dns->results);
    }
    if (!done) {
      MM_LOG(WARNING) << "the resolver gave no answer within " << options.dns_timeout << " for "
                      << dns_queries.size() << " netblock host name(s); they are left out";
      for (const auto& name : dns_queries) {
        resolved.errors[name] = "not resolved within the DNS timeout";
      }
    }
    ReleaseDnsThread();
    return resolved;
  }

  // ---- output ----

  // Fields 1-4, written before the file details stream into field 5.
  void WritePrefix() {
    prefix_written = true;
    writer.WriteTime(options.time);

    mc::StringStringMap ss;
    absl::flat_hash_set<std::string> seen;
    for (const auto& p : netblock_countries) {
      // mirrorlist-server stops scanning NetblockCountryCache at the first key that is not
      // CIDR, so such keys must not be written at all.
      std::string key;
      if (!p.value || !ParseCidr(p.key, &key)) {
        Drop(kNetblockCountryNotCidr);
        MM_LOG(WARNING) << "netblock_country '" << absl::CHexEscape(p.key)
                        << "' is not a CIDR network; left out";
        continue;
      }
      if (!IsValidUtf8(*p.value)) {
        DropInvalidUtf8(absl::StrCat("country of netblock_country ", key), *p.value);
        continue;
      }
      if (!seen.insert(key).second) {
        Drop(kDuplicateKey);
        continue;
      }
      ss.set_key(key);
      ss.set_value(AsciiUpper(*p.value));  // the server compares countries upper-cased
      writer.WriteEntry(kNetblockCountryCache, ss);
      Count(kNetblockCountryCache);
    }

    mc::IntStringMap is;
    for (const auto& [id, url] : urls) {
      is.set_key(id);
      is.set_value(url);
      writer.WriteEntry(kHCUrlCache, is);
      Count(kHCUrlCache);
    }
  }

  // One entry per key (the server joins the values of duplicate keys), the first row winning.
  // With `upper` (country codes) keys are upper-cased, and a key typed in upper case wins over
  // the same key typed otherwise wherever it comes: the server matches these keys exactly
  // against upper-case codes, so upstream's cache made only those effective, and ours must not
  // override one of them with a row upstream ignored.
  void WriteStringPairs(int field, const std::vector<StringPair>& pairs, bool upper) {
    mc::StringStringMap ss;
    absl::flat_hash_set<std::string> seen, exact;
    if (upper) {
      for (const auto& p : pairs) {
        if (p.value && IsValidUtf8(p.key) && IsValidUtf8(*p.value) && AsciiUpper(p.key) == p.key) {
          exact.insert(p.key);
        }
      }
    }
    for (const auto& p : pairs) {
      if (!p.value) continue;  // repository_redirect.to_repo NULL: no redirect
      if (!IsValidUtf8(p.key) || !IsValidUtf8(*p.value)) {
        DropInvalidUtf8(absl::StrCat(CacheFieldName(field), " entry"),
                        absl::StrCat(p.key, " -> ", *p.value));
        continue;
      }
      std::string key = upper ? AsciiUpper(p.key) : p.key;
      if ((key != p.key && exact.contains(key)) || !seen.insert(key).second) {
        Drop(kDuplicateKey);
        continue;
      }
      ss.set_key(std::move(key));
      ss.set_value(upper ? AsciiUpper(*p.value) : *p.value);
      writer.WriteEntry(field, ss);
      Count(field);
    }
  }

  void WriteRepositories() {
    mc::StringBoolMap sb;
    absl::flat_hash_set<std::string> seen;
    for (const auto& r : repositories) {
      if (!r.disabled || !r.prefix) continue;
      if (!IsValidUtf8(*r.prefix)) {
        DropInvalidUtf8("repository prefix", *r.prefix);
        continue;
      }
      if (!seen.insert(*r.prefix).second) continue;  // one entry per prefix (all arches)
      sb.set_key(*r.prefix);
      sb.set_value(true);
      writer.WriteEntry(kDisabledRepositoryCache, sb);
      Count(kDisabledRepositoryCache);
    }
  }

  void WriteRepoArchToDirectoryName() {
    // Directory order, then repository order on each directory.
    std::vector<std::pair<uint32_t, uint32_t>> order;  // (directory index, repository index)
    for (uint32_t i = 0; i < repositories.size(); ++i) {
      auto dir = dir_index.find(repositories[i].directory_id);
      if (dir != dir_index.end()) order.emplace_back(dir->second, i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    mc::StringStringMap ss;
    absl::flat_hash_set<std::string> seen;
    for (const auto& [d, i] : order) {
      const Repository& r = repositories[i];
      if (!r.prefix || r.prefix->empty()) continue;
      auto arch = arches.find(r.arch_id);
      if (arch == arches.end()) continue;
      if (!dir_ok[d] || !IsValidUtf8(*r.prefix) || !IsValidUtf8(arch->second)) {
        DropInvalidUtf8(absl::StrCat("repository on directory ", dir_ids[d]),
                        absl::StrCat(*r.prefix, "+", arch->second));
        continue;
      }
      std::string key = absl::StrCat(*r.prefix, "+", arch->second);
      if (!seen.insert(key).second) {
        Drop(kDuplicateKey);
        continue;
      }
      ss.set_key(std::move(key));
      ss.set_value(dir_names[d]);
      writer.WriteEntry(kRepoArchToDirectoryName, ss);
      Count(kRepoArchToDirectoryName);
    }
  }

  void WriteHosts() {
    Groups<int64_t> asns;
    for (const Host& h : hosts) {
      if (h.asn_clients && h.asn) asns.Add(*h.asn, h.id);
    }
    for (const auto& [host_id, asn] : peer_asns) {
      if (host_index.contains(host_id)) asns.Add(asn, host_id);
    }
    mc::IntRepeatedIntMap iri;
    for (const auto& [asn, ids] : asns.groups()) {
      iri.Clear();
      iri.set_key(asn);
      for (int64_t id : ids) iri.add_value(id);
      writer.WriteEntry(kHostAsnCache, iri);
      Count(kHostAsnCache);
    }

    mc::IntIntMap ii;
    for (const Host& h : hosts) {
      ii.set_key(h.id);
      ii.set_value(h.max_connections);
      writer.WriteEntry(kHostMaxConnectionCache, ii);
      Count(kHostMaxConnectionCache);
    }
    mc::IntStringMap is;
    for (const Host& h : hosts) {
      if (h.country.empty()) continue;
      is.set_key(h.id);
      is.set_value(h.country);
      writer.WriteEntry(kHostCountryCache, is);
      Count(kHostCountryCache);
    }
    for (const Host& h : hosts) {
      ii.set_key(h.id);
      ii.set_value(h.bandwidth);
      writer.WriteEntry(kHostBandwidthCache, ii);
      Count(kHostBandwidthCache);
    }
    mc::IntRepeatedStringMap irs;
    for (const Host& h : hosts) {
      if (!h.active) continue;
      auto it = allowed.find(h.id);
      if (it == allowed.end()) continue;
      irs.Clear();
      irs.set_key(h.id);
      absl::flat_hash_set<std::string> seen;
      for (const auto& c : it->second) {
        if (seen.insert(c).second) irs.add_value(c);
      }
      writer.WriteEntry(kHostCountryAllowedCache, irs);
      Count(kHostCountryAllowedCache);
    }
  }

  void WriteNetblocks() {
    ResolveResults resolved = CollectDns();
    stats.dns_failures = static_cast<int64_t>(resolved.errors.size());
    for (const auto& [name, error] : resolved.errors) {
      MM_LOG(DEBUG) << "netblock host name '" << name << "' not resolved: " << error;
    }
    Groups<std::string> groups;
    for (const auto& [host_id, text] : netblocks) {
      auto h = host_index.find(host_id);
      if (h == host_index.end() || !hosts[h->second].active) continue;
      ParsedNetblock p = ParseNetblock(text);
      switch (p.kind) {
        case ParsedNetblock::Kind::kNetwork:
          if (p.numeric_shorthand) {
            MM_LOG(WARNING) << "host " << host_id << ": netblock '" << absl::CHexEscape(text)
                            << "' is read as " << p.text
                            << " (as the system resolver and upstream read it)";
          }
          groups.Add(p.text, host_id);
          break;
        case ParsedNetblock::Kind::kDnsName: {
          auto it = resolved.addresses.find(p.text);
          if (it == resolved.addresses.end()) {
            Drop(kNetblockUnresolved);
            break;
          }
          for (const auto& address : it->second) {
            std::string key = HostKeyForAddress(address);
            if (!key.empty()) groups.Add(key, host_id);
          }
          break;
        }
        case ParsedNetblock::Kind::kInvalid:
          Drop(kNetblockUnparsable);
          MM_LOG(DEBUG) << "host " << host_id << ": netblock '" << text << "' is not usable";
          break;
      }
    }
    mc::StringRepeatedIntMap sri;
    for (const auto& [key, ids] : groups.groups()) {
      sri.Clear();
      sri.set_key(key);
      for (int64_t id : ids) sri.add_value(id);
      writer.WriteEntry(kHostNetblockCache, sri);
      Count(kHostNetblockCache);
    }
  }

  static mc::StringRepeatedIntMap* FindCountry(
      google::protobuf::RepeatedPtrField<mc::StringRepeatedIntMap>* list,
      const std::string& country) {
    for (auto& e : *list) {
      if (e.key() == country) return &e;
    }
    auto* e = list->Add();
    e->set_key(country);
    return e;
  }

  void WriteMirrorListCache() {
    std::vector<uint32_t> stamp(hcs.size(), 0);  // == directory index + 1: up to date there
    mc::MirrorListCacheType mlc;
    static const std::vector<uint32_t> kNoHostCategories;
    for (uint32_t d = 0; d < dir_ids.size(); ++d) {
      int64_t category = dir_category[d];
      if (category == 0) continue;
      if (!dir_ok[d]) continue;  // counted when the directory arrived
      const std::string& name = dir_names[d];
      const std::string& topdir = dir_names[dir_index.at(category_topdir.at(category))];
      std::string_view subpath;
      if (topdir.empty()) {
        subpath = name;
      } else if (name == topdir) {
        subpath = "";
      } else if (name.size() > topdir.size() && name.compare(0, topdir.size(), topdir) == 0 &&
                 name[topdir.size()] == '/') {
        subpath = std::string_view(name).substr(topdir.size() + 1);
      } else {
        Drop(kOutsideTopdir);
        MM_LOG(WARNING) << "directory '" << name << "' is not below its category's top directory '"
                        << topdir << "'; left out of MirrorListCache";
        continue;
      }

      mlc.Clear();
      mlc.set_directory(name);
      mlc.set_subpath(std::string(subpath));
      if (hcds_indexed) {
        for (uint32_t k = hcd_offsets[d]; k < hcd_offsets[d + 1]; ++k) stamp[hcd_hcs[k]] = d + 1;
      }
      auto cat = category_hcs.find(category);
      const auto& candidates = cat == category_hcs.end() ? kNoHostCategories : cat->second;
      for (uint32_t hc_idx : candidates) {
        const HostCategory& hc = hcs[hc_idx];
        if (!hc.always_up2date && stamp[hc_idx] != d + 1) continue;
        if (hc.host < 0) continue;  // unknown host, or a host without a site
        const Host& host = hosts[hc.host];
        if (!host.active) continue;
        // Every active up-to-date host with a public URL, private ones included: netblock and
        // ASN matches reach private hosts through ByHostId.
        if (!hc.urls.empty()) {
          auto* e = mlc.add_byhostid();
          e->set_key(host.id);
          for (const auto& [rank, url] : hc.urls) e->add_value(url);
        }
        if (host.is_private && !host.internet2_clients) continue;
        if (host.internet2 && !host.country.empty()) {
          FindCountry(mlc.mutable_bycountryinternet2(), host.country)->add_value(host.id);
        }
        if (host.is_private) continue;
        mlc.add_global(host.id);
        if (!host.country.empty()) {
          FindCountry(mlc.mutable_bycountry(), host.country)->add_value(host.id);
        }
      }
      writer.WriteEntry(kMirrorListCache, mlc);
      Count(kMirrorListCache);
    }
  }
};

CacheBuilder::CacheBuilder(BuildOptions options, HostResolver& resolver, CacheWriter& writer)
    : state_(std::make_unique<State>(options, resolver, writer)) {}

CacheBuilder::~CacheBuilder() = default;

const BuildStats& CacheBuilder::stats() const { return state_->stats; }

absl::Status CacheBuilder::Consume(const SnapshotChunk& c) {
  State& s = *state_;
  if (s.trailer_seen) {
    return absl::FailedPreconditionError("cache export stream: data after the trailer");
  }
  if (c.has_header()) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kHeader));
    s.stats.snapshot_time = c.header().snapshot_time();
    MM_LOG(DEBUG) << "catalog snapshot " << c.header().snapshot() << " taken at "
                  << c.header().snapshot_time();
  }
  if (c.arches_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kArches));
    s.Rows(Section::kArches, c.arches_size());
    for (const auto& a : c.arches()) s.arches[a.id()] = a.name();
  }
  if (c.categories_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kCategories));
    s.Rows(Section::kCategories, c.categories_size());
    for (const auto& cat : c.categories()) s.category_topdir[cat.id()] = cat.topdir_id();
  }
  if (c.has_directories()) {
    if (c.directories().id_size() != c.directories().name_size()) {
      return absl::InvalidArgumentError("cache export stream: malformed directories chunk");
    }
    MM_RETURN_IF_ERROR(s.Enter(Section::kDirectories));
    s.Rows(Section::kDirectories, c.directories().id_size());
    s.AddDirectories(c.directories());
  }
  if (c.hosts_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kHosts));
    s.Rows(Section::kHosts, c.hosts_size());
    for (const auto& h : c.hosts()) s.AddHost(h);
  }
  if (c.host_categories_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kHostCategories));
    s.Rows(Section::kHostCategories, c.host_categories_size());
    for (const auto& hc : c.host_categories()) s.AddHostCategory(hc);
  }
  if (c.host_category_urls_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kHostCategoryUrls));
    s.Rows(Section::kHostCategoryUrls, c.host_category_urls_size());
    for (const auto& u : c.host_category_urls()) s.AddUrl(u);
  }
  if (c.host_country_allowed_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kHostCountryAllowed));
    s.Rows(Section::kHostCountryAllowed, c.host_country_allowed_size());
    for (const auto& x : c.host_country_allowed()) s.AddAllowedCountry(x);
  }
  if (c.host_countries_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kHostCountries));
    s.Rows(Section::kHostCountries, c.host_countries_size());
    for (const auto& x : c.host_countries()) s.AddAllowedCountry(x);
  }
  if (c.host_netblocks_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kHostNetblocks));
    s.Rows(Section::kHostNetblocks, c.host_netblocks_size());
    for (const auto& n : c.host_netblocks()) s.netblocks.emplace_back(n.host_id(), n.netblock());
  }
  if (c.host_peer_asns_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kHostPeerAsns));
    s.Rows(Section::kHostPeerAsns, c.host_peer_asns_size());
    for (const auto& a : c.host_peer_asns()) s.peer_asns.emplace_back(a.host_id(), a.asn());
  }
  if (c.has_category_directories()) {
    const auto& cd = c.category_directories();
    if (cd.category_id_size() != cd.directory_id_size()) {
      return absl::InvalidArgumentError("cache export stream: malformed category directories");
    }
    MM_RETURN_IF_ERROR(s.Enter(Section::kCategoryDirectories));
    s.Rows(Section::kCategoryDirectories, cd.category_id_size());
    s.AddCategoryDirectories(cd);
  }
  if (c.repositories_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kRepositories));
    s.Rows(Section::kRepositories, c.repositories_size());
    for (const auto& r : c.repositories()) {
      s.repositories.push_back(
          {r.has_prefix() ? std::optional<std::string>(r.prefix()) : std::nullopt, r.arch_id(),
           r.directory_id(), r.disabled()});
    }
  }
  auto pairs = [&](Section section,
                   const google::protobuf::RepeatedPtrField<pb::ExportStringPair>& in,
                   std::vector<StringPair>& out) -> absl::Status {
    if (in.empty()) return absl::OkStatus();
    MM_RETURN_IF_ERROR(s.Enter(section));
    s.Rows(section, in.size());
    for (const auto& p : in) {
      out.push_back(
          {p.key(), p.has_value() ? std::optional<std::string>(p.value()) : std::nullopt});
    }
    return absl::OkStatus();
  };
  MM_RETURN_IF_ERROR(
      pairs(Section::kRepositoryRedirects, c.repository_redirects(), s.repository_redirects));
  MM_RETURN_IF_ERROR(pairs(Section::kCountryContinentRedirects, c.country_continent_redirects(),
                           s.country_continent_redirects));
  MM_RETURN_IF_ERROR(
      pairs(Section::kNetblockCountries, c.netblock_countries(), s.netblock_countries));
  if (c.has_host_category_dirs()) {
    const auto& hcd = c.host_category_dirs();
    if (hcd.host_category_id_size() != hcd.directory_id_size()) {
      return absl::InvalidArgumentError("cache export stream: malformed host category dirs");
    }
    MM_RETURN_IF_ERROR(s.Enter(Section::kHostCategoryDirs));
    s.Rows(Section::kHostCategoryDirs, hcd.directory_id_size());
    s.AddHostCategoryDirs(hcd);
  }
  if (c.file_details_size() > 0) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kFileDetails));
    s.Rows(Section::kFileDetails, c.file_details_size());
    for (const auto& f : c.file_details()) MM_RETURN_IF_ERROR(s.AddFileDetail(f));
  }
  if (c.has_trailer()) {
    MM_RETURN_IF_ERROR(s.Enter(Section::kTrailer));
    s.trailer_seen = true;
    const auto& counts = c.trailer().row_counts();
    for (const auto& [section, n] : counts) {
      auto it = s.stats.rows.find(section);
      int64_t got = it == s.stats.rows.end() ? 0 : it->second;
      if (got != n) {
        return absl::DataLossError(absl::StrCat("cache export stream: received ", got, " rows of ",
                                                section, ", catalog sent ", n));
      }
    }
    for (const auto& [section, n] : s.stats.rows) {
      if (n != 0 && !counts.contains(section)) {
        return absl::DataLossError(
            absl::StrCat("cache export stream: unexpected rows of ", section));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CacheBuilder::Finish() {
  State& s = *state_;
  if (!s.trailer_seen) {
    return absl::FailedPreconditionError("cache export stream ended without its trailer");
  }
  if (s.finished) return absl::FailedPreconditionError("cache already finished");
  s.finished = true;
  s.WriteRepositories();
  s.WriteStringPairs(kCountryContinentRedirectCache, s.country_continent_redirects,
                     /*upper=*/true);
  s.WriteStringPairs(kRepositoryRedirectCache, s.repository_redirects, /*upper=*/false);
  s.WriteRepoArchToDirectoryName();
  s.WriteHosts();
  s.WriteNetblocks();
  s.WriteMirrorListCache();
  return absl::OkStatus();
}

}  // namespace mm::cachegen
