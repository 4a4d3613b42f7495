// Round trips through the real gRPC API of an in-process catalog on a real database.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "mirrormanager/catalog/v1/common.pb.h"
#include "mirrormanager/catalog/v1/mirrors.grpc.pb.h"
#include "mirrormanager/catalog/v1/reference.grpc.pb.h"
#include "services/common/password_hash.h"
#include "tests/testing/catalog_harness.h"
#include "tests/testing/status_matchers.h"

namespace mm::catalog {
namespace {

namespace pb = ::mirrormanager::catalog::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CatalogGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = mm::testing::CatalogHarness::Start();
    ASSERT_OK(h.status());
    harness_ = std::move(*h);
    ref_ = pb::ReferenceData::NewStub(harness_->channel());
    mirrors_ = pb::Mirrors::NewStub(harness_->channel());
  }

  template <typename Req, typename Resp, typename Method>
  grpc::Status Call(Method method, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return method(&ctx, req, resp);
  }
#define REF(name) [&](auto* c, const auto& q, auto* r) { return ref_->name(c, q, r); }
#define MIR(name) [&](auto* c, const auto& q, auto* r) { return mirrors_->name(c, q, r); }

  void SeedReference() {
    pb::Product p;
    p.set_name("Fedora");
    pb::Product out;
    ASSERT_TRUE(Call(REF(UpsertProduct), p, &out).ok());
    pb::Category c;
    c.set_name("Fedora Linux");
    c.set_product_name("Fedora");
    c.set_topdir("pub/fedora/linux");
    pb::Category cout;
    ASSERT_TRUE(Call(REF(UpsertCategory), c, &cout).ok());
  }

  std::unique_ptr<mm::testing::CatalogHarness> harness_;
  std::unique_ptr<pb::ReferenceData::Stub> ref_;
  std::unique_ptr<pb::Mirrors::Stub> mirrors_;
};

TEST_F(CatalogGrpcTest, ReferenceDataUpsertsAreIdempotent) {
  pb::Product p;
  p.set_name("Fedora");
  pb::Product out;
  ASSERT_TRUE(Call(REF(UpsertProduct), p, &out).ok());
  EXPECT_TRUE(out.publiclist());  // upstream default
  int64_t id = out.id();
  p.set_publiclist(false);
  ASSERT_TRUE(Call(REF(UpsertProduct), p, &out).ok());
  EXPECT_EQ(out.id(), id);
  EXPECT_FALSE(out.publiclist());
  p.clear_publiclist();
  ASSERT_TRUE(Call(REF(UpsertProduct), p, &out).ok());
  EXPECT_FALSE(out.publiclist()) << "an unset optional keeps the stored value";

  pb::Version v;
  v.set_product_name("Fedora");
  v.set_name("40");
  v.set_display_name("Fedora 40");
  pb::Version vout;
  ASSERT_TRUE(Call(REF(UpsertVersion), v, &vout).ok());
  EXPECT_EQ(vout.display_name(), "Fedora 40");
  EXPECT_TRUE(vout.display());
  EXPECT_FALSE(vout.is_test());
  v.clear_display_name();
  v.set_clear_display_name(true);
  ASSERT_TRUE(Call(REF(UpsertVersion), v, &vout).ok());
  EXPECT_FALSE(vout.has_display_name());
  pb::Version bad;
  bad.set_product_name("NoSuchProduct");
  bad.set_name("1");
  grpc::Status s = Call(REF(UpsertVersion), bad, &vout);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("NoSuchProduct"));

  for (const char* a : {"x86_64", "source", "aarch64"}) {
    pb::Arch arch;
    arch.set_name(a);
    pb::Arch aout;
    ASSERT_TRUE(Call(REF(UpsertArch), arch, &aout).ok());
  }
  pb::ListArchesResponse arches;
  ASSERT_TRUE(Call(REF(ListArches), pb::ListArchesRequest(), &arches).ok());
  ASSERT_EQ(arches.arches_size(), 3);
  EXPECT_EQ(arches.arches(0).name(), "aarch64");

  pb::AddCountriesRequest countries;
  for (const char* cc : {"US", "FR", "US"}) countries.add_codes(cc);
  pb::AddCountriesResponse added;
  ASSERT_TRUE(Call(REF(AddCountries), countries, &added).ok());
  EXPECT_EQ(added.added(), 2);
  ASSERT_TRUE(Call(REF(AddCountries), countries, &added).ok());
  EXPECT_EQ(added.added(), 0);
}

