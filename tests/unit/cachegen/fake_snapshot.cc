#include "tests/unit/cachegen/fake_snapshot.h"

#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "services/cachegen/cache_writer.h"
#include "services/common/status_macros.h"

namespace mm::cachegen::testing {

ResolveResults HangingResolver::ResolveAll(const std::vector<std::string>&, absl::Duration) {
  std::shared_ptr<State> state = state_;  // the only use of `this`
  std::unique_lock<std::mutex> lock(state->mu);
  ++state->calls;
  state->cv.wait(lock, [&] { return state->released; });
  return {};
}

void HangingResolver::Release() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->released = true;
  state_->cv.notify_all();
}

int HangingResolver::calls() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->calls;
}

std::map<std::string, int64_t> SectionCounts(const pb::MirrorlistSnapshotChunk& d) {
  std::map<std::string, int64_t> c;
  auto put = [&](const char* name, int64_t n) {
    if (n > 0) c[name] = n;
  };
  put("arches", d.arches_size());
  put("categories", d.categories_size());
  put("directories", d.directories().id_size());
  put("hosts", d.hosts_size());
  put("host_categories", d.host_categories_size());
  put("host_category_urls", d.host_category_urls_size());
  put("host_country_allowed", d.host_country_allowed_size());
  put("host_countries", d.host_countries_size());
  put("host_netblocks", d.host_netblocks_size());
  put("host_peer_asns", d.host_peer_asns_size());
  put("category_directories", d.category_directories().category_id_size());
  put("repositories", d.repositories_size());
  put("repository_redirects", d.repository_redirects_size());
  put("country_continent_redirects", d.country_continent_redirects_size());
  put("netblock_countries", d.netblock_countries_size());
  put("host_category_dirs", d.host_category_dirs().directory_id_size());
  put("file_details", d.file_details_size());
  return c;
}

std::vector<pb::MirrorlistSnapshotChunk> StreamOf(const pb::MirrorlistSnapshotChunk& data) {
  std::vector<pb::MirrorlistSnapshotChunk> out(3);
  out[0].mutable_header()->set_snapshot_time(1699999999);
  out[0].mutable_header()->set_snapshot("1:1:");
  out[1] = data;
  out[2].mutable_trailer();  // present even with no rows at all
  for (const auto& [k, v] : SectionCounts(data)) {
    (*out[2].mutable_trailer()->mutable_row_counts())[k] = v;
  }
  return out;
}

absl::StatusOr<Built> Build(const pb::MirrorlistSnapshotChunk& data, HostResolver& resolver,
                            uint64_t time, absl::Duration dns_timeout) {
  Built b;
  {
    google::protobuf::io::StringOutputStream out(&b.bytes);
    CacheWriter writer(&out);
    BuildOptions o;
    o.time = time;
    o.dns_timeout = dns_timeout;
    CacheBuilder builder(o, resolver, writer);
    for (const auto& chunk : StreamOf(data)) MM_RETURN_IF_ERROR(builder.Consume(chunk));
    MM_RETURN_IF_ERROR(builder.Finish());
    MM_RETURN_IF_ERROR(writer.Finish());
    b.stats = builder.stats();
  }
  if (!b.cache.ParseFromString(b.bytes)) return absl::InternalError("output does not parse");
  return b;
}

pb::ExportHost* AddHost(pb::MirrorlistSnapshotChunk& d, int64_t id, const std::string& country) {
  auto* h = d.add_hosts();
  h->set_id(id);
  h->set_name("host" + std::to_string(id));
  h->set_country(country);
  h->set_bandwidth_int(100);
  h->set_asn_clients(true);
  h->set_max_connections(1);
  h->set_user_active(true);
  h->set_admin_active(true);
  h->set_site_user_active(true);
  h->set_site_admin_active(true);
  return h;
}

void AddDirectory(pb::MirrorlistSnapshotChunk& d, int64_t id, const std::string& name) {
  d.mutable_directories()->add_id(id);
  d.mutable_directories()->add_name(name);
}

}  // namespace mm::cachegen::testing
