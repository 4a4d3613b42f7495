#pragma once
// The directory.files column: MirrorManager2 stores the short file sample as JSON bytes, a list
// sorted by file name of {"name": str, "size": int, "timestamp": int} (model.py
// JsonDictTypeFilter). Legacy rows may hold a Python pickle, which we never unpickle: such a
// value reads as an empty sample and the next UMDL run rewrites it (DESIGN.md §5).

#include <string>
#include <string_view>
#include <vector>

#include "services/catalog/model.h"

namespace mm::catalog {

// Byte-compatible with Python's json.dumps (", " and ": " separators, ensure_ascii).
std::string EncodeDirectoryFiles(std::vector<DirectoryFile> files);

// Bounded and total: malformed, oversized (> max_bytes) or non-JSON input gives an empty list;
// `ok`, when given, says whether the value was well-formed.
std::vector<DirectoryFile> DecodeDirectoryFiles(std::string_view blob, bool* ok = nullptr,
                                                size_t max_bytes = 64 << 20);

}  // namespace mm::catalog
