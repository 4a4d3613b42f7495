#pragma once
// DNS resolution of host_netblock entries that are host names. Behind an interface so that
// tests can inject failures and slowness; the system implementation resolves in parallel with
// a bounded overall deadline.

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace mm::cachegen {

struct ResolveResults {
  // name -> addresses in canonical text form ("192.0.2.1", "2001:db8::1"), de-duplicated.
  std::map<std::string, std::vector<std::string>> addresses;
  // name -> why it has no addresses (lookup error, or not finished before the deadline).
  std::map<std::string, std::string> errors;
};

class HostResolver {
 public:
  virtual ~HostResolver() = default;
  // Resolves every name (IPv4 and IPv6). Returns within about `timeout`: names still pending
  // then are reported in `errors`. Thread-safe.
  virtual ResolveResults ResolveAll(const std::vector<std::string>& names,
                                    absl::Duration timeout) = 0;
};

// getaddrinfo(3) on up to `parallelism` threads. Lookups still running at the deadline are
// abandoned: their threads finish in the background and their results are dropped.
class SystemResolver final : public HostResolver {
 public:
  explicit SystemResolver(int parallelism) : parallelism_(parallelism < 1 ? 1 : parallelism) {}
  ResolveResults ResolveAll(const std::vector<std::string>& names, absl::Duration timeout) override;

 private:
  int parallelism_;
};

}  // namespace mm::cachegen
