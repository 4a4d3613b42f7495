#pragma once
// Python's int(text) for the numbers upstream reads from outside data with int(): fullfiletimelist
// columns and repomd.xml timestamps.

#include <cstdint>
#include <optional>
#include <string_view>

namespace mm::umdl {

// Base-10 int(text): surrounding whitespace, one sign and single '_' between digits allowed
// (PEP 515), leading zeros too; limited to int64. nullopt where int() raises (or the value does
// not fit). Only ASCII digits (Python would take other Unicode digits too).
std::optional<int64_t> ParsePythonInt(std::string_view text);

}  // namespace mm::umdl
