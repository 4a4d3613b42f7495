#include "services/cachegen/inspect.h"

#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "mirrormanager/cache/mirrormanager.pb.h"
#include "services/cachegen/cache_reader.h"
#include "services/cachegen/cache_writer.h"
#include "services/cachegen/netblock.h"
#include "services/common/status_macros.h"

namespace mm::cachegen {
namespace {

namespace mc = ::mirrormanager;

// Reads one cache (a file or bytes) into a visitor; called once per pass.
using CacheInput = std::function<absl::Status(CacheVisitor&)>;

std::string FormatTime(uint64_t t) {
  if (t > static_cast<uint64_t>(INT64_MAX)) return absl::StrCat(t);
  return absl::StrCat(
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixSeconds(static_cast<int64_t>(t)),
                       absl::UTCTimeZone()),
      " (", t, ")");
}

// Problem kinds with a count and the first few examples.
class Problems {
 public:
  explicit Problems(int limit) : limit_(limit) {}
  void Add(const std::string& kind, const std::string& example) {
    auto& p = problems_[kind];
    ++p.count;
    if (static_cast<int>(p.examples.size()) < limit_) p.examples.push_back(example);
  }
  bool empty() const { return problems_.empty(); }
  void Print(std::ostream& out) const {
    if (problems_.empty()) {
      out << "problems: none\n";
      return;
    }
    out << "problems:\n";
    for (const auto& [kind, p] : problems_) {
      out << "  " << kind << ": " << p.count << "\n";
      for (const auto& e : p.examples) out << "    " << e << "\n";
      if (p.count > static_cast<int64_t>(p.examples.size())) {
        out << "    ... and " << p.count - static_cast<int64_t>(p.examples.size()) << " more\n";
      }
    }
  }

 private:
  struct Problem {
    int64_t count = 0;
    std::vector<std::string> examples;
  };
  int limit_;
  std::map<std::string, Problem> problems_;
};

// ---- summary ----

class SummaryVisitor final : public CacheVisitor {
 public:
  explicit SummaryVisitor(int limit) : problems_(limit) {}

  void Time(uint64_t t) override { time_ = t; }
  void StringString(int field, const mc::StringStringMap& e) override {
    ++counts_[field];
    Key(field, e.key());
    if (field == kNetblockCountryCache && !ParseCidr(e.key(), nullptr)) {
      problems_.Add(
          "NetblockCountryCache key is not CIDR (the server stops reading the table "
          "at this key)",
          e.key());
    }
  }
  void StringRepeatedInt(int field, const mc::StringRepeatedIntMap& e) override {
    ++counts_[field];
    Key(field, e.key());
    if (field == kHostNetblockCache && !ParseCidr(e.key(), nullptr) &&
        HostKeyForAddress(e.key()).empty()) {
      problems_.Add("HostNetblockCache key is not a network (the server skips it)", e.key());
    }
  }
  void IntString(int field, const mc::IntStringMap& e) override {
    ++counts_[field];
    Key(field, e.key());
    if (field == kHCUrlCache) {
      url_ids_.insert(e.key());
      // The server appends "/" + Subpath (or "/" for a directory) without looking.
      if (!e.value().empty() && e.value().back() == '/') {
        problems_.Add("HCUrlCache URL ends with '/' (the server's URLs for it contain '//')",
                      absl::StrCat("url id ", e.key(), ": ", e.value()));
      }
    }
  }
  void FileDetails(const mc::FileDetailsCacheDirectoryType& e) override {
    ++counts_[kFileDetailsCache];
    Key(kFileDetailsCache, e.directory());
    fd_files_ += e.filedetailscachefiles_size();
    for (const auto& f : e.filedetailscachefiles()) fd_details_ += f.filedetails_size();
  }
  void StringBool(int field, const mc::StringBoolMap& e) override {
    ++counts_[field];
    Key(field, e.key());
  }
  void IntRepeatedInt(int field, const mc::IntRepeatedIntMap& e) override {
    ++counts_[field];
    Key(field, e.key());
    asn_hosts_ += e.value_size();
  }
  void IntInt(int field, const mc::IntIntMap& e) override {
    ++counts_[field];
    Key(field, e.key());
    if (field == kHostBandwidthCache && e.value() < 1) {
      problems_.Add("HostBandwidthCache value below 1 (can crash the server's weighted shuffle)",
                    absl::StrCat("host ", e.key(), ": ", e.value()));
    }
  }
  void IntRepeatedString(int field, const mc::IntRepeatedStringMap& e) override {
    ++counts_[field];
    Key(field, e.key());
  }
  void MirrorList(const mc::MirrorListCacheType& e) override {
    ++counts_[kMirrorListCache];
    Key(kMirrorListCache, e.directory());
    if (e.byhostid_size() > 0 || e.global_size() > 0) ++mlc_with_hosts_;
    byhostid_ += e.byhostid_size();
    global_ += e.global_size();
    for (const auto& h : e.byhostid()) {
      for (int64_t url : h.value()) referenced_urls_.emplace(url, e.directory());
    }
    absl::flat_hash_set<std::string> countries;
    for (const auto& c : e.bycountry()) {
      if (!countries.insert(c.key()).second) {
        problems_.Add("duplicate ByCountry key in a MirrorListCache entry",
                      absl::StrCat(e.directory(), ": ", c.key()));
      }
    }
  }

