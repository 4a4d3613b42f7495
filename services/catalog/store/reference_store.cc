#include "services/catalog/store/reference_store.h"

#include "absl/strings/str_cat.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/sql_util.h"

namespace mm::catalog {
namespace {

constexpr char kSelectVersion[] = R"sql(
SELECT v.id, v.name, COALESCE(v.product_id, 0), COALESCE(p.name, ''), v.codename, v.is_test,
       v.display, v.display_name, v.ordered_mirrorlist, v.sortorder
FROM version v LEFT JOIN product p ON p.id = v.product_id)sql";

constexpr char kSelectCategory[] = R"sql(
SELECT c.id, c.name, COALESCE(c.product_id, 0), COALESCE(p.name, ''), COALESCE(c.topdir_id, 0),
       COALESCE(d.name, ''), c.canonicalhost, c.publiclist, c.geo_dns_domain,
       COALESCE(c.admin_only, false)
FROM category c LEFT JOIN product p ON p.id = c.product_id
LEFT JOIN directory d ON d.id = c.topdir_id)sql";

constexpr char kSelectRepository[] = R"sql(
SELECT r.id, r.name, r.prefix, COALESCE(r.category_id, 0), COALESCE(c.name, ''),
       COALESCE(r.version_id, 0), COALESCE(v.name, ''), COALESCE(r.arch_id, 0),
       COALESCE(a.name, ''), COALESCE(r.directory_id, 0), COALESCE(d.name, ''), r.disabled
FROM repository r
LEFT JOIN category c ON c.id = r.category_id
LEFT JOIN version v ON v.id = r.version_id
LEFT JOIN arch a ON a.id = r.arch_id
LEFT JOIN directory d ON d.id = r.directory_id)sql";

Version RowToVersion(const pqxx::row& r) {
  Version v;
  v.id = r[0].as<int64_t>();
  v.name = r[1].is_null() ? "" : r[1].as<std::string>();
  v.product_id = r[2].as<int64_t>();
  v.product_name = r[3].as<std::string>();
  v.codename = Opt<std::string>(r[4]);
  v.is_test = r[5].as<bool>();
  v.display = r[6].as<bool>();
  v.display_name = Opt<std::string>(r[7]);
  v.ordered_mirrorlist = r[8].as<bool>();
  v.sortorder = r[9].as<int32_t>();
  return v;
}

Category RowToCategory(const pqxx::row& r) {
  Category c;
  c.id = r[0].as<int64_t>();
  c.name = r[1].as<std::string>();
  c.product_id = r[2].as<int64_t>();
  c.product_name = r[3].as<std::string>();
  c.topdir_id = r[4].as<int64_t>();
  c.topdir_name = r[5].as<std::string>();
  c.canonicalhost = Opt<std::string>(r[6]);
  c.publiclist = r[7].as<bool>();
  c.geo_dns_domain = Opt<std::string>(r[8]);
  c.admin_only = r[9].as<bool>();
  return c;
}

Repository RowToRepository(const pqxx::row& r) {
  Repository x;
  x.id = r[0].as<int64_t>();
  x.name = r[1].as<std::string>();
  x.prefix = Opt<std::string>(r[2]);
  x.category_id = r[3].as<int64_t>();
  x.category_name = r[4].as<std::string>();
  x.version_id = r[5].as<int64_t>();
  x.version_name = r[6].as<std::string>();
  x.arch_id = r[7].as<int64_t>();
  x.arch_name = r[8].as<std::string>();
  x.directory_id = r[9].as<int64_t>();
  x.directory_name = r[10].as<std::string>();
  x.disabled = r[11].as<bool>();
  return x;
}

absl::StatusOr<int64_t> IdByName(pqxx::transaction_base& tx, const char* table,
                                 const std::string& name, const char* what) {
  pqxx::result r = tx.exec_params(absl::StrCat("SELECT id FROM ", table, " WHERE name = $1"), name);
  if (r.empty())
    return absl::FailedPreconditionError(absl::StrCat("unknown ", what, " '", name, "'"));
  return r[0][0].as<int64_t>();
}

// MirrorManager2's ORM cascades on delete (mm2-web-and-data.md §1.3): what happens to the
// children before the parent row goes. Every statement takes the parent id as $1.
constexpr const char* kProductCascade[] = {
    "UPDATE category SET product_id = NULL WHERE product_id = $1",
    "UPDATE version SET product_id = NULL WHERE product_id = $1",
};
constexpr const char* kVersionCascade[] = {
    "UPDATE repository SET version_id = NULL WHERE version_id = $1",
};
constexpr const char* kArchCascade[] = {
    "UPDATE repository SET arch_id = NULL WHERE arch_id = $1",
};
// host_category_dir and host_category_url follow host_category by ON DELETE CASCADE.
constexpr const char* kCategoryCascade[] = {
    "DELETE FROM host_category WHERE category_id = $1",
    "DELETE FROM category_directory WHERE category_id = $1",
    "UPDATE repository SET category_id = NULL WHERE category_id = $1",
};
constexpr const char* kRepositoryCascade[] = {
    "DELETE FROM propagation_stat WHERE repository_id = $1",
};

