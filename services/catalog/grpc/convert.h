#pragma once
// proto <-> domain conversions for catalog's gRPC adapters.

#include "mirrormanager/catalog/v1/mirrors.pb.h"
#include "mirrormanager/catalog/v1/reference.pb.h"
#include "services/catalog/model.h"
#include "services/catalog/store/directory_store.h"
#include "services/catalog/store/reference_store.h"

namespace mm::catalog {

namespace pb = ::mirrormanager::catalog::v1;

void ToProto(const Product& in, pb::Product* out);
void ToProto(const Version& in, pb::Version* out);
void ToProto(const Arch& in, pb::Arch* out);
void ToProto(const Category& in, pb::Category* out);
void ToProto(const Directory& in, pb::Directory* out);
void ToProto(const Repository& in, pb::Repository* out);
void ToProto(const Site& in, pb::Site* out);
void ToProto(const SiteAdmin& in, pb::SiteAdmin* out);
void ToProto(const Host& in, pb::Host* out);
void ToProto(const HostCategory& in, pb::HostCategory* out);
void ToProto(const HostCategoryUrl& in, pb::HostCategoryUrl* out);

VersionUpsert FromProto(const pb::Version& in);
CategoryUpsert FromProto(const pb::Category& in);
RepositoryUpsert FromProto(const pb::Repository& in);
DirectoryUpsert FromProto(const pb::Directory& in);
SiteFields FromProto(const pb::SiteFields& in);
HostFields FromProto(const pb::HostFields& in);

}  // namespace mm::catalog
