// Fuzzes report_mirror's configparser reader: parsing, interpolated lookups of every option, and
// building the payload (categories point at paths that do not exist, so nothing is walked).
#include <cstddef>
#include <cstdint>
#include <string>

#include "tools/report_mirror/report_mirror.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto ini = mm::report_mirror::ParseIni(text, "fuzz.conf");
  if (!ini.ok() || ini->defaults.Raw("path") != nullptr) return 0;
  for (const auto& section : ini->sections) {
    for (const auto& [key, raw] : section.options) {
      if (!ini->Has(section.name, key)) __builtin_trap();
      (void)ini->Get(section.name, key);
    }
    if (section.Raw("path") != nullptr) return 0;  // never walk the fuzzing machine's disk
  }
  (void)mm::report_mirror::BuildPayload(*ini, {}, std::nullopt);
  return 0;
}
