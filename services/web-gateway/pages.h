#pragma once
// Page models (STYLE.md rule 3: handler -> plain page-model builder -> template): pure functions
// from catalog data and the request to Mustache data or text. No I/O, no gRPC, no HTTP server.

#include <kainjow/mustache.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mirrormanager/catalog/v1/public.pb.h"
#include "nlohmann/json.hpp"
#include "services/web-gateway/snapshot.h"

namespace mm::web {

using Data = kainjow::mustache::data;
namespace pb = ::mirrormanager::catalog::v1;

// ---- URLs ----
std::string PercentDecode(std::string_view in, bool plus_as_space);
// Encodes everything but unreserved characters (RFC 3986), for path segments and query values.
std::string PercentEncode(std::string_view in);

// A parsed query string (first value wins for repeated keys, as Flask's request.args.get).
class Query {
 public:
  Query() = default;
  explicit Query(std::string_view raw);  // without the leading '?'
  std::optional<std::string> Get(const std::string& key) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Python's repr(float): the shortest text that reads back as `v` ("10.0", "48.8566", "1e-05").
std::string PyFloatRepr(double v);

// "2026-11-25T13:00:00Z"
std::string IsoTime(int64_t unix_seconds);

// ---- pages ----
Data HomePage(const PublicView& view);

struct MirrorListRequest {
  std::optional<std::string> product, version, arch;  // decoded path segments
  std::string path;                                   // e.g. "/mirrors/Fedora/27"
  Query query;
  int default_page_size = 20;  // ITEMS_PER_PAGE
};
struct MirrorSelection {
  const pb::PublicProduct* product = nullptr;
  const pb::PublicVersion* version = nullptr;
  const pb::PublicArch* arch = nullptr;
  const pb::PublicCountry* country = nullptr;
  std::vector<const pb::PublicHost*> hosts;  // every match, list order
};
// The filters of mm2-web-and-data.md §6.2 applied to the public snapshot.
MirrorSelection SelectMirrors(const PublicView& view, const MirrorListRequest& request);
Data MirrorListPage(const PublicView& view, const MirrorListRequest& request);
// Upstream's PagedResult.truncated_pages_list(margin): the page numbers of the pager, nullopt
// for a "..." gap. A window of 2 * margin + 1 pages, plus the first and last page.
std::vector<std::optional<int64_t>> TruncatedPagesList(int64_t page_number, int64_t total_pages,
                                                       int64_t margin);
// PagedResult.page_url(): `path` with every query parameter kept (first value of each) and
// page_size / page_number set.
std::string PageUrl(const std::string& path, const Query& query, int64_t page_size,
                    int64_t page_number);

// `category` is countries | archs | repositories; `date` YYYY-MM-DD.
Data StatisticsPage(const std::string& date, const std::string& category,
                    const pb::AccessStatsResponse& stats);
// Python's datetime.strptime(text, "%Y-%m-%d") (four-digit year, one- or two-digit month, day
// also " 7"; the whole text; a real date), as "YYYY-MM-DD"; nullopt when Python raises.
std::optional<std::string> ParseStrptimeDate(std::string_view text);
// Day before / after a YYYY-MM-DD date.
std::string ShiftDay(const std::string& date, int days);

Data PropagationPage(const pb::PropagationResponse& data, int64_t repository_id);

std::string MapLocationsText(const pb::MapUrlsResponse& urls);
Data MapsPage(const pb::MapUrlsResponse& urls);

// rsyncFilter: the directories (already selected by category and ctime) with `stripprefix`'s
// component count (len(stripprefix.split("/"))) removed, all parents added, de-duplicated and
// sorted. A name left empty is kept as "" (rendered "+ /"), as upstream.
std::vector<std::string> RsyncFilterDirectories(const std::vector<std::string>& names,
                                                const std::string& stripprefix);
// Python's int() of a string: surrounding whitespace, a sign, digits with single underscores.
std::optional<int64_t> ParsePyInt(std::string_view text);
std::string RsyncFilterText(const std::vector<std::string>& directories,
                            const std::string& message);

// ---- JSON API ----
nlohmann::json MirrorAdminsJson(const pb::MirrorAdminsResponse& admins);
nlohmann::json RepositoriesJson(const pb::ApiRepositoriesResponse& repos);
// /api/mirrors "status" of a listed (so active, public) mirror: "crawl_failing" when its last
// crawls failed (crawl_failures > 0), else "up_to_date" when every directory it carries is up to
// date, else "partially_up_to_date".
std::string MirrorStatus(int32_t crawl_failures, int64_t directories, int64_t up_to_date);
nlohmann::json MirrorsJson(const PublicView& view, const Query& query);
nlohmann::json HostStatusJson(const pb::HostStatus& status);
nlohmann::json ExplainJson(const pb::ExplainResponse& explain);

}  // namespace mm::web