// Locks the parent row first, so that no child can be attached to it while the cascade runs
// (inserting a child takes a share lock on the parent through its foreign key).
template <size_t N>
absl::Status DeleteWithCascade(PgPool& pool, const char* table, const char* what, int64_t id,
                               const char* const (&cascade)[N]) {
  return pool.Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    if (tx.exec_params(absl::StrCat("SELECT 1 FROM ", table, " WHERE id = $1 FOR UPDATE"), id)
            .empty()) {
      return absl::NotFoundError(absl::StrCat(what, " not found"));
    }
    for (const char* sql : cascade) tx.exec_params(sql, id);
    tx.exec_params(absl::StrCat("DELETE FROM ", table, " WHERE id = $1"), id);
    return absl::OkStatus();
  });
}

// For "set to a value, set to NULL, or leave alone" fields: ($n::boolean, $n+1::text).
bool IsSet(const std::optional<std::optional<std::string>>& f) { return f.has_value(); }
std::optional<std::string> Value(const std::optional<std::optional<std::string>>& f) {
  return f.has_value() ? *f : std::nullopt;
}

}  // namespace

absl::StatusOr<std::vector<Product>> ReferenceStore::ListProducts() {
  return pool_.Query<std::vector<Product>>(
      [](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Product>> {
        std::vector<Product> out;
        for (const auto& r : tx.exec("SELECT id, name, publiclist FROM product ORDER BY name")) {
          out.push_back(Product{r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<bool>()});
        }
        return out;
      });
}

absl::StatusOr<Product> ReferenceStore::UpsertProduct(const std::string& name,
                                                      std::optional<bool> publiclist) {
  if (name.empty()) return absl::InvalidArgumentError("product name is required");
  return pool_.Query<Product>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Product> {
        pqxx::row r = tx.exec_params1(
            "INSERT INTO product (name, publiclist) VALUES ($1, COALESCE($2::boolean, true)) "
            "ON CONFLICT (name) DO UPDATE SET publiclist = COALESCE($2::boolean, "
            "product.publiclist) "
            "RETURNING id, name, publiclist",
            name, publiclist);
        return Product{r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<bool>()};
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<Version>> ReferenceStore::ListVersions(const std::string& product_name) {
  return pool_.Query<std::vector<Version>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Version>> {
        std::vector<Version> out;
        for (const auto& r :
             tx.exec_params(absl::StrCat(kSelectVersion,
                                         " WHERE ($1 = '' OR p.name = $1) ORDER BY p.name, v.id"),
                            product_name)) {
          out.push_back(RowToVersion(r));
        }
        return out;
      });
}

absl::StatusOr<Version> ReferenceStore::UpsertVersion(const VersionUpsert& v) {
  if (v.name.empty()) return absl::InvalidArgumentError("version name is required");
  return pool_.Query<Version>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Version> {
        auto product_id = IdByName(tx, "product", v.product_name, "product");
        if (!product_id.ok()) return product_id.status();
        pqxx::row r = tx.exec_params1(
            R"sql(
INSERT INTO version (name, product_id, codename, is_test, display, display_name,
                     ordered_mirrorlist, sortorder)
VALUES ($1, $2, CASE WHEN $3::boolean THEN $4::text END, COALESCE($5::boolean, false),
        COALESCE($6::boolean, true), CASE WHEN $7::boolean THEN $8::text END,
        COALESCE($9::boolean, true), COALESCE($10::integer, 0))
ON CONFLICT (name, product_id) DO UPDATE SET
  codename = CASE WHEN $3::boolean THEN $4::text ELSE version.codename END,
  is_test = COALESCE($5::boolean, version.is_test),
  display = COALESCE($6::boolean, version.display),
  display_name = CASE WHEN $7::boolean THEN $8::text ELSE version.display_name END,
  ordered_mirrorlist = COALESCE($9::boolean, version.ordered_mirrorlist),
  sortorder = COALESCE($10::integer, version.sortorder)
RETURNING id)sql",
            v.name, *product_id, IsSet(v.codename), Value(v.codename), v.is_test, v.display,
            IsSet(v.display_name), Value(v.display_name), v.ordered_mirrorlist, v.sortorder);
        return RowToVersion(
            tx.exec_params1(absl::StrCat(kSelectVersion, " WHERE v.id = $1"), r[0].as<int64_t>()));
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<Arch>> ReferenceStore::ListArches() {
  return pool_.Query<std::vector<Arch>>(
      [](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Arch>> {
        std::vector<Arch> out;
        for (const auto& r :
             tx.exec("SELECT id, name, publiclist, primary_arch FROM arch ORDER BY name")) {
          out.push_back(
              Arch{r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<bool>(), r[3].as<bool>()});
        }
        return out;
      });
}

absl::StatusOr<Arch> ReferenceStore::UpsertArch(const std::string& name,
                                                std::optional<bool> publiclist,
                                                std::optional<bool> primary_arch) {
  if (name.empty()) return absl::InvalidArgumentError("arch name is required");
  return pool_.Query<Arch>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Arch> {
        pqxx::row r = tx.exec_params1(
            R"sql(
INSERT INTO arch (name, publiclist, primary_arch)
VALUES ($1, COALESCE($2::boolean, true), COALESCE($3::boolean, true))
ON CONFLICT (name) DO UPDATE SET publiclist = COALESCE($2::boolean, arch.publiclist),
                                 primary_arch = COALESCE($3::boolean, arch.primary_arch)
RETURNING id, name, publiclist, primary_arch)sql",
            name, publiclist, primary_arch);
        return Arch{r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<bool>(), r[3].as<bool>()};
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<Category>> ReferenceStore::ListCategories() {
  return pool_.Query<std::vector<Category>>(
      [](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Category>> {
        std::vector<Category> out;
        for (const auto& r : tx.exec(absl::StrCat(kSelectCategory, " ORDER BY c.name"))) {
          out.push_back(RowToCategory(r));
        }
        return out;
      });
}

absl::StatusOr<Category> ReferenceStore::GetCategory(const std::string& name) {
  return pool_.Query<Category>([&](pqxx::transaction_base& tx) -> absl::StatusOr<Category> {
    pqxx::result r = tx.exec_params(absl::StrCat(kSelectCategory, " WHERE c.name = $1"), name);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("no category named '", name, "'"));
    return RowToCategory(r[0]);
  });
}

absl::StatusOr<Category> ReferenceStore::UpsertCategory(const CategoryUpsert& c) {
  if (c.name.empty()) return absl::InvalidArgumentError("category name is required");
  return pool_.Query<Category>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Category> {
        std::optional<int64_t> product_id, topdir_id;
        if (c.product_name) {
          auto id = IdByName(tx, "product", *c.product_name, "product");
          if (!id.ok()) return id.status();
          product_id = *id;
        }
        if (c.topdir_name) {
          tx.exec_params(
              "INSERT INTO directory (name, readable, ctime) VALUES ($1, true, 0) "
              "ON CONFLICT (name) DO NOTHING",
              *c.topdir_name);
          topdir_id = tx.exec_params1("SELECT id FROM directory WHERE name = $1", *c.topdir_name)[0]
                          .as<int64_t>();
        }
        pqxx::row r = tx.exec_params1(
            R"sql(
INSERT INTO category (name, product_id, topdir_id, canonicalhost, publiclist, geo_dns_domain,
                      admin_only)
VALUES ($1, $2::integer, $3::integer,
        CASE WHEN $4::boolean THEN $5::text ELSE 'http://download.fedora.redhat.com' END,
        COALESCE($6::boolean, true), CASE WHEN $7::boolean THEN $8::text END,
        COALESCE($9::boolean, false))
ON CONFLICT (name) DO UPDATE SET
  product_id = COALESCE($2::integer, category.product_id),
  topdir_id = COALESCE($3::integer, category.topdir_id),
  canonicalhost = CASE WHEN $4::boolean THEN $5::text ELSE category.canonicalhost END,
  publiclist = COALESCE($6::boolean, category.publiclist),
  geo_dns_domain = CASE WHEN $7::boolean THEN $8::text ELSE category.geo_dns_domain END,
  admin_only = COALESCE($9::boolean, category.admin_only)
RETURNING id)sql",
            c.name, product_id, topdir_id, IsSet(c.canonicalhost), Value(c.canonicalhost),
            c.publiclist, IsSet(c.geo_dns_domain), Value(c.geo_dns_domain), c.admin_only);
        return RowToCategory(
            tx.exec_params1(absl::StrCat(kSelectCategory, " WHERE c.id = $1"), r[0].as<int64_t>()));
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<Country>> ReferenceStore::ListCountries() {
  return pool_.Query<std::vector<Country>>(
      [](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Country>> {
        std::vector<Country> out;
        for (const auto& r : tx.exec("SELECT id, code FROM country ORDER BY code")) {
          out.push_back(Country{r[0].as<int64_t>(), r[1].as<std::string>()});
        }
        return out;
      });
}

absl::StatusOr<int> ReferenceStore::AddCountries(const std::vector<std::string>& codes) {
  return pool_.Query<int>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<int> {
        pqxx::result r = tx.exec_params(
            "INSERT INTO country (code) SELECT DISTINCT c FROM unnest($1::text[]) AS c "
            "ON CONFLICT (code) DO NOTHING RETURNING id",
            PgTextArray(codes));
        return static_cast<int>(r.size());
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<Repository>> ReferenceStore::ListRepositories(
    const std::string& category_name) {
  return pool_.Query<std::vector<Repository>>([&](pqxx::transaction_base& tx)
                                                  -> absl::StatusOr<std::vector<Repository>> {
    std::vector<Repository> out;
    for (const auto& r : tx.exec_params(
             absl::StrCat(kSelectRepository,
                          " WHERE ($1 = '' OR c.name = $1) ORDER BY r.arch_id NULLS LAST, r.id"),
             category_name)) {
      out.push_back(RowToRepository(r));
    }
    return out;
  });
}

absl::StatusOr<Repository> ReferenceStore::UpsertRepository(const RepositoryUpsert& u) {
  if (u.name.empty()) return absl::InvalidArgumentError("repository name is required");
  return pool_.Query<Repository>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<Repository> {
        std::optional<int64_t> category_id, version_id, arch_id, directory_id;
        if (u.category_name) {
          auto id = IdByName(tx, "category", *u.category_name, "category");
          if (!id.ok()) return id.status();
          category_id = *id;
        }
        if (u.version_name) {
          pqxx::result r = tx.exec_params(
              "SELECT v.id FROM version v JOIN product p ON p.id = v.product_id "
              "WHERE v.name = $1 AND ($2 = '' OR p.name = $2) ORDER BY v.id LIMIT 1",
              *u.version_name, u.product_name.value_or(""));
          if (r.empty()) {
            return absl::FailedPreconditionError(
                absl::StrCat("unknown version '", *u.version_name, "'"));
          }
          version_id = r[0][0].as<int64_t>();
        }
        if (u.arch_name) {
          auto id = IdByName(tx, "arch", *u.arch_name, "arch");
          if (!id.ok()) return id.status();
          arch_id = *id;
        }
        if (u.directory_name) {
          auto id = IdByName(tx, "directory", *u.directory_name, "directory");
          if (!id.ok()) return id.status();
          directory_id = *id;
        }
        pqxx::row r = tx.exec_params1(
            R"sql(
INSERT INTO repository (name, prefix, category_id, version_id, arch_id, directory_id, disabled)
VALUES ($1, CASE WHEN $2::boolean THEN $3::text END, $4::integer, $5::integer, $6::integer,
        $7::integer, COALESCE($8::boolean, false))
ON CONFLICT (name) DO UPDATE SET
  prefix = CASE WHEN $2::boolean THEN $3::text ELSE repository.prefix END,
  category_id = COALESCE($4::integer, repository.category_id),
  version_id = COALESCE($5::integer, repository.version_id),
  arch_id = COALESCE($6::integer, repository.arch_id),
  directory_id = COALESCE($7::integer, repository.directory_id),
  disabled = COALESCE($8::boolean, repository.disabled)
RETURNING id)sql",
            u.name, IsSet(u.prefix), Value(u.prefix), category_id, version_id, arch_id,
            directory_id, u.disabled);
        return RowToRepository(tx.exec_params1(absl::StrCat(kSelectRepository, " WHERE r.id = $1"),
                                               r[0].as<int64_t>()));
      },
      PgPool::Mode::kReadWrite);
}

absl::Status ReferenceStore::DeleteProduct(int64_t id) {
  return DeleteWithCascade(pool_, "product", "Product", id, kProductCascade);
}

absl::Status ReferenceStore::DeleteVersion(int64_t id) {
  return DeleteWithCascade(pool_, "version", "Version", id, kVersionCascade);
}

absl::Status ReferenceStore::DeleteArch(int64_t id) {
  return DeleteWithCascade(pool_, "arch", "Arch", id, kArchCascade);
}

absl::Status ReferenceStore::DeleteCategory(int64_t id) {
  return DeleteWithCascade(pool_, "category", "Category", id, kCategoryCascade);
}

absl::Status ReferenceStore::DeleteRepository(int64_t id) {
  return DeleteWithCascade(pool_, "repository", "Repository", id, kRepositoryCascade);
}

}  // namespace mm::catalog
