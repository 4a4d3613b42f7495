#pragma once
// Bodhi's release list (GET {BODHI_URL}/releases/?state=current&page=N): one JSON page with
// "releases" (objects with "id_prefix", "version", "name", ...), "page" and "pages".
// mm2-backend.md §2.10 maps FEDORA -> product "Fedora" and FEDORA-EPEL -> "EPEL".

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mm::crawler {

struct BodhiRelease {
  std::string id_prefix;
  std::string version;
  std::string name;
};

struct BodhiPage {
  std::vector<BodhiRelease> releases;
  int page = 1;
  int pages = 1;
};

// Bounded: inputs over `max_bytes` or not in the expected shape give InvalidArgument.
absl::StatusOr<BodhiPage> ParseBodhiReleases(std::string_view json, size_t max_bytes = 16 << 20);

// "FEDORA" -> "Fedora", "FEDORA-EPEL" -> "EPEL", anything else -> "".
std::string ProductForBodhiPrefix(std::string_view id_prefix);
// Repository prefix of a product's released updates: Fedora "updates-released-f{V}",
// EPEL "epel-{V}", CentOS "centos-baseos-{V}"; "" for others.
std::string PropagationPrefix(std::string_view product, std::string_view version);

}  // namespace mm::crawler
