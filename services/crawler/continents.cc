#include "services/crawler/continents.h"

#include <maxminddb.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/embedded_file.h"

namespace mm::crawler {

extern const ::mm::common::EmbeddedFile kCrawlerData[];
extern const int kCrawlerDataCount;

std::string_view BuiltinCountryContinentCsv() {
  for (int i = 0; i < kCrawlerDataCount; ++i) {
    if (std::string_view(kCrawlerData[i].name) == "country_continent.csv")
      return kCrawlerData[i].contents;
  }
  return "";
}

std::vector<std::string> SystemResolve(const std::string& host) {
  std::vector<std::string> out;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    char buf[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) == 0) {
      if (std::find(out.begin(), out.end(), buf) == out.end()) out.emplace_back(buf);
    }
  }
  freeaddrinfo(res);
  return out;
}

std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return "";
    return std::string(rest.substr(1, close - 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

std::map<std::string, std::string> ParseCountryContinentCsv(std::string_view text) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    std::vector<std::string> cols = absl::StrSplit(line, ',');
    if (cols.size() < 2) continue;
    std::string cc(absl::StripAsciiWhitespace(cols[0]));
    std::string ct(absl::StripAsciiWhitespace(cols[1]));
    if (cc.size() != 2 || ct.size() != 2) continue;
    out[absl::AsciiStrToUpper(cc)] = absl::AsciiStrToUpper(ct);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<ContinentFilter>> ContinentFilter::Create(
    const std::string& mmdb_path, std::map<std::string, std::string> country_continent,
    const std::map<std::string, std::string>& redirects, std::vector<std::string> selection,
    std::vector<std::string> embargoed, Resolver resolver) {
  std::unique_ptr<ContinentFilter> f(new ContinentFilter());
  f->mmdb_ = std::make_unique<MMDB_s>();
  int rc = MMDB_open(mmdb_path.c_str(), MMDB_MODE_MMAP, f->mmdb_.get());
  if (rc != MMDB_SUCCESS) {
    f->mmdb_.reset();
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open GeoIP database ", mmdb_path, ": ", MMDB_strerror(rc)));
  }
  f->continents_ = std::move(country_continent);
  for (const auto& [country, continent] : redirects) {
    f->continents_[absl::AsciiStrToUpper(country)] = absl::AsciiStrToUpper(continent);
  }
  for (auto& s : selection) {
    s = absl::AsciiStrToUpper(s);
    if (!s.empty() && s[0] == '^') {
      f->exclude_.push_back(s.substr(1));
    } else {
      f->include_.push_back(s);
    }
  }
  for (auto& e : embargoed) f->embargoed_.push_back(absl::AsciiStrToUpper(e));
  f->resolver_ = std::move(resolver);
  return f;
}

ContinentFilter::~ContinentFilter() {
  if (mmdb_) MMDB_close(mmdb_.get());
}

std::string ContinentFilter::CountryOf(const std::vector<std::string>& addresses) const {
  std::map<std::string, int> votes;
  for (const auto& a : addresses) {
    int gai = 0, err = 0;
    MMDB_lookup_result_s res = MMDB_lookup_string(mmdb_.get(), a.c_str(), &gai, &err);
    if (gai != 0 || err != MMDB_SUCCESS || !res.found_entry) continue;
    MMDB_entry_data_s data;
    if (MMDB_get_value(&res.entry, &data, "country", "iso_code", nullptr) != MMDB_SUCCESS ||
        !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) {
      continue;
    }
    ++votes[std::string(data.utf8_string, data.data_size)];
  }
  std::string best = "US";
  int best_n = 0;
  for (const auto& [c, n] : votes) {
    if (n > best_n) {
      best = c;
      best_n = n;
    }
  }
  return best;
}

std::string ContinentFilter::ContinentOf(const std::string& country) const {
  auto it = continents_.find(absl::AsciiStrToUpper(country));
  return it == continents_.end() ? "--" : it->second;
}

bool ContinentFilter::Selected(const std::string& continent) const {
  if (std::find(exclude_.begin(), exclude_.end(), continent) != exclude_.end()) return false;
  if (include_.empty()) return true;
  return std::find(include_.begin(), include_.end(), continent) != include_.end();
}

namespace {

// Runs `resolver` on a detached thread and waits at most `timeout` for it.
std::vector<std::string> ResolveWithin(const Resolver& resolver, const std::string& host,
                                       absl::Duration timeout) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::vector<std::string> addresses;
  };
  auto shared = std::make_shared<Shared>();
  std::thread([shared, resolver, host] {
    std::vector<std::string> a = resolver(host);
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->addresses = std::move(a);
    shared->done = true;
    shared->cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(shared->mu);
  shared->cv.wait_for(lock, absl::ToChronoMilliseconds(std::max(timeout, absl::ZeroDuration())),
                      [&] { return shared->done; });
  return shared->done ? shared->addresses : std::vector<std::string>{};
}

}  // namespace

ContinentFilter::Verdict ContinentFilter::Check(const std::string& url,
                                                absl::Duration timeout) const {
  Verdict v;
  std::string host = UrlHost(url);
  std::vector<std::string> addresses =
      host.empty() ? std::vector<std::string>{} : ResolveWithin(resolver_, host, timeout);
  if (addresses.empty()) {
    v.kind = Verdict::Kind::kBrokenUrl;
    return v;
  }
  v.country = CountryOf(addresses);
  if (std::find(embargoed_.begin(), embargoed_.end(), v.country) != embargoed_.end()) {
    v.kind = Verdict::Kind::kEmbargoed;
    return v;
  }
  v.continent = ContinentOf(v.country);
  v.kind = Selected(v.continent) ? Verdict::Kind::kCrawl : Verdict::Kind::kWrongContinent;
  return v;
}

}  // namespace mm::crawler
