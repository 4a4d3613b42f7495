#include "services/umdl/paths.h"

namespace mm::umdl {

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out;
  out.reserve(a.size() + b.size() + 1);
  out.append(a);
  if (out.back() != '/') out += '/';
  out.append(b);
  return out;
}

std::string_view ParentOf(std::string_view relative) {
  size_t slash = relative.rfind('/');
  if (slash == std::string_view::npos) return {};
  return relative.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::optional<std::string> RelativeToTop(std::string_view topdir, std::string_view name) {
  if (topdir.empty()) return std::string(name);
  if (name == topdir) return std::string();
  if (name.size() > topdir.size() && name.substr(0, topdir.size()) == topdir &&
      name[topdir.size()] == '/') {
    return std::string(name.substr(topdir.size() + 1));
  }
  return std::nullopt;
}

std::optional<std::string> NormaliseListedPath(std::string_view path) {
  if (!path.empty() && path.front() == '/') return std::nullopt;
  std::string out;
  out.reserve(path.size());
  bool leading = true;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty()) continue;
    if (part == ".") {
      if (leading) continue;
      return std::nullopt;
    }
    leading = false;
    if (part == ".." || part.find('\0') != std::string_view::npos) return std::nullopt;
    if (!out.empty()) out += '/';
    out.append(part);
  }
  return out;
}

bool IsPlainFileName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

std::string StripTrailingSlashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

}  // namespace mm::umdl
