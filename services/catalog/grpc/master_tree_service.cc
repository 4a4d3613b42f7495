#include "services/catalog/grpc/master_tree_service.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "services/catalog/store/master_tree_store.h"
#include "services/common/grpc_status.h"

namespace mm::catalog {
namespace {

namespace pb = ::mirrormanager::catalog::v1;

template <typename T>
std::optional<T> Opt(bool has, const T& v) {
  return has ? std::optional<T>(v) : std::nullopt;
}

void FromProto(const pb::CategoryScanChunk& in, CategoryScanChunk* out) {
  out->category_name = in.category_name();
  out->commit = in.commit();
  out->directories.reserve(in.directories_size());
  for (const auto& d : in.directories()) {
    DirectoryChange c;
    c.name = d.name();
    c.readable = Opt(d.has_readable(), d.readable());
    c.ctime = Opt(d.has_ctime(), d.ctime());
    c.set_files = d.set_files();
    c.files.reserve(d.files_size());
    for (const auto& f : d.files())
      c.files.push_back(DirectoryFile{f.name(), f.size(), f.timestamp()});
    c.set_source_files = d.set_source_files();
    for (const auto& f : d.source_files()) {
      SourceFile sf{f.filename(), f.timestamp(), f.size(), {}};
      for (const auto& x : f.derived())
        sf.derived.push_back(DerivedFile{x.filename(), x.timestamp(), x.size()});
      c.source_files.push_back(std::move(sf));
    }
    out->directories.push_back(std::move(c));
  }
  for (const auto& v : in.versions())
    out->versions.push_back(VersionToEnsure{v.name(), v.is_test()});
  for (const auto& r : in.repositories()) {
    out->repositories.push_back(RepositoryCandidate{
        r.directory_name(), Opt(r.has_prefix(), r.prefix()), r.arch_name(), r.version_name()});
  }
  for (const auto& f : in.file_details()) {
    FileDetailCandidate c;
    c.directory_name = f.directory_name();
    c.filename = f.filename();
    c.timestamp = Opt(f.has_timestamp(), f.timestamp());
    c.size = Opt(f.has_size(), f.size());
    c.md5 = Opt(f.has_md5(), f.md5());
    c.sha1 = Opt(f.has_sha1(), f.sha1());
    c.sha256 = Opt(f.has_sha256(), f.sha256());
    c.sha512 = Opt(f.has_sha512(), f.sha512());
    out->file_details.push_back(std::move(c));
  }
  out->delete_directories.assign(in.delete_directories().begin(), in.delete_directories().end());
}

}  // namespace

grpc::Status MasterTreeService::ListCategoryDirectories(
    Ctx* ctx, const pb::ListCategoryDirectoriesRequest* in,
    grpc::ServerWriter<pb::CategoryDirectoryPage>* writer) {
  int page_size = in->page_size() <= 0 ? 5000 : std::min(in->page_size(), 20000);
  bool client_gone = false;
  absl::Status s = store_.ListCategoryDirectories(
      in->category_name(), page_size, [&](CategoryDirectoryPage&& page) {
        pb::CategoryDirectoryPage out;
        for (auto& d : page.directories) {
          auto* p = out.add_directories();
          p->set_name(std::move(d.name));
          p->set_ctime(d.ctime);
          p->set_readable(d.readable);
          p->set_has_repository(d.has_repository);
          p->set_files_not_json(d.files_not_json);
        }
        for (auto& f : page.source_files) {
          auto* p = out.add_source_files();
          p->set_directory_name(std::move(f.directory_name));
          p->set_filename(std::move(f.filename));
          p->set_timestamp(f.timestamp);
          p->set_size(f.size);
          for (auto& x : f.derived) {
            auto* q = p->add_derived();
            q->set_filename(std::move(x.file.filename));
            q->set_timestamp(x.file.timestamp);
            q->set_size(x.file.size);
            q->set_has_file_detail(x.has_file_detail);
          }
        }
        client_gone = ctx->IsCancelled() || !writer->Write(out);
        return !client_gone;
      });
  if (!s.ok()) return common::ToGrpcStatus(s);
  if (client_gone) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  return grpc::Status::OK;
}

grpc::Status MasterTreeService::ApplyCategoryScan(Ctx*,
                                                  grpc::ServerReader<pb::CategoryScanChunk>* reader,
                                                  pb::ApplyCategoryScanResponse* out) {
  pb::CategoryScanChunk msg;
  auto result = store_.ApplyCategoryScan([&](CategoryScanChunk* chunk) -> absl::StatusOr<bool> {
    if (!reader->Read(&msg)) return false;
    FromProto(msg, chunk);
    return true;
  });
  if (!result.ok()) return common::ToGrpcStatus(result.status());
  out->set_directories_created(result->directories_created);
  out->set_directories_updated(result->directories_updated);
  out->set_directories_linked(result->directories_linked);
  out->set_directories_deleted(result->directories_deleted);
  out->set_deletions_refused(result->deletions_refused);
  out->set_versions_created(result->versions_created);
  out->set_repositories_created(result->repositories_created);
  out->set_file_details_created(result->file_details_created);
  out->set_invalid_names_skipped(result->invalid_names_skipped);
  for (const auto& n : result->notes) out->add_notes(n);
  for (const auto& n : result->shared_directories) out->add_shared_directories(n);
  for (const auto& n : result->created_repositories) out->add_created_repositories(n);
  return grpc::Status::OK;
}

grpc::Status MasterTreeService::AgeFileDetails(Ctx*, const pb::AgeFileDetailsRequest* in,
                                               pb::AgeFileDetailsResponse* out) {
  if (in->max_stale_days() < 1) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "max_stale_days must be at least 1");
  }
  int64_t now = in->now() > 0 ? in->now() : absl::ToUnixSeconds(absl::Now());
  auto r = store_.AgeFileDetails(in->max_stale_days(), now);
  if (!r.ok()) return common::ToGrpcStatus(r.status());
  out->set_deleted(*r);
  return grpc::Status::OK;
}

}  // namespace mm::catalog
