#pragma once
// Path helpers shared by the synchronizers: directory names as MirrorManager2 stores them
// ("pub/fedora/linux/releases/40", no leading or trailing slash) and names relative to a
// category's top directory ("releases/40"; "" is the top itself).

#include <optional>
#include <string>
#include <string_view>

namespace mm::umdl {

// "a/b" + "c" -> "a/b/c"; either side may be empty.
std::string JoinPath(std::string_view a, std::string_view b);

// Parent of a relative name: "a/b/c" -> "a/b", "a" -> "", "" -> "".
std::string_view ParentOf(std::string_view relative);
// Last component: "a/b/c" -> "c".
std::string_view BaseName(std::string_view path);

// The name relative to `topdir` ("" for the top itself), or nullopt when `name` is not below
// `topdir`. An empty topdir contains every name.
std::optional<std::string> RelativeToTop(std::string_view topdir, std::string_view name);

// Normalises a path read from a listing: strips "./" prefixes, trailing slashes and repeated
// slashes. Returns nullopt for absolute paths and paths with "." or ".." components (after the
// leading "./"), which are never accepted from outside data. "." itself gives "".
std::optional<std::string> NormaliseListedPath(std::string_view path);

// A file name taken from a checksum file is used only when it names a file of that very
// directory: no '/', not "." or "..", not empty, no NUL.
bool IsPlainFileName(std::string_view name);

// Strips trailing slashes (but keeps "/").
std::string StripTrailingSlashes(std::string_view path);

}  // namespace mm::umdl
