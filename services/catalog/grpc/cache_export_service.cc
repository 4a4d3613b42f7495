#include "services/catalog/grpc/cache_export_service.h"

#include <algorithm>

#include "services/catalog/store/cache_export_store.h"
#include "services/common/grpc_status.h"

namespace mm::catalog {
namespace {

namespace pb = ::mirrormanager::catalog::v1;

constexpr int kDefaultBatchRows = 5000;
constexpr int kMaxBatchRows = 50000;

// Converts each batch into one chunk and writes it. The chunk object is reused, so its
// allocations are too.
class ChunkWriter final : public CacheExportSink {
 public:
  ChunkWriter(grpc::ServerContext* context, grpc::ServerWriter<pb::MirrorlistSnapshotChunk>* writer)
      : context_(context), writer_(writer) {}

  absl::Status Header(int64_t snapshot_time, const std::string& snapshot) override {
    chunk_.mutable_header()->set_snapshot_time(snapshot_time);
    chunk_.mutable_header()->set_snapshot(snapshot);
    return Send();
  }
  absl::Status Arches(std::vector<ExportNamedId>& rows) override {
    for (auto& r : rows) {
      auto* a = chunk_.add_arches();
      a->set_id(r.id);
      a->set_name(std::move(r.name));
    }
    return Send();
  }
  absl::Status Categories(std::vector<ExportIdPair>& rows) override {
    for (auto& r : rows) {
      auto* c = chunk_.add_categories();
      c->set_id(r.first);
      c->set_topdir_id(r.second);
    }
    return Send();
  }
  absl::Status Directories(std::vector<ExportNamedId>& rows) override {
    auto* d = chunk_.mutable_directories();
    d->mutable_id()->Reserve(static_cast<int>(rows.size()));
    for (auto& r : rows) {
      d->add_id(r.id);
      d->add_name(std::move(r.name));
    }
    return Send();
  }
  absl::Status Hosts(std::vector<ExportHostRow>& rows) override {
    for (auto& r : rows) {
      auto* h = chunk_.add_hosts();
      h->set_id(r.id);
      h->set_name(std::move(r.name));
      h->set_country(std::move(r.country));
      if (r.bandwidth_int) h->set_bandwidth_int(*r.bandwidth_int);
      if (r.asn) h->set_asn(*r.asn);
      h->set_asn_clients(r.asn_clients);
      h->set_max_connections(r.max_connections);
      h->set_user_active(r.user_active);
      h->set_admin_active(r.admin_active);
      h->set_private_(r.private_);
      h->set_internet2(r.internet2);
      h->set_internet2_clients(r.internet2_clients);
      h->set_site_user_active(r.site_user_active);
      h->set_site_admin_active(r.site_admin_active);
      h->set_site_private(r.site_private);
    }
    return Send();
  }
  absl::Status HostCategories(std::vector<ExportHostCategoryRow>& rows) override {
    for (auto& r : rows) {
      auto* hc = chunk_.add_host_categories();
      hc->set_id(r.id);
      hc->set_host_id(r.host_id);
      hc->set_category_id(r.category_id);
      hc->set_always_up2date(r.always_up2date);
    }
    return Send();
  }
  absl::Status HostCategoryUrls(std::vector<ExportUrlRow>& rows) override {
    for (auto& r : rows) {
      auto* u = chunk_.add_host_category_urls();
      u->set_id(r.id);
      u->set_host_category_id(r.host_category_id);
      u->set_url(std::move(r.url));
    }
    return Send();
  }
  absl::Status HostCountryAllowed(std::vector<ExportHostValueRow>& rows) override {
    for (auto& r : rows) AddHostCountry(chunk_.add_host_country_allowed(), r);
    return Send();
  }
  absl::Status HostCountries(std::vector<ExportHostValueRow>& rows) override {
    for (auto& r : rows) AddHostCountry(chunk_.add_host_countries(), r);
    return Send();
  }
  absl::Status HostNetblocks(std::vector<ExportHostValueRow>& rows) override {
    for (auto& r : rows) {
      auto* n = chunk_.add_host_netblocks();
      n->set_host_id(r.host_id);
      n->set_netblock(std::move(r.value));
    }
    return Send();
  }
  absl::Status HostPeerAsns(std::vector<ExportIdPair>& rows) override {
    for (auto& r : rows) {
      auto* a = chunk_.add_host_peer_asns();
      a->set_host_id(r.first);
      a->set_asn(r.second);
    }
    return Send();
  }
  absl::Status CategoryDirectories(std::vector<ExportIdPair>& rows) override {
    auto* cd = chunk_.mutable_category_directories();
    cd->mutable_category_id()->Reserve(static_cast<int>(rows.size()));
    cd->mutable_directory_id()->Reserve(static_cast<int>(rows.size()));
    for (auto& r : rows) {
      cd->add_category_id(r.first);
      cd->add_directory_id(r.second);
    }
    return Send();
  }
  absl::Status Repositories(std::vector<ExportRepositoryRow>& rows) override {
    for (auto& r : rows) {
      auto* p = chunk_.add_repositories();
      if (r.prefix) p->set_prefix(std::move(*r.prefix));
      p->set_category_id(r.category_id);
      p->set_version_id(r.version_id);
      p->set_arch_id(r.arch_id);
      p->set_directory_id(r.directory_id);
      p->set_disabled(r.disabled);
    }
    return Send();
  }
  absl::Status RepositoryRedirects(std::vector<ExportStringPairRow>& rows) override {
    for (auto& r : rows) AddPair(chunk_.add_repository_redirects(), r);
    return Send();
  }
  absl::Status CountryContinentRedirects(std::vector<ExportStringPairRow>& rows) override {
    for (auto& r : rows) AddPair(chunk_.add_country_continent_redirects(), r);
    return Send();
  }
  absl::Status NetblockCountries(std::vector<ExportStringPairRow>& rows) override {
    for (auto& r : rows) AddPair(chunk_.add_netblock_countries(), r);
    return Send();
  }
  absl::Status HostCategoryDirs(std::vector<ExportIdPair>& rows) override {
    auto* hcd = chunk_.mutable_host_category_dirs();
    hcd->mutable_host_category_id()->Reserve(static_cast<int>(rows.size()));
    hcd->mutable_directory_id()->Reserve(static_cast<int>(rows.size()));
    for (auto& r : rows) {
      hcd->add_host_category_id(r.first);
      hcd->add_directory_id(r.second);
    }
    return Send();
  }
  absl::Status FileDetails(std::vector<ExportFileDetailRow>& rows) override {
    for (auto& r : rows) {
      auto* f = chunk_.add_file_details();
      f->set_directory_id(r.directory_id);
      f->set_filename(std::move(r.filename));
      if (r.timestamp) f->set_timestamp(*r.timestamp);
      if (r.size) f->set_size(*r.size);
      if (r.sha1) f->set_sha1(std::move(*r.sha1));
      if (r.md5) f->set_md5(std::move(*r.md5));
      if (r.sha256) f->set_sha256(std::move(*r.sha256));
      if (r.sha512) f->set_sha512(std::move(*r.sha512));
    }
    return Send();
  }
  absl::Status Trailer(const std::map<std::string, int64_t>& row_counts) override {
    auto* counts = chunk_.mutable_trailer()->mutable_row_counts();
    for (const auto& [section, n] : row_counts) (*counts)[section] = n;
    return Send();
  }

