#include "services/umdl/repo_map.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mm::umdl {
namespace {

bool Has(std::string_view path, std::string_view s) {
  return path.find(s) != std::string_view::npos;
}

// repomap.is_development: r'\/?development\/((\d+))/' searched anywhere.
std::optional<std::string> DevelopmentNumber(std::string_view path) {
  static constexpr std::string_view kDev = "development/";
  size_t from = 0;
  while ((from = path.find(kDev, from)) != std::string_view::npos) {
    size_t i = from + kDev.size();
    size_t j = i;
    while (j < path.size() && absl::ascii_isdigit(static_cast<unsigned char>(path[j]))) ++j;
    if (j > i && j < path.size() && path[j] == '/') return std::string(path.substr(i, j - i));
    from += 1;
  }
  return std::nullopt;
}

std::optional<std::string> CentosPrefix(std::string_view path) {
  for (const char* c :
       {"os", "updates", "extras", "centosplus", "contrib", "fasttrack", "cr", "addons", "xen4"}) {
    if (Has(path, absl::StrCat("/", c, "/"))) return std::string(c);
  }
  return std::nullopt;
}

// debug before source, as upstream.
std::string Pick(bool debug, bool source, std::string_view d, std::string_view s,
                 std::string_view plain) {
  if (debug) return std::string(d);
  if (source) return std::string(s);
  return std::string(plain);
}

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::optional<std::string> RepoPrefix(std::string_view path, std::string_view category,
                                      const std::optional<std::string>& ver) {
  // Repositories under 'test' get no prefix: no repo files are provided for them.
  if (Has(path, "test/")) return std::nullopt;
  const bool debug = Has(path, "debug");
  const bool rawhide = Has(path, "rawhide");
  const std::optional<std::string> dev = DevelopmentNumber(path);
  const bool source = Has(path, "source") || Has(path, "SRPMS");
  const bool updates_testing = Has(path, "updates/testing");
  const bool playground = Has(path, "playground");
  const bool testing = Has(path, "testing");
  const bool releases = Has(path, "releases");
  const bool updates_released = !updates_testing && Has(path, "updates");
  const bool atomic = Has(path, "atomic");
  const bool everything = Has(path, "Everything");
  const bool fedora = Has(path, "Fedora");
  const bool modular = Has(path, "Modular");

  std::string v = "unknown";
  if (!rawhide && ver) v = *ver;
  if (dev) v = *dev;

  if (category == "Fedora EPEL") {
    std::string m = modular ? "modular-" : "";
    if (testing) {
      return Pick(debug, source, absl::StrCat("testing-", m, "debug-epel", v),
                  absl::StrCat("testing-", m, "source-epel", v),
                  absl::StrCat("testing-", m, "epel", v));
    }
    if (playground) {
      return Pick(debug, source, absl::StrCat("playground-", m, "debug-epel", v),
                  absl::StrCat("playground-", m, "source-epel", v),
                  absl::StrCat("playground-", m, "epel", v));
    }
    return Pick(debug, source, absl::StrCat("epel-", m, "debug-", v),
                absl::StrCat("epel-", m, "source-", v), absl::StrCat("epel-", m, v));
  }

  if (category == "Fedora Linux" || category == "Fedora Secondary Arches" ||
      category == "Fedora Archive") {
    if (releases || dev) {
      if (everything) {
        if (rawhide) return Pick(debug, source, "rawhide-debug", "rawhide-source", "rawhide");
        return Pick(debug, source, "fedora-debug-" + v, "fedora-source-" + v, "fedora-" + v);
      }
      if (modular) {
        return Pick(debug, source, "fedora-modular-debug-" + v, "fedora-modular-source-" + v,
                    "fedora-modular-" + v);
      }
      if (fedora) {
        // releases/$version/Fedora/$arch/debug/ and .../source/SRPMS/ are ignored.
        if (debug || source) return std::nullopt;
        return "fedora-install-" + v;
      }
      return std::nullopt;
    }
    if (modular) {
      if (updates_released) {
        return Pick(debug, source, "updates-released-modular-debug-f" + v,
                    "updates-released-modular-source-f" + v, "updates-released-modular-f" + v);
      }
      if (updates_testing) {
        return Pick(debug, source, "updates-testing-modular-debug-f" + v,
                    "updates-testing-modular-source-f" + v, "updates-testing-modular-f" + v);
      }
      if (rawhide) {
        return Pick(debug, source, "rawhide-modular-debug", "rawhide-modular-source",
                    "rawhide-modular");
      }
      return Pick(debug, source, "fedora-modular-debug-" + v, "fedora-modular-source-" + v,
                  "fedora-modular-" + v);
    }
    if (atomic) return "atomic-" + v;
    if (updates_released && everything) {
      return Pick(debug, source, "updates-released-debug-f" + v, "updates-released-source-f" + v,
                  "updates-released-f" + v);
    }
    if (updates_testing && everything) {
      return Pick(debug, source, "updates-testing-debug-f" + v, "updates-testing-source-f" + v,
                  "updates-testing-f" + v);
    }
    if (rawhide) return Pick(debug, source, "rawhide-debug", "rawhide-source", "rawhide");
    return std::nullopt;
  }

  auto rpmfusion = [&](std::string_view base, bool with_rawhide) -> std::optional<std::string> {
    std::string b(base);
    if (releases) {
      if (!everything) return std::nullopt;
      return Pick(debug, source, b + "-debug-" + v, b + "-source-" + v, b + "-" + v);
    }
    if (updates_released) {
      return Pick(debug, source, b + "-updates-released-debug-" + v,
                  b + "-updates-released-source-" + v, b + "-updates-released-" + v);
    }
    if (updates_testing) {
      return Pick(debug, source, b + "-updates-testing-debug-" + v,
                  b + "-updates-testing-source-" + v, b + "-updates-testing-" + v);
    }
    if (with_rawhide && rawhide) {
      return Pick(debug, source, b + "-rawhide-debug", b + "-rawhide-source", b + "-rawhide");
    }
    return std::nullopt;
  };
  if (category == "RPMFUSION free EL") return rpmfusion("free-el", false);
  if (category == "RPMFUSION nonfree EL") return rpmfusion("nonfree-el", false);
  if (category == "RPMFUSION free Fedora") return rpmfusion("free-fedora", true);
  if (category == "RPMFUSION nonfree Fedora") return rpmfusion("nonfree-fedora", true);

  if (category == "RHEL") {
    std::string prefix;
    if (Has(path, "ClusteredStorage")) {
      prefix = "rhel-" + v + "-clusteredstorage";
    } else if (Has(path, "HighAvailability")) {
      prefix = "rhel-" + v + "-highavailability";
    } else if (Has(path, "LargeFileSystem")) {
      prefix = "rhel-" + v + "-largefilesystem";
    } else if (Has(path, "LoadBalance")) {
      prefix = "rhel-" + v + "-loadbalance";
    } else if (Has(path, "optional")) {
      // Upstream tests source before debug in this one branch.
      prefix = source  ? "rhel-optional-source-" + v
               : debug ? "rhel-optional-debug-" + v
                       : "rhel-optional-" + v;
    } else {
      prefix = Pick(debug, source, "rhel-debug-" + v, "rhel-source-" + v, "rhel-" + v);
    }
    if (Has(path, "beta")) prefix += "-beta";
    return prefix;
  }
  if (category == "CentOS") return CentosPrefix(path);
  if (category == "Fedora Codecs") {
    return absl::StrCat("fedora-cisco-openh264-", debug ? "debug-" : "", v);
  }
  return std::nullopt;
}

std::optional<std::string> VersionFromPath(std::string_view path) {
  // Debian/Ubuntu: r'dists/(\w+)/'
  for (size_t from = 0; (from = path.find("dists/", from)) != std::string_view::npos; ++from) {
    size_t i = from + 6, j = i;
    while (j < path.size() && IsWordChar(path[j])) ++j;
    if (j > i && j < path.size() && path[j] == '/') return std::string(path.substr(i, j - i));
  }
  // Fedora: r'/(([\.\d]+)([-_]\w+)?)/' (the first match, leftmost).
  for (size_t s = path.find('/'); s != std::string_view::npos; s = path.find('/', s + 1)) {
    size_t i = s + 1, j = i;
    while (j < path.size() &&
           (path[j] == '.' || absl::ascii_isdigit(static_cast<unsigned char>(path[j]))))
      ++j;
    if (j == i) continue;
    // Greedy digits/dots, then an optional [-_]\w+ suffix; the regex backtracks into the
    // suffix only, so both forms are tried.
    if (j < path.size() && (path[j] == '-' || path[j] == '_')) {
      size_t k = j + 1;
      while (k < path.size() && IsWordChar(path[k])) ++k;
      if (k > j + 1 && k < path.size() && path[k] == '/') return std::string(path.substr(i, k - i));
    }
    if (j < path.size() && path[j] == '/') return std::string(path.substr(i, j - i));
  }
  if (Has(path, "rawhide")) return std::string("development");
  return std::nullopt;
}

bool IsTestPath(std::string_view path) { return Has(path, "/test/") || Has(path, "/stage/"); }

bool HasPathComponent(std::string_view path, std::string_view component) {
  if (component.empty()) return false;
  for (size_t from = 0; (from = path.find(component, from)) != std::string_view::npos; ++from) {
    bool start = from == 0 || path[from - 1] == '/';
    size_t end = from + component.size();
    bool stop = end == path.size() || path[end] == '/';
    if (start && stop) return true;
  }
  return false;
}

std::optional<std::string> GuessArch(std::string_view relative_path,
                                     const std::vector<std::string>& arch_names) {
  if (Has(relative_path, "SRPMS")) {
    if (std::find(arch_names.begin(), arch_names.end(), "source") != arch_names.end()) {
      return std::string("source");
    }
    return std::nullopt;
  }
  for (const auto& a : arch_names) {
    if (HasPathComponent(relative_path, a)) return a;
  }
  return std::nullopt;
}

bool IsSkippedRepoDir(std::string_view relative_path) {
  return Has(relative_path, "Cloud") || Has(relative_path, "Workstation") ||
         Has(relative_path, "Server");
}

}  // namespace mm::umdl
