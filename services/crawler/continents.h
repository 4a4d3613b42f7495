#pragma once
// Continent and embargo filtering of hosts (mm2-backend.md §2.11, working): the host name of the
// preferred URL is resolved, each address is looked up in a MaxMind country database, the most
// frequent country wins ("US" when nothing is found); an embargoed country disables the host;
// otherwise the country's continent (country_continent.csv overridden by the
// country_continent_redirect table) must be selected by --continent ("^EU" excludes; an
// exclusion-only list selects every other continent).
//
// Thread-safety: Check() may be called from any thread after construction.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct MMDB_s;

namespace mm::crawler {

// Resolves a host name to textual addresses; empty on failure. May block (ContinentFilter bounds
// the wait).
using Resolver = std::function<std::vector<std::string>(const std::string& host)>;
std::vector<std::string> SystemResolve(const std::string& host);

// "scheme://user@host:port/path" -> "host" (IPv6 brackets removed); "" when malformed.
std::string UrlHost(std::string_view url);

// Parses "CC,KK" lines (a header line and blank lines are skipped).
std::map<std::string, std::string> ParseCountryContinentCsv(std::string_view text);
// The table compiled into the binary (upstream's utility/country_continent.csv).
std::string_view BuiltinCountryContinentCsv();

class ContinentFilter {
 public:
  struct Verdict {
    enum class Kind { kCrawl, kWrongContinent, kEmbargoed, kBrokenUrl };
    Kind kind = Kind::kCrawl;
    std::string country;
    std::string continent;
  };

  // `mmdb_path` is opened now (error when missing or invalid). `selection` holds --continent
  // values ("EU", "^AS"); empty selects everything (embargo check only).
  static absl::StatusOr<std::unique_ptr<ContinentFilter>> Create(
      const std::string& mmdb_path, std::map<std::string, std::string> country_continent,
      const std::map<std::string, std::string>& redirects, std::vector<std::string> selection,
      std::vector<std::string> embargoed, Resolver resolver = SystemResolve);
  ~ContinentFilter();

  // The name lookup is abandoned after `timeout` (the resolver keeps running on a detached
  // thread; getaddrinfo cannot be cancelled) and then counts as a failed lookup.
  Verdict Check(const std::string& url, absl::Duration timeout = absl::Seconds(10)) const;
  // Most frequent country of the addresses; "US" when none is known.
  std::string CountryOf(const std::vector<std::string>& addresses) const;
  std::string ContinentOf(const std::string& country) const;
  bool Selected(const std::string& continent) const;

 private:
  ContinentFilter() = default;
  std::unique_ptr<MMDB_s> mmdb_;
  std::map<std::string, std::string> continents_;
  std::vector<std::string> include_, exclude_;
  std::vector<std::string> embargoed_;
  Resolver resolver_;
};

}  // namespace mm::crawler