  void Finish() {
    for (const auto& [url, directory] : referenced_urls_) {
      if (!url_ids_.contains(url)) {
        problems_.Add("ByHostId refers to an id missing from HCUrlCache",
                      absl::StrCat("url id ", url, " (e.g. in ", directory, ")"));
      }
    }
  }

  int Print(const std::string& name, int64_t size, std::ostream& out) const {
    out << "file: " << name << "\n";
    if (size >= 0) out << "size: " << size << " bytes\n";
    out << "created: " << FormatTime(time_) << "\n";
    for (int f = kNetblockCountryCache; f <= kLastCacheField; ++f) {
      std::string line = absl::StrCat(counts_[f]);
      if (f == kFileDetailsCache) {
        line = absl::StrCat(counts_[f], " directories, ", fd_files_, " files, ", fd_details_,
                            " file versions");
      } else if (f == kHostAsnCache) {
        line = absl::StrCat(counts_[f], " ASNs, ", asn_hosts_, " host entries");
      } else if (f == kMirrorListCache) {
        line = absl::StrCat(counts_[f], " directories (", mlc_with_hosts_, " with hosts; ",
                            byhostid_, " ByHostId entries, ", global_, " Global entries)");
      }
      std::string label = CacheFieldName(f);
      label.resize(std::max<size_t>(label.size() + 1, 31), ' ');
      out << label << line << "\n";
    }
    problems_.Print(out);
    return problems_.empty() ? 0 : 1;
  }

 private:
  template <typename K>
  void Key(int field, const K& key) {
    bool fresh;
    if constexpr (std::is_same_v<K, std::string>) {
      fresh = string_keys_[field].insert(key).second;
    } else {
      fresh = int_keys_[field].insert(key).second;
    }
    if (!fresh) {
      problems_.Add(
          absl::StrCat("duplicate key in ", CacheFieldName(field),
                       field == kRepositoryRedirectCache || field == kRepoArchToDirectoryName ||
                               field == kCountryContinentRedirectCache
                           ? " (the server concatenates the values)"
                           : " (the server uses the first)"),
          absl::StrCat(key));
    }
  }