TEST_F(CatalogGrpcTest, CategoriesDirectoriesAndRepositories) {
  SeedReference();
  pb::ListCategoriesResponse cats;
  ASSERT_TRUE(Call(REF(ListCategories), pb::ListCategoriesRequest(), &cats).ok());
  ASSERT_EQ(cats.categories_size(), 1);
  EXPECT_EQ(cats.categories(0).topdir(), "pub/fedora/linux");
  EXPECT_EQ(cats.categories(0).canonicalhost(), "http://download.fedora.redhat.com");
  EXPECT_FALSE(cats.categories(0).admin_only());

  pb::UpsertDirectoriesRequest dirs;
  dirs.set_link_category("Fedora Linux");
  for (const char* n :
       {"pub/fedora/linux", "pub/fedora/linux/releases", "pub/fedora/linux/releases/40"}) {
    auto* d = dirs.add_directories();
    d->set_name(n);
    d->set_ctime(100);
  }
  auto* f = dirs.mutable_directories(2)->add_files();
  f->set_name("repomd.xml");
  f->set_size(3732);
  f->set_timestamp(1386855915);
  pb::UpsertDirectoriesResponse up;
  ASSERT_TRUE(Call(REF(UpsertDirectories), dirs, &up).ok());
  EXPECT_EQ(up.created(), 2);  // the topdir existed already
  EXPECT_EQ(up.updated(), 1);
  ASSERT_TRUE(Call(REF(UpsertDirectories), dirs, &up).ok());
  EXPECT_EQ(up.created(), 0);
  EXPECT_EQ(up.updated(), 3);
  EXPECT_EQ(harness_->db().QueryValue("SELECT convert_from(files, 'UTF8') FROM directory WHERE "
                                      "name = 'pub/fedora/linux/releases/40'"),
            R"([{"name": "repomd.xml", "size": 3732, "timestamp": 1386855915}])");

  pb::ListDirectoriesRequest list;
  list.set_category_name("Fedora Linux");
  list.set_limit(2);
  list.set_include_files(true);
  pb::ListDirectoriesResponse page1, page2;
  ASSERT_TRUE(Call(REF(ListDirectories), list, &page1).ok());
  ASSERT_EQ(page1.directories_size(), 2);
  list.set_after_name(page1.directories(1).name());
  ASSERT_TRUE(Call(REF(ListDirectories), list, &page2).ok());
  ASSERT_EQ(page2.directories_size(), 1);
  EXPECT_EQ(page2.directories(0).name(), "pub/fedora/linux/releases/40");
  ASSERT_EQ(page2.directories(0).files_size(), 1);
  EXPECT_EQ(page2.directories(0).files(0).size(), 3732);

  pb::Arch arch;
  arch.set_name("x86_64");
  pb::Arch aout;
  ASSERT_TRUE(Call(REF(UpsertArch), arch, &aout).ok());
  pb::Version v;
  v.set_product_name("Fedora");
  v.set_name("40");
  pb::Version vout;
  ASSERT_TRUE(Call(REF(UpsertVersion), v, &vout).ok());
  pb::Repository r;
  r.set_name("pub/fedora/linux/releases/40");
  r.set_prefix("fedora-40");
  r.set_category_name("Fedora Linux");
  r.set_product_name("Fedora");
  r.set_version_name("40");
  r.set_arch_name("x86_64");
  r.set_directory_name("pub/fedora/linux/releases/40");
  pb::Repository rout;
  ASSERT_TRUE(Call(REF(UpsertRepository), r, &rout).ok());
  EXPECT_EQ(rout.prefix(), "fedora-40");
  EXPECT_EQ(rout.arch_name(), "x86_64");
  EXPECT_EQ(rout.directory_name(), "pub/fedora/linux/releases/40");
  r.clear_prefix();
  r.set_clear_prefix(true);
  ASSERT_TRUE(Call(REF(UpsertRepository), r, &rout).ok());
  EXPECT_FALSE(rout.has_prefix());
  pb::ListRepositoriesResponse repos;
  ASSERT_TRUE(Call(REF(ListRepositories), pb::ListRepositoriesRequest(), &repos).ok());
  EXPECT_EQ(repos.repositories_size(), 1);
}

