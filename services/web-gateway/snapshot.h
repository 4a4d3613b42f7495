#pragma once
// The public snapshot (products, versions, arches, categories, countries and the mirrors that
// qualify for the public list) as an immutable, indexed value, and a cache that keeps it for
// WEB_CACHE_SECONDS (STYLE.md rule 10: read-mostly data is a shared_ptr<const T> swapped
// atomically; requests never wait for a refresh once a first snapshot exists).
//
// Thread-safety: PublicView is immutable. SnapshotCache is thread-safe; one refresh runs at a
// time and other requests keep using the previous snapshot meanwhile.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mirrormanager/catalog/v1/public.pb.h"

namespace mm::web {

class PublicView {
 public:
  explicit PublicView(::mirrormanager::catalog::v1::PublicSnapshot snapshot);

  const ::mirrormanager::catalog::v1::PublicSnapshot& data() const { return data_; }
  const ::mirrormanager::catalog::v1::PublicProduct* ProductByName(const std::string& name) const;
  // The version of `product_id` named `name` (first by id).
  const ::mirrormanager::catalog::v1::PublicVersion* Version(int64_t product_id,
                                                            const std::string& name) const;
  const ::mirrormanager::catalog::v1::PublicArch* ArchByName(const std::string& name) const;
  const ::mirrormanager::catalog::v1::PublicCountry* CountryByCode(const std::string& code) const;
  const ::mirrormanager::catalog::v1::PublicCategory* CategoryById(int64_t id) const;
  const ::mirrormanager::catalog::v1::PublicArch* ArchById(int64_t id) const;
  // Product.displayed_versions: display = true, de-duplicated by name, non-numeric names first
  // (reverse alphabetical), then numeric names from highest to lowest.
  std::vector<const ::mirrormanager::catalog::v1::PublicVersion*> DisplayedVersions(
      int64_t product_id) const;

 private:
  ::mirrormanager::catalog::v1::PublicSnapshot data_;
  std::unordered_map<std::string, int> product_by_name_, arch_by_name_, country_by_code_;
  std::unordered_map<int64_t, int> category_by_id_, arch_by_id_;
  std::map<std::pair<int64_t, std::string>, int> version_by_key_;
};

class SnapshotCache {
 public:
  using Fetch = std::function<absl::StatusOr<::mirrormanager::catalog::v1::PublicSnapshot>()>;
  // ttl 0: fetch on every Get().
  SnapshotCache(Fetch fetch, absl::Duration ttl);

  // The current snapshot; refreshes it first when it is older than the TTL. A failed refresh
  // keeps serving the previous snapshot (logged); with no snapshot at all the error is returned.
  absl::StatusOr<std::shared_ptr<const PublicView>> Get();

 private:
  Fetch fetch_;
  absl::Duration ttl_;
  std::mutex refresh_mu_;                      // one refresh at a time
  std::shared_ptr<const PublicView> current_;  // read and written with std::atomic_load/store
  std::atomic<int64_t> fetched_at_ns_{0};
};

}  // namespace mm::web