  uint64_t time_ = 0;
  int64_t counts_[kLastCacheField + 1] = {};
  int64_t fd_files_ = 0, fd_details_ = 0, asn_hosts_ = 0;
  int64_t mlc_with_hosts_ = 0, byhostid_ = 0, global_ = 0;
  std::map<int, absl::flat_hash_set<std::string>> string_keys_;
  std::map<int, absl::flat_hash_set<int64_t>> int_keys_;
  absl::flat_hash_set<int64_t> url_ids_;
  absl::flat_hash_map<int64_t, std::string> referenced_urls_;  // url id -> a directory using it
  Problems problems_;
};

// ---- one directory ----

// Pass 1 for --repo/--arch: the repository tables.
class RepoVisitor final : public CacheVisitor {
 public:
  void StringString(int field, const mc::StringStringMap& e) override {
    if (field == kRepositoryRedirectCache) redirects_.emplace(e.key(), e.value());
    if (field == kRepoArchToDirectoryName) repo_arch_.emplace(e.key(), e.value());
  }
  void StringBool(int field, const mc::StringBoolMap& e) override {
    if (field == kDisabledRepositoryCache && e.value()) disabled_.insert(e.key());
  }
  std::multimap<std::string, std::string> redirects_, repo_arch_;
  std::set<std::string> disabled_;
};

// Joins the values of every matching key, as the server's string lookups do.
std::string LookupAll(const std::multimap<std::string, std::string>& m, const std::string& key) {
  std::string out;
  auto [begin, end] = m.equal_range(key);
  for (auto it = begin; it != end; ++it) out += it->second;
  return out;
}

// Pass 2: the directory's entries and the host tables needed to show them.
class DirectoryVisitor final : public CacheVisitor {
 public:
  explicit DirectoryVisitor(std::string directory) : directory_(std::move(directory)) {}
  void IntString(int field, const mc::IntStringMap& e) override {
    if (field == kHCUrlCache) urls_.emplace(e.key(), e.value());
    if (field == kHostCountryCache) countries_.emplace(e.key(), e.value());
  }
  void IntInt(int field, const mc::IntIntMap& e) override {
    if (field == kHostBandwidthCache) bandwidth_.emplace(e.key(), e.value());
  }
  void IntRepeatedString(int field, const mc::IntRepeatedStringMap& e) override {
    if (field == kHostCountryAllowedCache) {
      allowed_.emplace(e.key(), absl::StrJoin(e.value(), ","));
    }
  }
  void FileDetails(const mc::FileDetailsCacheDirectoryType& e) override {
    if (!fd_ && e.directory() == directory_) fd_ = e;
  }
  void MirrorList(const mc::MirrorListCacheType& e) override {
    if (!mlc_ && e.directory() == directory_) mlc_ = e;
  }

  int Print(std::ostream& out) const {
    if (!mlc_) {
      out << "directory " << directory_ << " is not in MirrorListCache\n";
      return 1;
    }
    const mc::MirrorListCacheType& m = *mlc_;
    out << "directory: " << m.directory() << "\n";
    out << "subpath: " << m.subpath() << "\n";
    if (fd_) {
      out << "file details: " << fd_->filedetailscachefiles_size() << " file(s)\n";
      for (const auto& f : fd_->filedetailscachefiles()) {
        out << "  " << f.filename() << ": " << f.filedetails_size() << " version(s)";
        if (f.filedetails_size() > 0) {
          const auto& d = f.filedetails(0);
          out << "; newest: timestamp " << d.timestamp() << ", size " << d.size();
          if (d.has_sha256()) out << ", sha256 " << d.sha256();
        }
        out << "\n";
      }
    } else {
      out << "file details: none (metalinks for this directory fail)\n";
    }
    absl::flat_hash_map<int64_t, const mc::IntRepeatedIntMap*> by_host;
    for (const auto& h : m.byhostid()) by_host.emplace(h.key(), &h);

    out << "ByHostId (active up-to-date hosts with a public URL, private ones included): "
        << m.byhostid_size() << " host(s)\n";
    for (const auto& h : m.byhostid()) PrintHost(out, "  ", h.key(), by_host, m.subpath());
    out << "Global (public fallback): " << m.global_size() << " host(s)\n";
    for (int64_t id : m.global()) PrintHost(out, "  ", id, by_host, m.subpath());
    PrintCountries(out, "ByCountry", m.bycountry(), by_host, m.subpath());
    PrintCountries(out, "ByCountryInternet2 (unused by mirrorlist-server)", m.bycountryinternet2(),
                   by_host, m.subpath());
    return 0;
  }