 private:
  static void AddHostCountry(pb::ExportHostCountry* out, ExportHostValueRow& r) {
    out->set_host_id(r.host_id);
    out->set_country(std::move(r.value));
  }
  static void AddPair(pb::ExportStringPair* out, ExportStringPairRow& r) {
    out->set_key(std::move(r.key));
    if (r.value) out->set_value(std::move(*r.value));
  }

  absl::Status Send() {
    bool ok = !context_->IsCancelled() && writer_->Write(chunk_);
    chunk_.Clear();
    if (!ok) return absl::CancelledError("the client cancelled the cache export");
    return absl::OkStatus();
  }

  grpc::ServerContext* context_;
  grpc::ServerWriter<pb::MirrorlistSnapshotChunk>* writer_;
  pb::MirrorlistSnapshotChunk chunk_;
};

}  // namespace

grpc::Status CacheExportService::StreamMirrorlistSnapshot(
    grpc::ServerContext* context, const pb::MirrorlistSnapshotRequest* request,
    grpc::ServerWriter<pb::MirrorlistSnapshotChunk>* writer) {
  CacheExportOptions options;
  options.batch_rows = request->batch_rows() <= 0 ? kDefaultBatchRows
                                                  : std::min(request->batch_rows(), kMaxBatchRows);
  ChunkWriter sink(context, writer);
  return common::ToGrpcStatus(store_.Export(options, sink));
}

}  // namespace mm::catalog
