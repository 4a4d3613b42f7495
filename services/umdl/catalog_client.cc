#include "services/umdl/catalog_client.h"

#include "absl/container/flat_hash_map.h"
#include "mirrormanager/catalog/v1/master_tree.grpc.pb.h"
#include "mirrormanager/catalog/v1/reference.grpc.pb.h"
#include "services/common/grpc_client.h"

namespace mm::umdl {

namespace pb = ::mirrormanager::catalog::v1;

struct GrpcMasterTreeCatalog::Stubs {
  std::unique_ptr<pb::ReferenceData::Stub> reference;
  std::unique_ptr<pb::MasterTree::Stub> master_tree;
};

GrpcMasterTreeCatalog::GrpcMasterTreeCatalog(std::shared_ptr<grpc::Channel> channel,
                                             common::RpcOptions rpc, absl::Duration apply_timeout,
                                             ApplyChunking chunking)
    : stubs_(std::make_unique<Stubs>()), rpc_(rpc), apply_rpc_(rpc), chunking_(chunking) {
  stubs_->reference = pb::ReferenceData::NewStub(channel);
  stubs_->master_tree = pb::MasterTree::NewStub(channel);
  apply_rpc_.timeout = std::max(apply_timeout, rpc.timeout);
}

GrpcMasterTreeCatalog::~GrpcMasterTreeCatalog() = default;

absl::StatusOr<std::vector<CategoryInfo>> GrpcMasterTreeCatalog::ListCategories() {
  pb::ListCategoriesResponse resp;
  absl::Status s = common::CallWithRetry(rpc_, [&](grpc::ClientContext* ctx) {
    resp.Clear();
    return stubs_->reference->ListCategories(ctx, pb::ListCategoriesRequest(), &resp);
  });
  if (!s.ok()) return s;
  std::vector<CategoryInfo> out;
  for (const auto& c : resp.categories()) {
    out.push_back(CategoryInfo{c.id(), c.name(), c.product_id() != 0 ? c.product_name() : "",
                               c.topdir_id() != 0 ? c.topdir() : "", c.topdir_id() != 0,
                               c.product_id()});
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> GrpcMasterTreeCatalog::ListArchNames() {
  pb::ListArchesResponse resp;
  absl::Status s = common::CallWithRetry(rpc_, [&](grpc::ClientContext* ctx) {
    resp.Clear();
    return stubs_->reference->ListArches(ctx, pb::ListArchesRequest(), &resp);
  });
  if (!s.ok()) return s;
  std::vector<std::string> out;
  for (const auto& a : resp.arches()) out.push_back(a.name());
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<std::string>> GrpcMasterTreeCatalog::ListVersionNames(
    const std::string& product) {
  pb::ListVersionsRequest req;
  req.set_product_name(product);
  pb::ListVersionsResponse resp;
  absl::Status s = common::CallWithRetry(rpc_, [&](grpc::ClientContext* ctx) {
    resp.Clear();
    return stubs_->reference->ListVersions(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  std::vector<std::pair<int64_t, std::string>> v;
  for (const auto& x : resp.versions()) {
    if (x.product_name() == product) v.emplace_back(x.id(), x.name());
  }
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  for (auto& [_, name] : v) out.push_back(std::move(name));
  return out;
}

absl::StatusOr<std::vector<DirectoryState>> GrpcMasterTreeCatalog::ListCategoryDirectories(
    const std::string& category) {
  pb::ListCategoryDirectoriesRequest req;
  req.set_category_name(category);
  req.set_page_size(20000);
  std::vector<DirectoryState> out;
  absl::Status s = common::CallWithRetry(rpc_, [&](grpc::ClientContext* ctx) {
    out.clear();
    absl::flat_hash_map<std::string, size_t> index;
    auto reader = stubs_->master_tree->ListCategoryDirectories(ctx, req);
    pb::CategoryDirectoryPage page;
    while (reader->Read(&page)) {
      for (auto& d : *page.mutable_directories()) {
        index.emplace(d.name(), out.size());
        out.push_back(DirectoryState{std::move(*d.mutable_name()),
                                     d.ctime(),
                                     d.readable(),
                                     d.has_repository(),
                                     d.files_not_json(),
                                     {}});
      }
      // Source files come after every directory.
      for (auto& f : *page.mutable_source_files()) {
        auto it = index.find(f.directory_name());
        if (it == index.end()) continue;
        SourceFileState state{std::move(*f.mutable_filename()), f.timestamp(), f.size(), {}};
        for (auto& x : *f.mutable_derived()) {
          state.derived.push_back(DerivedFileState{
              DerivedFile{std::move(*x.mutable_filename()), x.timestamp(), x.size()},
              x.has_file_detail()});
        }
        out[it->second].source_files.push_back(std::move(state));
      }
    }
    return reader->Finish();
  });
  if (!s.ok()) return s;
  return out;
}

namespace {

// Builds the chunks of one apply stream, in order, bounded in rows and bytes.
class ChunkWriter {
 public:
  ChunkWriter(const ApplyChunking& limits, grpc::ClientWriter<pb::CategoryScanChunk>* writer,
              const std::string& category)
      : limits_(limits), writer_(writer) {
    chunk_.set_category_name(category);
  }

  bool AddDirectory(const DirectoryChange& d) {
    auto* p = chunk_.add_directories();
    p->set_name(d.name);
    if (d.readable) p->set_readable(*d.readable);
    if (d.ctime) p->set_ctime(*d.ctime);
    p->set_set_files(d.set_files);
    size_t bytes = d.name.size() + 32;
    for (const auto& f : d.files) {
      auto* pf = p->add_files();
      pf->set_name(f.name);
      pf->set_size(f.size);
      pf->set_timestamp(f.timestamp);
      bytes += f.name.size() + 24;
    }
    p->set_set_source_files(d.set_source_files);
    for (const auto& f : d.source_files) {
      auto* ps = p->add_source_files();
      ps->set_filename(f.name);
      ps->set_timestamp(f.timestamp);
      ps->set_size(f.size);
      bytes += f.name.size() + 24;
      for (const auto& x : f.derived) {
        auto* pd = ps->add_derived();
        pd->set_filename(x.name);
        pd->set_timestamp(x.timestamp);
        pd->set_size(x.size);
        bytes += x.name.size() + 20;
      }
    }
    return Account(bytes, chunk_.directories_size() >= static_cast<int>(limits_.max_directories));
  }
  bool AddVersion(const VersionToEnsure& v) {
    auto* p = chunk_.add_versions();
    p->set_name(v.name);
    p->set_is_test(v.is_test);
    return Account(v.name.size() + 8, false);
  }
  bool AddRepository(const RepositoryCandidate& r) {
    auto* p = chunk_.add_repositories();
    p->set_directory_name(r.directory_name);
    if (r.prefix) p->set_prefix(*r.prefix);
    p->set_arch_name(r.arch_name);
    p->set_version_name(r.version_name);
    return Account(r.directory_name.size() + 64, false);
  }
  bool AddFileDetail(const FileDetailCandidate& f) {
    auto* p = chunk_.add_file_details();
    p->set_directory_name(f.directory_name);
    p->set_filename(f.filename);
    if (f.timestamp) p->set_timestamp(*f.timestamp);
    if (f.size) p->set_size(*f.size);
    if (f.md5) p->set_md5(*f.md5);
    if (f.sha1) p->set_sha1(*f.sha1);
    if (f.sha256) p->set_sha256(*f.sha256);
    if (f.sha512) p->set_sha512(*f.sha512);
    return Account(f.directory_name.size() + f.filename.size() + 300, false);
  }
  bool AddDeletion(const std::string& name) {
    chunk_.add_delete_directories(name);
    return Account(name.size() + 4, false);
  }
  bool Commit() {
    chunk_.set_commit(true);
    return Flush();
  }

 private:
  bool Account(size_t bytes, bool full) {
    bytes_ += bytes;
    ++rows_;
    if (full || bytes_ >= limits_.max_bytes || rows_ >= limits_.max_rows) return Flush();
    return true;
  }
  bool Flush() {
    bool ok = writer_->Write(chunk_);
    chunk_.Clear();
    bytes_ = 0;
    rows_ = 0;
    return ok;
  }

  const ApplyChunking& limits_;
  grpc::ClientWriter<pb::CategoryScanChunk>* writer_;
  pb::CategoryScanChunk chunk_;
  size_t bytes_ = 0;
  size_t rows_ = 0;
};

}  // namespace

absl::StatusOr<ApplyResult> GrpcMasterTreeCatalog::ApplyCategory(const CategoryPlan& plan) {
  pb::ApplyCategoryScanResponse resp;
  common::RpcOptions options = apply_rpc_;
  absl::Status s = common::CallWithRetry(options, [&](grpc::ClientContext* ctx) -> grpc::Status {
    resp.Clear();
    auto writer = stubs_->master_tree->ApplyCategoryScan(ctx, &resp);
    ChunkWriter w(chunking_, writer.get(), plan.category_name);
    // A failed Write means the stream is broken; Finish() then reports why.
    bool ok = true;
    for (const auto& d : plan.directories) {
      if (!(ok = w.AddDirectory(d))) break;
    }
    for (size_t i = 0; ok && i < plan.versions.size(); ++i) ok = w.AddVersion(plan.versions[i]);
    for (size_t i = 0; ok && i < plan.repositories.size(); ++i)
      ok = w.AddRepository(plan.repositories[i]);
    for (size_t i = 0; ok && i < plan.file_details.size(); ++i)
      ok = w.AddFileDetail(plan.file_details[i]);
    for (size_t i = 0; ok && i < plan.deletions.size(); ++i) ok = w.AddDeletion(plan.deletions[i]);
    if (ok) ok = w.Commit();
    if (ok) writer->WritesDone();
    grpc::Status st = writer->Finish();
    // The catalog rolled back a transaction that lost its database connection mid-stream:
    // nothing was stored, so sending the category again is safe.
    if (st.error_code() == grpc::StatusCode::ABORTED) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, st.error_message());
    }
    return st;
  });
  if (!s.ok()) return s;
  ApplyResult r;
  r.directories_created = resp.directories_created();
  r.directories_updated = resp.directories_updated();
  r.directories_linked = resp.directories_linked();
  r.directories_deleted = resp.directories_deleted();
  r.deletions_refused = resp.deletions_refused();
  r.versions_created = resp.versions_created();
  r.repositories_created = resp.repositories_created();
  r.file_details_created = resp.file_details_created();
  r.invalid_names_skipped = resp.invalid_names_skipped();
  r.notes.assign(resp.notes().begin(), resp.notes().end());
  r.shared_directories.assign(resp.shared_directories().begin(), resp.shared_directories().end());
  r.created_repositories.assign(resp.created_repositories().begin(),
                                resp.created_repositories().end());
  return r;
}

absl::StatusOr<int> GrpcMasterTreeCatalog::AgeFileDetails(int max_stale_days, int64_t now_unix) {
  pb::AgeFileDetailsRequest req;
  req.set_max_stale_days(max_stale_days);
  req.set_now(now_unix);
  pb::AgeFileDetailsResponse resp;
  absl::Status s = common::CallWithRetry(rpc_, [&](grpc::ClientContext* ctx) {
    return stubs_->master_tree->AgeFileDetails(ctx, req, &resp);
  });
  if (!s.ok()) return s;
  return resp.deleted();
}

}  // namespace mm::umdl