 private:
  void PrintCountries(std::ostream& out, const std::string& title,
                      const google::protobuf::RepeatedPtrField<mc::StringRepeatedIntMap>& list,
                      const absl::flat_hash_map<int64_t, const mc::IntRepeatedIntMap*>& by_host,
                      const std::string& subpath) const {
    out << title << ": " << list.size() << " countr" << (list.size() == 1 ? "y" : "ies") << "\n";
    for (const auto& c : list) {
      out << "  " << c.key() << ": " << c.value_size() << " host(s)\n";
      for (int64_t id : c.value()) PrintHost(out, "    ", id, by_host, subpath);
    }
  }

  void PrintHost(std::ostream& out, const std::string& indent, int64_t id,
                 const absl::flat_hash_map<int64_t, const mc::IntRepeatedIntMap*>& by_host,
                 const std::string& subpath) const {
    out << indent << "host " << id << " [";
    auto c = countries_.find(id);
    out << (c == countries_.end() ? "no country" : c->second);
    auto b = bandwidth_.find(id);
    out << ", bandwidth " << (b == bandwidth_.end() ? 0 : b->second);
    auto a = allowed_.find(id);
    if (a != allowed_.end()) out << ", only for " << a->second;
    out << "]:";
    auto h = by_host.find(id);
    if (h == by_host.end()) {
      out << " no public URL (the server drops this host)\n";
      return;
    }
    for (int64_t url : h->second->value()) {
      auto u = urls_.find(url);
      // The server's URL for a directory request (mirrorlist-server.md §2.15).
      std::string text = u == urls_.end() ? "" : u->second;
      if (!subpath.empty()) absl::StrAppend(&text, "/", subpath);
      absl::StrAppend(&text, "/");
      out << " " << (u == urls_.end() ? absl::StrCat("<url id ", url, " missing>") : text);
    }
    out << "\n";
  }

