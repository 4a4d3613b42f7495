#pragma once
// Repository naming and classification (mm2-backend.md §1.8, §1.8.1): the yum/dnf repository
// prefix of a directory ("fedora-40", "updates-released-f40", "epel-9", ...), and the version and
// architecture guessed from its path.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm::umdl {

// MirrorManager2's repo_prefix(path, category, version): `relative_path` is relative to the
// category's top directory; `version_name` is the repository's version (nullopt = none). nullopt
// means the repository gets no prefix (SQL NULL).
std::optional<std::string> RepoPrefix(std::string_view relative_path,
                                      std::string_view category_name,
                                      const std::optional<std::string>& version_name);

// A version name found in a path: Debian-style "dists/<word>/", else the first
// "/<digits and dots>[-_suffix]/" component (slashes on both sides), else "development" when
// the path contains "rawhide". nullopt when nothing matches.
std::optional<std::string> VersionFromPath(std::string_view path);
// New versions are test versions when the path contains "/test/" or "/stage/".
bool IsTestPath(std::string_view path);

// True when `component` is a whole path component of `path` (upstream's
// '.*(^|/)NAME(/|$).*' test).
bool HasPathComponent(std::string_view path, std::string_view component);

// The arch of a repository directory: "source" when the path contains "SRPMS", else the first
// of `arch_names` (ordered by name) that is a whole path component. nullopt when none matches
// (or "source" is not a known arch).
std::optional<std::string> GuessArch(std::string_view relative_path,
                                     const std::vector<std::string>& arch_names);

// Directories whose relative path contains one of these never get a repository: the
// "Everything" tree owns them.
bool IsSkippedRepoDir(std::string_view relative_path);

}  // namespace mm::umdl
