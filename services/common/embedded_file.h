#pragma once
// A text file compiled into the binary (see mm_embed_files in cmake/MmTargets.cmake).

namespace mm::common {

struct EmbeddedFile {
  const char* name;      // base name, e.g. "0001_mm2_base.sql"
  const char* contents;  // NUL-terminated text
};

}  // namespace mm::common