  std::string directory_;
  absl::flat_hash_map<int64_t, std::string> urls_, countries_, allowed_;
  absl::flat_hash_map<int64_t, int64_t> bandwidth_;
  std::optional<mc::FileDetailsCacheDirectoryType> fd_;
  std::optional<mc::MirrorListCacheType> mlc_;
};

absl::StatusOr<int> Inspect(const std::string& name, int64_t size, const CacheInput& input,
                            const InspectOptions& options, std::ostream& out) {
  std::string directory = options.directory;
  if (!options.repo.empty() || !options.arch.empty()) {
    if (options.repo.empty() || options.arch.empty()) {
      return absl::InvalidArgumentError("--repo and --arch go together");
    }
    RepoVisitor repos;
    MM_RETURN_IF_ERROR(input(repos));
    // The server's repo= / arch= resolution (mirrorlist-server.md §2.4).
    std::string repo = options.repo;
    std::string arch = repo.find("source") != std::string::npos ? "source" : options.arch;
    std::string redirected = LookupAll(repos.redirects_, repo);
    out << "repo " << options.repo << " arch " << options.arch << "\n";
    if (!redirected.empty()) {
      out << "redirected to: " << redirected << "\n";
      repo = redirected;
    }
    if (arch != options.arch) out << "arch forced to: source\n";
    if (repos.disabled_.count(repo) > 0) {
      out << "disabled: the server answers 'repo disabled'\n";
      return 0;
    }
    directory = LookupAll(repos.repo_arch_, absl::StrCat(repo, "+", arch));
    if (directory.empty()) {
      out << "not in RepoArchToDirectoryName: the server answers 'invalid repo or arch'\n";
      return 1;
    }
  }
  if (!directory.empty()) {
    DirectoryVisitor v(directory);
    MM_RETURN_IF_ERROR(input(v));
    return v.Print(out);
  }
  SummaryVisitor summary(options.limit);
  MM_RETURN_IF_ERROR(input(summary));
  summary.Finish();
  return summary.Print(name, size, out);
}

// ---- diff ----

// What a diff compares, for one cache.
class DigestVisitor final : public CacheVisitor {
 public:
  void Time(uint64_t t) override { time_ = t; }
  void StringString(int field, const mc::StringStringMap& e) override {
    kv_[field].emplace(e.key(), e.value());
  }
  void StringRepeatedInt(int field, const mc::StringRepeatedIntMap& e) override {
    kv_[field].emplace(e.key(), Ids(e.value()));
  }
  void IntString(int field, const mc::IntStringMap& e) override {
    kv_[field].emplace(absl::StrCat(e.key()), e.value());
  }
  void FileDetails(const mc::FileDetailsCacheDirectoryType& e) override {
    auto& files = fd_[e.directory()];
    for (const auto& f : e.filedetailscachefiles()) {
      std::string newest;
      if (f.filedetails_size() > 0) {
        const auto& d = f.filedetails(0);
        newest = absl::StrCat(d.timestamp(), "/", d.size(), "/", d.sha256(), "/", d.sha1(), "/",
                              d.md5(), "/", d.sha512());
      }
      files.emplace(f.filename(), std::move(newest));
    }
  }
  void StringBool(int field, const mc::StringBoolMap& e) override {
    kv_[field].emplace(e.key(), e.value() ? "true" : "false");
  }
  void IntRepeatedInt(int field, const mc::IntRepeatedIntMap& e) override {
    kv_[field].emplace(absl::StrCat(e.key()), Ids(e.value()));
  }
  void IntInt(int field, const mc::IntIntMap& e) override {
    kv_[field].emplace(absl::StrCat(e.key()), absl::StrCat(e.value()));
  }
  void IntRepeatedString(int field, const mc::IntRepeatedStringMap& e) override {
    std::vector<std::string> v(e.value().begin(), e.value().end());
    std::sort(v.begin(), v.end());
    kv_[field].emplace(absl::StrCat(e.key()), absl::StrJoin(v, ","));
  }
  void MirrorList(const mc::MirrorListCacheType& e) override {
    std::vector<int64_t> hosts(e.global().begin(), e.global().end());
    for (const auto& h : e.byhostid()) hosts.push_back(h.key());
    for (const auto& c : e.bycountry())
      hosts.insert(hosts.end(), c.value().begin(), c.value().end());
    std::sort(hosts.begin(), hosts.end());
    hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
    dirs_.emplace(e.directory(), std::move(hosts));
  }

  uint64_t time_ = 0;
  // Small fields: key -> value text (first entry of a key wins, as in the server).
  std::map<int, std::map<std::string, std::string>> kv_;
  absl::flat_hash_map<std::string, std::vector<int64_t>> dirs_;  // directory -> host ids
  absl::flat_hash_map<std::string, std::map<std::string, std::string>>
      fd_;  // dir -> file -> newest

 private:
  template <typename R>
  static std::string Ids(const R& ids) {
    std::vector<int64_t> v(ids.begin(), ids.end());
    std::sort(v.begin(), v.end());
    return absl::StrJoin(v, ",");
  }
};

// Prints up to `limit` lines, then "... and N more".
class Lines {
 public:
  Lines(std::ostream& out, int limit) : out_(out), limit_(limit) {}
  void Add(const std::string& line) {
    if (printed_ < limit_) {
      out_ << "  " << line << "\n";
      ++printed_;
    } else {
      ++hidden_;
    }
  }
  ~Lines() {
    if (hidden_ > 0) out_ << "  ... and " << hidden_ << " more\n";
  }