// The delete RPCs apply MirrorManager2's cascades (covered rule by rule in cascade_test.cc);
// here: they reach the store, and a second delete of the same id says NOT_FOUND.
TEST_F(CatalogGrpcTest, ReferenceDeletesCascadeAndReportNotFound) {
  SeedReference();
  pb::Arch arch;
  arch.set_name("x86_64");
  pb::Arch aout;
  ASSERT_TRUE(Call(REF(UpsertArch), arch, &aout).ok());
  pb::Version v;
  v.set_product_name("Fedora");
  v.set_name("40");
  pb::Version vout;
  ASSERT_TRUE(Call(REF(UpsertVersion), v, &vout).ok());
  pb::Repository r;
  r.set_name("fedora-40-x86_64");
  r.set_prefix("fedora-40");
  r.set_category_name("Fedora Linux");
  r.set_product_name("Fedora");
  r.set_version_name("40");
  r.set_arch_name("x86_64");
  pb::Repository rout;
  ASSERT_TRUE(Call(REF(UpsertRepository), r, &rout).ok());
  auto& db = harness_->db();
  db.Exec("INSERT INTO propagation_stat (repository_id, datetime) VALUES (" +
          std::to_string(rout.id()) + ", '2026-01-01')");
  pb::ListCategoriesResponse cats;
  ASSERT_TRUE(Call(REF(ListCategories), pb::ListCategoriesRequest(), &cats).ok());
  const int64_t category_id = cats.categories(0).id();
  const int64_t product_id = cats.categories(0).product_id();
  pb::Empty empty;

  pb::DeleteArchRequest del_arch;
  del_arch.set_id(aout.id());
  ASSERT_TRUE(Call(REF(DeleteArch), del_arch, &empty).ok());
  pb::DeleteVersionRequest del_version;
  del_version.set_id(vout.id());
  ASSERT_TRUE(Call(REF(DeleteVersion), del_version, &empty).ok());
  pb::DeleteCategoryRequest del_category;
  del_category.set_id(category_id);
  ASSERT_TRUE(Call(REF(DeleteCategory), del_category, &empty).ok());
  pb::ListRepositoriesResponse repos;
  ASSERT_TRUE(Call(REF(ListRepositories), pb::ListRepositoriesRequest(), &repos).ok());
  ASSERT_EQ(repos.repositories_size(), 1);
  EXPECT_EQ(repos.repositories(0).arch_id(), 0);
  EXPECT_EQ(repos.repositories(0).version_id(), 0);
  EXPECT_EQ(repos.repositories(0).category_id(), 0);

  pb::DeleteRepositoryRequest del_repo;
  del_repo.set_id(rout.id());
  ASSERT_TRUE(Call(REF(DeleteRepository), del_repo, &empty).ok());
  EXPECT_EQ(db.Count("SELECT count(*) FROM propagation_stat"), 0);
  pb::DeleteProductRequest del_product;
  del_product.set_id(product_id);
  ASSERT_TRUE(Call(REF(DeleteProduct), del_product, &empty).ok());
  EXPECT_EQ(db.Count("SELECT count(*) FROM product"), 0);
  EXPECT_EQ(db.Count("SELECT count(*) FROM directory WHERE name = 'pub/fedora/linux'"), 1);

  grpc::Status again = Call(REF(DeleteCategory), del_category, &empty);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(again.error_message(), HasSubstr("Category not found"));
  EXPECT_EQ(Call(REF(DeleteProduct), del_product, &empty).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CatalogGrpcTest, SitesHostsCategoriesAndUrls) {
  SeedReference();
  pb::CreateSiteRequest cs;
  cs.mutable_fields()->set_name("Example Mirror Org");
  cs.mutable_fields()->set_password("site-secret");
  cs.mutable_fields()->set_org_url("https://example.org");
  cs.mutable_fields()->set_created_by("alice");
  cs.add_admins("alice");
  pb::Site site;
  ASSERT_TRUE(Call(MIR(CreateSite), cs, &site).ok());
  EXPECT_TRUE(site.has_password());
  EXPECT_TRUE(site.admin_active());
  EXPECT_FALSE(site.private_());
  EXPECT_GT(site.created_at(), 1700000000);
  ASSERT_EQ(site.admins_size(), 1);
  EXPECT_EQ(site.admins(0).username(), "alice");
  // Stored as an argon2id hash, never in plain text.
  EXPECT_EQ(harness_->db().QueryValue("SELECT password FROM site"), "");
  EXPECT_EQ(harness_->db().QueryValue("SELECT substr(password_hash, 1, 10) FROM site"),
            "$argon2id$");

  pb::CreateHostRequest ch;
  ch.set_site_id(site.id());
  ch.mutable_fields()->set_name("mirror.example.org");
  ch.mutable_fields()->set_country("us");
  pb::Host host;
  ASSERT_TRUE(Call(MIR(CreateHost), ch, &host).ok());
  EXPECT_EQ(host.country(), "us");  // stored as typed
  EXPECT_EQ(host.bandwidth_int(), 100);
  EXPECT_EQ(host.max_connections(), 1);
  EXPECT_TRUE(host.asn_clients());
  EXPECT_EQ(host.site_name(), "Example Mirror Org");
  grpc::Status dup = Call(MIR(CreateHost), ch, &host);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  pb::AddHostCategoryRequest ac;
  ac.set_host_id(host.id());
  ac.set_category_name("Fedora Linux");
  pb::HostCategory hc;
  ASSERT_TRUE(Call(MIR(AddHostCategory), ac, &hc).ok());
  pb::AddHostCategoryUrlRequest au;
  au.set_host_id(host.id());
  au.set_host_category_id(hc.id());
  au.set_url("http://mirror.example.org/fedora/linux");
  pb::HostCategoryUrl url;
  ASSERT_TRUE(Call(MIR(AddHostCategoryUrl), au, &url).ok());
  pb::ListHostCategoriesRequest lhc;
  lhc.set_host_id(host.id());
  pb::ListHostCategoriesResponse hcs;
  ASSERT_TRUE(Call(MIR(ListHostCategories), lhc, &hcs).ok());
  ASSERT_EQ(hcs.host_categories_size(), 1);
  ASSERT_EQ(hcs.host_categories(0).urls_size(), 1);
  EXPECT_EQ(hcs.host_categories(0).urls(0).url(), "http://mirror.example.org/fedora/linux");

  // A URL is unique across the whole table.
  pb::CreateHostRequest ch2 = ch;
  ch2.mutable_fields()->set_name("other.example.org");
  pb::Host other;
  ASSERT_TRUE(Call(MIR(CreateHost), ch2, &other).ok());
  ac.set_host_id(other.id());
  pb::HostCategory hc2;
  ASSERT_TRUE(Call(MIR(AddHostCategory), ac, &hc2).ok());
  au.set_host_id(other.id());
  au.set_host_category_id(hc2.id());
  EXPECT_EQ(Call(MIR(AddHostCategoryUrl), au, &url).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  // A child of another host is refused (no IDOR).
  pb::DeleteHostCategoryRequest dhc;
  dhc.set_host_id(other.id());
  dhc.set_host_category_id(hc.id());
  pb::Empty empty;
  grpc::Status idor = Call(MIR(DeleteHostCategory), dhc, &empty);
  EXPECT_EQ(idor.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(idor.error_message(), "Category not associated with this host");

  pb::UpdateHostRequest uh;
  uh.set_id(host.id());
  uh.mutable_fields()->set_bandwidth_int(1000);
  uh.mutable_fields()->set_clear_comment(true);
  ASSERT_TRUE(Call(MIR(UpdateHost), uh, &host).ok());
  EXPECT_EQ(host.bandwidth_int(), 1000);
  EXPECT_EQ(host.name(), "mirror.example.org");

  pb::ListSitesRequest ls;
  ls.set_admin_username("alice");
  pb::ListSitesResponse sites;
  ASSERT_TRUE(Call(MIR(ListSites), ls, &sites).ok());
  EXPECT_EQ(sites.sites_size(), 1);
  ls.set_admin_username("bob");
  ASSERT_TRUE(Call(MIR(ListSites), ls, &sites).ok());
  EXPECT_EQ(sites.sites_size(), 0);

  pb::RemoveSiteAdminRequest rsa;
  rsa.set_site_id(site.id());
  rsa.set_admin_id(site.admins(0).id());
  grpc::Status last = Call(MIR(RemoveSiteAdmin), rsa, &empty);
  EXPECT_EQ(last.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(last.error_message(), "There is only one admin set, you cannot delete it.");

  pb::GetHostRequest gh;
  gh.set_id(999999);
  EXPECT_EQ(Call(MIR(GetHost), gh, &host).error_code(), grpc::StatusCode::NOT_FOUND);
}

// The rest of the first API surface, round trip by round trip: listing products, versions and
// countries, linking directories to a category, and a site's and a host's life cycle (get,
// update with a new password, add an admin, delete a URL, a host, the site).
TEST_F(CatalogGrpcTest, ListingsLinksAndSiteAndHostLifecycle) {
  SeedReference();
  auto& db = harness_->db();
  pb::Product epel;
  epel.set_name("EPEL");
  pb::Product pout;
  ASSERT_TRUE(Call(REF(UpsertProduct), epel, &pout).ok());
  pb::ListProductsResponse products;
  ASSERT_TRUE(Call(REF(ListProducts), pb::ListProductsRequest(), &products).ok());
  ASSERT_EQ(products.products_size(), 2);
  EXPECT_EQ(products.products(0).name(), "EPEL");
  EXPECT_EQ(products.products(1).name(), "Fedora");

  for (const auto& [product, name] : std::vector<std::pair<std::string, std::string>>{
           {"Fedora", "40"}, {"Fedora", "rawhide"}, {"EPEL", "9"}}) {
    pb::Version v;
    v.set_product_name(product);
    v.set_name(name);
    pb::Version vout;
    ASSERT_TRUE(Call(REF(UpsertVersion), v, &vout).ok());
  }
  pb::ListVersionsRequest lv;
  lv.set_product_name("Fedora");
  pb::ListVersionsResponse versions;
  ASSERT_TRUE(Call(REF(ListVersions), lv, &versions).ok());
  ASSERT_EQ(versions.versions_size(), 2);
  EXPECT_EQ(versions.versions(0).name(), "40");
  EXPECT_EQ(versions.versions(1).product_name(), "Fedora");
  lv.clear_product_name();  // every product
  ASSERT_TRUE(Call(REF(ListVersions), lv, &versions).ok());
  EXPECT_EQ(versions.versions_size(), 3);

  pb::AddCountriesRequest add;
  for (const char* cc : {"US", "DE"}) add.add_codes(cc);
  pb::AddCountriesResponse added;
  ASSERT_TRUE(Call(REF(AddCountries), add, &added).ok());
  pb::ListCountriesResponse countries;
  ASSERT_TRUE(Call(REF(ListCountries), pb::ListCountriesRequest(), &countries).ok());
  ASSERT_EQ(countries.countries_size(), 2);
  EXPECT_EQ(countries.countries(0).code(), "DE");
  EXPECT_GT(countries.countries(0).id(), 0);

  // Directories created without a category, then linked to one (twice: idempotent).
  pb::UpsertDirectoriesRequest dirs;
  for (const char* n : {"pub/fedora/linux/a", "pub/fedora/linux/b"})
    dirs.add_directories()->set_name(n);
  pb::UpsertDirectoriesResponse up;
  ASSERT_TRUE(Call(REF(UpsertDirectories), dirs, &up).ok());
  pb::LinkCategoryDirectoriesRequest link;
  link.set_category_name("Fedora Linux");
  link.add_directory_names("pub/fedora/linux/a");
  link.add_directory_names("pub/fedora/linux/b");
  link.add_directory_names("pub/fedora/linux/not-there");
  pb::LinkCategoryDirectoriesResponse linked;
  ASSERT_TRUE(Call(REF(LinkCategoryDirectories), link, &linked).ok());
  EXPECT_EQ(linked.linked(), 2);
  ASSERT_TRUE(Call(REF(LinkCategoryDirectories), link, &linked).ok());
  EXPECT_EQ(linked.linked(), 0);
  link.set_category_name("No Such Category");
  EXPECT_EQ(Call(REF(LinkCategoryDirectories), link, &linked).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // A site: get, update (a new password replaces the hash), a second admin.
  pb::CreateSiteRequest cs;
  cs.mutable_fields()->set_name("Example Mirror Org");
  cs.mutable_fields()->set_password("old-secret");
  cs.mutable_fields()->set_created_by("alice");
  cs.add_admins("alice");
  pb::Site site;
  ASSERT_TRUE(Call(MIR(CreateSite), cs, &site).ok());
  const std::string old_hash = db.QueryValue("SELECT password_hash FROM site");
  pb::UpdateSiteRequest us;
  us.set_id(site.id());
  us.mutable_fields()->set_password("new-secret");
  us.mutable_fields()->set_org_url("https://example.org");
  us.mutable_fields()->set_private_(true);
  ASSERT_TRUE(Call(MIR(UpdateSite), us, &site).ok());
  EXPECT_TRUE(site.private_());
  EXPECT_EQ(site.org_url(), "https://example.org");
  EXPECT_EQ(site.name(), "Example Mirror Org");  // unset fields keep their value
  EXPECT_NE(db.QueryValue("SELECT password_hash FROM site"), old_hash);
  EXPECT_TRUE(
      common::VerifyPassword(db.QueryValue("SELECT password_hash FROM site"), "new-secret"));
  pb::AddSiteAdminRequest asa;
  asa.set_site_id(site.id());
  asa.set_username("bob");
  pb::SiteAdmin bob;
  ASSERT_TRUE(Call(MIR(AddSiteAdmin), asa, &bob).ok());
  EXPECT_EQ(bob.username(), "bob");
  EXPECT_EQ(bob.site_id(), site.id());
  pb::GetSiteRequest gs;
  gs.set_id(site.id());
  ASSERT_TRUE(Call(MIR(GetSite), gs, &site).ok());
  EXPECT_EQ(site.admins_size(), 2);
  // With two admins, one may go.
  pb::RemoveSiteAdminRequest rsa;
  rsa.set_site_id(site.id());
  rsa.set_admin_id(bob.id());
  pb::Empty empty;
  ASSERT_TRUE(Call(MIR(RemoveSiteAdmin), rsa, &empty).ok());
  ASSERT_TRUE(Call(MIR(GetSite), gs, &site).ok());
  ASSERT_EQ(site.admins_size(), 1);
  EXPECT_EQ(site.admins(0).username(), "alice");

  // A host with a category and two URLs; URLs are deleted only through their own host.
  pb::CreateHostRequest ch;
  ch.set_site_id(site.id());
  ch.mutable_fields()->set_name("mirror.example.org");
  ch.mutable_fields()->set_country("US");
  pb::Host host, other;
  ASSERT_TRUE(Call(MIR(CreateHost), ch, &host).ok());
  ch.mutable_fields()->set_name("other.example.org");
  ASSERT_TRUE(Call(MIR(CreateHost), ch, &other).ok());
  pb::AddHostCategoryRequest ac;
  ac.set_host_id(host.id());
  ac.set_category_name("Fedora Linux");
  pb::HostCategory hc;
  ASSERT_TRUE(Call(MIR(AddHostCategory), ac, &hc).ok());
  pb::AddHostCategoryUrlRequest au;
  au.set_host_id(host.id());
  au.set_host_category_id(hc.id());
  pb::HostCategoryUrl http, rsync;
  au.set_url("http://mirror.example.org/fedora/linux");
  ASSERT_TRUE(Call(MIR(AddHostCategoryUrl), au, &http).ok());
  au.set_url("rsync://mirror.example.org/fedora/linux");
  au.set_private_(true);
  ASSERT_TRUE(Call(MIR(AddHostCategoryUrl), au, &rsync).ok());
  EXPECT_TRUE(rsync.private_());
  pb::DeleteHostCategoryUrlRequest du;
  du.set_host_id(other.id());
  du.set_host_category_id(hc.id());
  du.set_url_id(http.id());
  EXPECT_EQ(Call(MIR(DeleteHostCategoryUrl), du, &empty).error_code(), grpc::StatusCode::NOT_FOUND);
  du.set_host_id(host.id());
  ASSERT_TRUE(Call(MIR(DeleteHostCategoryUrl), du, &empty).ok());
  EXPECT_EQ(Call(MIR(DeleteHostCategoryUrl), du, &empty).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(db.QueryValue("SELECT string_agg(url, ',') FROM host_category_url"),
            "rsync://mirror.example.org/fedora/linux");

  pb::DeleteHostRequest dh;
  dh.set_id(host.id());
  ASSERT_TRUE(Call(MIR(DeleteHost), dh, &empty).ok());
  EXPECT_EQ(Call(MIR(DeleteHost), dh, &empty).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(db.Count("SELECT count(*) FROM host_category"), 0);
  EXPECT_EQ(db.Count("SELECT count(*) FROM host_category_url"), 0);
  pb::ListHostsRequest lh;
  lh.set_site_id(site.id());
  pb::ListHostsResponse hosts;
  ASSERT_TRUE(Call(MIR(ListHosts), lh, &hosts).ok());
  ASSERT_EQ(hosts.hosts_size(), 1);
  EXPECT_EQ(hosts.hosts(0).name(), "other.example.org");

  pb::DeleteSiteRequest ds;
  ds.set_id(site.id());
  ASSERT_TRUE(Call(MIR(DeleteSite), ds, &empty).ok());
  EXPECT_EQ(db.Count("SELECT count(*) FROM host"), 0);
  EXPECT_EQ(db.Count("SELECT count(*) FROM site_admin"), 0);
  grpc::Status gone = Call(MIR(GetSite), gs, &site);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(gone.error_message(), "Site not found");
  EXPECT_EQ(Call(MIR(DeleteSite), ds, &empty).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace mm::catalog
