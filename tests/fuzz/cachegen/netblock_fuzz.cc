// Fuzz target: host_netblock text as mirror admins type it. Every result must be usable:
// network keys re-parse as CIDR to themselves, host names pass the name rules.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "services/cachegen/netblock.h"
#include "services/cachegen/text_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  mm::cachegen::ParsedNetblock p = mm::cachegen::ParseNetblock(text);
  switch (p.kind) {
    case mm::cachegen::ParsedNetblock::Kind::kNetwork: {
      std::string again;
      if (!mm::cachegen::ParseCidr(p.text, &again) || again != p.text) std::abort();
      break;
    }
    case mm::cachegen::ParsedNetblock::Kind::kDnsName:
      if (p.text.empty() || p.text.size() > 254 || !mm::cachegen::IsValidUtf8(p.text)) std::abort();
      break;
    case mm::cachegen::ParsedNetblock::Kind::kInvalid:
      break;
  }
  std::string key;
  if (mm::cachegen::ParseCidr(text, &key) && mm::cachegen::ParseNetblock(key).text != key) {
    std::abort();
  }
  (void)mm::cachegen::HostKeyForAddress(text);
  return 0;
}
