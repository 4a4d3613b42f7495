// Fuzzes the whole server-side treatment of a check-in payload up to the catalog call: the raw
// input is the XML-RPC string argument; a second path feeds it as already-decompressed JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "services/web-gateway/checkin_codec.h"

namespace {

void Check(const nlohmann::json& config, const mm::web::CheckinLimits& limits) {
  if (mm::web::ValidateCheckinConfig(config).empty()) {
    (void)mm::web::ExtractCheckinData(config, limits);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mm::web::CheckinLimits limits;
  limits.max_payload_bytes = 1 << 20;
  limits.max_decompressed_bytes = 4 << 20;
  limits.max_directories = 10000;
  std::string input(reinterpret_cast<const char*>(data), size);
  mm::web::DecodedPayload d = mm::web::DecodeCheckinPayload(input, limits);
  if (d.config && mm::web::ValidateCheckinConfig(*d.config, d.key_order).empty()) {
    (void)mm::web::ExtractCheckinData(*d.config, limits, d.key_order);
  }
  // The same bytes as bz2 data, and as the JSON document itself.
  (void)mm::web::Bz2Decompress(input, 1 << 20);
  auto encoded = mm::web::UrlSafeBase64Encode(input);
  std::string err;
  auto back = mm::web::UrlSafeBase64Decode(encoded, &err);
  if (!back || *back != input) __builtin_trap();  // round trip must hold
  if (size < 65536) {
    auto json = nlohmann::json::parse(input, nullptr, false);
    if (!json.is_discarded()) Check(json, limits);
  }
  return 0;
}
