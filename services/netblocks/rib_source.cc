#include "services/netblocks/rib_source.h"

#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace mm::netblocks {

std::string ExpandUrlTemplate(const std::string& url, absl::Time now, const std::string& router) {
  absl::CivilDay yesterday = absl::ToCivilDay(now, absl::UTCTimeZone()) - 1;
  return absl::StrReplaceAll(url, {{"{year}", absl::StrFormat("%04d", yesterday.year())},
                                   {"{month}", absl::StrFormat("%02d", yesterday.month())},
                                   {"{day}", absl::StrFormat("%02d", yesterday.day())},
                                   {"{router}", router}});
}

bool IsRibFileName(const std::string& name) {
  if (name.size() > 256) return false;
  static const std::regex kRib("rib.[0-9]+.[0-9]+.bz2");
  return std::regex_match(name, kRib);
}

absl::StatusOr<std::string> ResolveRibUrl(Fetcher& fetcher, const std::string& url) {
  if (url.empty() || url.back() != '/') return url;
  auto entries = fetcher.ListDirectory(url);
  if (!entries.ok()) return entries.status();
  for (const std::string& name : *entries) {
    if (IsRibFileName(name)) return url + name;
  }
  return absl::NotFoundError(
      absl::StrCat("no RIB file (rib.<digits>.<digits>.bz2) listed in ", url));
}

}  // namespace mm::netblocks
