// Fuzz target: the MirrorManager2 configuration parser (services/common/python_literal.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/common/python_literal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = mm::common::ParsePythonAssignments(text, "fuzz.cfg");
  if (parsed.ok()) {
    for (const auto& a : *parsed) (void)a.value.Repr();
  }
  (void)mm::common::ParsePythonExpression(text);
  return 0;
}
