// Fuzz target: the MirrorManager2 configuration parser (services/common/python_literal.h).
// Earlier keys and environment variables are provided, so that references, `+=`,
// os.environ[...] and % formatting run on real values too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/common/python_literal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using mm::common::PyValue;
  static const PyValue* admin_group =
      new PyValue(PyValue::MakeList({PyValue::String("sysadmin-main")}));
  static const PyValue* items_per_page = new PyValue(PyValue::Int(20));
  mm::common::PyNameLookup names = [](std::string_view name) -> const PyValue* {
    if (name == "ADMIN_GROUP") return admin_group;
    if (name == "ITEMS_PER_PAGE") return items_per_page;
    return nullptr;
  };
  mm::common::PyEnvLookup env = [](const std::string& name) -> const char* {
    return name == "HOME" || name == "PW" ? "/v%s" : nullptr;
  };
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = mm::common::ParsePythonAssignments(text, "fuzz.cfg", names, env);
  if (parsed.ok()) {
    for (const auto& a : *parsed) (void)a.value.Repr();
  } else {
    // Errors are one line: no raw control byte may reach a terminal.
    for (unsigned char c : parsed.status().message()) {
      if (c < 0x20 || c == 0x7f) std::abort();
    }
  }
  (void)mm::common::ParsePythonExpression(text);
  return 0;
}