 private:
  std::ostream& out_;
  int limit_;
  int printed_ = 0;
  int64_t hidden_ = 0;
};

std::vector<std::string> SortedKeys(
    const absl::flat_hash_map<std::string, std::vector<int64_t>>& m) {
  std::vector<std::string> keys;
  keys.reserve(m.size());
  for (const auto& [k, v] : m) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Returns true when anything differs.
bool DiffDigests(const DigestVisitor& a, const DigestVisitor& b, const DiffOptions& options,
                 std::ostream& out) {
  bool changed = false;
  out << "Time: " << FormatTime(a.time_) << " -> " << FormatTime(b.time_) << "\n";

  static const std::map<std::string, std::string> kEmpty;
  for (int f = kNetblockCountryCache; f <= kLastCacheField; ++f) {
    if (f == kFileDetailsCache || f == kMirrorListCache) continue;
    auto ia = a.kv_.find(f), ib = b.kv_.find(f);
    const auto& ma = ia == a.kv_.end() ? kEmpty : ia->second;
    const auto& mb = ib == b.kv_.end() ? kEmpty : ib->second;
    std::vector<std::string> added, removed, modified;
    for (const auto& [k, v] : mb) {
      auto it = ma.find(k);
      if (it == ma.end()) {
        added.push_back(absl::StrCat("+ ", k, " -> ", v));
      } else if (it->second != v) {
        modified.push_back(absl::StrCat("~ ", k, ": ", it->second, " -> ", v));
      }
    }
    for (const auto& [k, v] : ma) {
      if (!mb.contains(k)) removed.push_back(absl::StrCat("- ", k, " -> ", v));
    }
    const char* title = CacheFieldName(f);
    if (f == kRepoArchToDirectoryName) title = "RepoArchToDirectoryName (repositories)";
    if (f == kDisabledRepositoryCache) title = "DisabledRepositoryCache (disabled repositories)";
    out << title << ": " << ma.size() << " -> " << mb.size() << " (+" << added.size() << " -"
        << removed.size() << " ~" << modified.size() << ")\n";
    if (added.empty() && removed.empty() && modified.empty()) continue;
    changed = true;
    Lines lines(out, options.limit);
    for (const auto& l : added) lines.Add(l);
    for (const auto& l : removed) lines.Add(l);
    for (const auto& l : modified) lines.Add(l);
  }

  // File details: directories, and files whose newest version changed.
  {
    std::vector<std::string> added, removed, modified;
    for (const auto& [dir, files] : b.fd_) {
      auto it = a.fd_.find(dir);
      if (it == a.fd_.end()) {
        added.push_back(absl::StrCat("+ ", dir));
        continue;
      }
      for (const auto& [file, newest] : files) {
        auto f = it->second.find(file);
        if (f == it->second.end()) {
          modified.push_back(absl::StrCat("+ ", dir, "/", file));
        } else if (f->second != newest) {
          modified.push_back(absl::StrCat("~ ", dir, "/", file, " (newest version changed)"));
        }
      }
      for (const auto& [file, newest] : it->second) {
        if (!files.contains(file)) modified.push_back(absl::StrCat("- ", dir, "/", file));
      }
    }
    for (const auto& [dir, files] : a.fd_) {
      if (!b.fd_.contains(dir)) removed.push_back(absl::StrCat("- ", dir));
    }
    std::sort(added.begin(), added.end());
    std::sort(removed.begin(), removed.end());
    std::sort(modified.begin(), modified.end());
    out << "FileDetailsCache: " << a.fd_.size() << " -> " << b.fd_.size() << " directories (+"
        << added.size() << " -" << removed.size() << "), " << modified.size()
        << " file change(s)\n";
    if (!added.empty() || !removed.empty() || !modified.empty()) {
      changed = true;
      Lines lines(out, options.limit);
      for (const auto& l : added) lines.Add(l);
      for (const auto& l : removed) lines.Add(l);
      for (const auto& l : modified) lines.Add(l);
    }
  }

  // Directories and the hosts that serve them.
  std::vector<std::string> added, removed, host_changes;
  std::map<int64_t, std::pair<int64_t, int64_t>> per_host;  // host -> (gained, lost)
  for (const std::string& dir : SortedKeys(b.dirs_)) {
    auto it = a.dirs_.find(dir);
    if (it == a.dirs_.end()) {
      added.push_back(dir);
      continue;
    }
    const auto& old_hosts = it->second;
    const auto& new_hosts = b.dirs_.at(dir);
    std::vector<int64_t> gained, lost;
    std::set_difference(new_hosts.begin(), new_hosts.end(), old_hosts.begin(), old_hosts.end(),
                        std::back_inserter(gained));
    std::set_difference(old_hosts.begin(), old_hosts.end(), new_hosts.begin(), new_hosts.end(),
                        std::back_inserter(lost));
    if (gained.empty() && lost.empty()) continue;
    for (int64_t h : gained) ++per_host[h].first;
    for (int64_t h : lost) ++per_host[h].second;
    std::string line = dir + ":";
    if (!gained.empty()) absl::StrAppend(&line, " gained ", absl::StrJoin(gained, ","));
    if (!lost.empty()) absl::StrAppend(&line, " lost ", absl::StrJoin(lost, ","));
    host_changes.push_back(std::move(line));
  }
  for (const std::string& dir : SortedKeys(a.dirs_)) {
    if (!b.dirs_.contains(dir)) removed.push_back(dir);
  }
  out << "MirrorListCache: " << a.dirs_.size() << " -> " << b.dirs_.size() << " directories (+"
      << added.size() << " -" << removed.size() << ")\n";
  if (!added.empty() || !removed.empty()) {
    changed = true;
    Lines lines(out, options.limit);
    for (const auto& d : added) lines.Add("+ " + d);
    for (const auto& d : removed) lines.Add("- " + d);
  }
  out << "hosts per directory: " << host_changes.size() << " director"
      << (host_changes.size() == 1 ? "y" : "ies") << " changed\n";
  if (!host_changes.empty()) {
    changed = true;
    {
      Lines lines(out, options.limit);
      for (const auto& l : host_changes) lines.Add(l);
    }
    out << "per host (directories gained / lost):\n";
    std::vector<std::pair<int64_t, std::pair<int64_t, int64_t>>> hosts(per_host.begin(),
                                                                       per_host.end());
    std::stable_sort(hosts.begin(), hosts.end(), [](const auto& x, const auto& y) {
      return x.second.first + x.second.second > y.second.first + y.second.second;
    });
    Lines lines(out, options.limit);
    for (const auto& [host, gl] : hosts) {
      lines.Add(absl::StrCat("host ", host, ": +", gl.first, " -", gl.second));
    }
  }
  out << (changed ? "caches differ\n" : "no differences (apart from Time)\n");
  return changed;
}

}  // namespace

absl::StatusOr<int> InspectCache(const std::string& path, const InspectOptions& options,
                                 std::ostream& out) {
  struct stat st;
  int64_t size = stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
  return Inspect(
      path, size, [&](CacheVisitor& v) { return ReadCacheFile(path, v); }, options, out);
}

absl::StatusOr<int> InspectCacheBytes(std::string_view bytes, const InspectOptions& options,
                                      std::ostream& out) {
  return Inspect(
      "<memory>", static_cast<int64_t>(bytes.size()),
      [&](CacheVisitor& v) { return ReadCacheBytes(bytes, v); }, options, out);
}

absl::StatusOr<int> DiffCaches(const std::string& old_path, const std::string& new_path,
                               const DiffOptions& options, std::ostream& out) {
  DigestVisitor a, b;
  MM_RETURN_IF_ERROR(ReadCacheFile(old_path, a));
  MM_RETURN_IF_ERROR(ReadCacheFile(new_path, b));
  out << "old: " << old_path << "\nnew: " << new_path << "\n";
  return DiffDigests(a, b, options, out) ? 1 : 0;
}

}  // namespace mm::cachegen
