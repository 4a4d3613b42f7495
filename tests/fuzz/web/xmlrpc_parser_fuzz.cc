// Fuzzes the bounded XML-RPC parser (calls and responses) and checks that what it accepts
// survives a write/parse round trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include "services/web-gateway/xmlrpc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  mm::web::xmlrpc::Limits limits;
  limits.max_bytes = 1 << 20;
  auto call = mm::web::xmlrpc::ParseMethodCall(input, limits);
  if (call.ok()) {
    auto again = mm::web::xmlrpc::ParseMethodCall(mm::web::xmlrpc::WriteMethodCall(*call), limits);
    if (!again.ok() || again->params.size() != call->params.size()) __builtin_trap();
  }
  auto resp = mm::web::xmlrpc::ParseMethodResponse(input, limits);
  if (resp.ok() && !resp->is_fault) (void)mm::web::xmlrpc::WriteResponse(resp->value);
  return 0;
}
