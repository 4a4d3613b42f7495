#include "services/web-gateway/snapshot.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "services/common/log.h"

namespace mm::web {

namespace pb = ::mirrormanager::catalog::v1;

PublicView::PublicView(pb::PublicSnapshot snapshot) : data_(std::move(snapshot)) {
  for (int i = 0; i < data_.products_size(); ++i) product_by_name_.emplace(data_.products(i).name(), i);
  for (int i = 0; i < data_.arches_size(); ++i) {
    arch_by_name_.emplace(data_.arches(i).name(), i);
    arch_by_id_.emplace(data_.arches(i).id(), i);
  }
  for (int i = 0; i < data_.countries_size(); ++i) country_by_code_.emplace(data_.countries(i).code(), i);
  for (int i = 0; i < data_.categories_size(); ++i) category_by_id_.emplace(data_.categories(i).id(), i);
  for (int i = 0; i < data_.versions_size(); ++i) {
    version_by_key_.emplace(std::make_pair(data_.versions(i).product_id(), data_.versions(i).name()), i);
  }
}

const pb::PublicProduct* PublicView::ProductByName(const std::string& name) const {
  auto it = product_by_name_.find(name);
  return it == product_by_name_.end() ? nullptr : &data_.products(it->second);
}
const pb::PublicVersion* PublicView::Version(int64_t product_id, const std::string& name) const {
  auto it = version_by_key_.find({product_id, name});
  return it == version_by_key_.end() ? nullptr : &data_.versions(it->second);
}
const pb::PublicArch* PublicView::ArchByName(const std::string& name) const {
  auto it = arch_by_name_.find(name);
  return it == arch_by_name_.end() ? nullptr : &data_.arches(it->second);
}
const pb::PublicArch* PublicView::ArchById(int64_t id) const {
  auto it = arch_by_id_.find(id);
  return it == arch_by_id_.end() ? nullptr : &data_.arches(it->second);
}
const pb::PublicCountry* PublicView::CountryByCode(const std::string& code) const {
  auto it = country_by_code_.find(code);
  return it == country_by_code_.end() ? nullptr : &data_.countries(it->second);
}
const pb::PublicCategory* PublicView::CategoryById(int64_t id) const {
  auto it = category_by_id_.find(id);
  return it == category_by_id_.end() ? nullptr : &data_.categories(it->second);
}

std::vector<const pb::PublicVersion*> PublicView::DisplayedVersions(int64_t product_id) const {
  std::vector<const pb::PublicVersion*> out;
  std::set<std::string> seen;
  for (const auto& v : data_.versions()) {
    if (v.product_id() != product_id || !v.display() || !seen.insert(v.name()).second) continue;
    out.push_back(&v);
  }
  auto key = [](const pb::PublicVersion* v, int64_t* n) { return absl::SimpleAtoi(v->name(), n); };
  std::sort(out.begin(), out.end(), [&](const pb::PublicVersion* a, const pb::PublicVersion* b) {
    int64_t na = 0, nb = 0;
    bool ia = key(a, &na), ib = key(b, &nb);
    if (ia != ib) return !ia;  // non-numeric first
    if (ia) return na > nb;
    return a->name() > b->name();
  });
  return out;
}

SnapshotCache::SnapshotCache(Fetch fetch, absl::Duration ttl) : fetch_(std::move(fetch)), ttl_(ttl) {}

absl::StatusOr<std::shared_ptr<const PublicView>> SnapshotCache::Get() {
  auto fresh = [&] {
    int64_t at = fetched_at_ns_.load(std::memory_order_acquire);
    return at != 0 && ttl_ > absl::ZeroDuration() &&
           absl::Now() - absl::FromUnixNanos(at) < ttl_;
  };
  std::shared_ptr<const PublicView> current = std::atomic_load(&current_);
  if (current && fresh()) return current;
  std::unique_lock<std::mutex> lock(refresh_mu_, std::defer_lock);
  if (current && ttl_ > absl::ZeroDuration()) {
    // Someone else refreshes: serve the previous snapshot instead of queueing.
    if (!lock.try_lock()) return current;
    if (fresh()) return std::atomic_load(&current_);
  } else {
    lock.lock();
    if (ttl_ > absl::ZeroDuration() && fresh()) return std::atomic_load(&current_);
  }
  auto snapshot = fetch_();
  if (!snapshot.ok()) {
    if (current) {
      MM_LOG(WARNING) << "public snapshot refresh failed; serving the previous one: "
                      << snapshot.status().message();
      return current;
    }
    return snapshot.status();
  }
  auto view = std::make_shared<const PublicView>(std::move(*snapshot));
  std::atomic_store(&current_, std::shared_ptr<const PublicView>(view));
  fetched_at_ns_.store(absl::ToUnixNanos(absl::Now()), std::memory_order_release);
  return std::shared_ptr<const PublicView>(view);
}

}  // namespace mm::web
