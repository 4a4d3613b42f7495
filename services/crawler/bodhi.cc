#include "services/crawler/bodhi.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace mm::crawler {

absl::StatusOr<BodhiPage> ParseBodhiReleases(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) return absl::InvalidArgumentError("Bodhi answer too large");
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::InvalidArgumentError("Bodhi answer is not a JSON object");
  auto rel = j.find("releases");
  if (rel == j.end() || !rel->is_array()) {
    return absl::InvalidArgumentError("Bodhi answer has no \"releases\" list");
  }
  BodhiPage page;
  for (const auto& r : *rel) {
    if (!r.is_object()) continue;
    BodhiRelease b;
    auto get = [&](const char* key) -> std::string {
      auto it = r.find(key);
      if (it == r.end()) return "";
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
      return "";
    };
    b.id_prefix = get("id_prefix");
    b.version = get("version");
    b.name = get("name");
    if (b.id_prefix.empty() || b.version.empty()) continue;
    page.releases.push_back(std::move(b));
  }
  auto num = [&](const char* key, int fallback) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return fallback;
    int64_t v = it->get<int64_t>();
    return v < 1 || v > 1000000 ? fallback : static_cast<int>(v);
  };
  page.page = num("page", 1);
  page.pages = num("pages", 1);
  return page;
}

std::string ProductForBodhiPrefix(std::string_view id_prefix) {
  if (id_prefix == "FEDORA") return "Fedora";
  if (id_prefix == "FEDORA-EPEL") return "EPEL";
  return "";
}

std::string PropagationPrefix(std::string_view product, std::string_view version) {
  if (product == "Fedora") return absl::StrCat("updates-released-f", std::string(version));
  if (product == "EPEL") return absl::StrCat("epel-", std::string(version));
  if (product == "CentOS") return absl::StrCat("centos-baseos-", std::string(version));
  return "";
}

}  // namespace mm::crawler
