#pragma once
// Reference data of the master tree: products, versions, arches, categories (with their top
// directory), countries and repositories. Upserts are keyed by the natural key (name, or
// product + name for versions) so that workers and seed tools can repeat them safely; an unset
// optional field keeps the stored value (or takes the upstream default on insert).
//
// Thread-safety: stateless apart from the pool; safe to share.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/catalog/model.h"

namespace mm::catalog {

class PgPool;

struct VersionUpsert {
  std::string product_name;
  std::string name;
  std::optional<std::optional<std::string>> codename;
  std::optional<bool> is_test;
  std::optional<bool> display;
  std::optional<std::optional<std::string>> display_name;
  std::optional<bool> ordered_mirrorlist;
  std::optional<int32_t> sortorder;
};

struct CategoryUpsert {
  std::string name;
  std::optional<std::string> product_name;
  std::optional<std::string> topdir_name;  // created as a directory when missing
  std::optional<std::optional<std::string>> canonicalhost;
  std::optional<bool> publiclist;
  std::optional<std::optional<std::string>> geo_dns_domain;
  std::optional<bool> admin_only;
};

struct RepositoryUpsert {
  std::string name;
  std::optional<std::optional<std::string>> prefix;
  std::optional<std::string> category_name;
  std::optional<std::string> product_name;  // with version_name
  std::optional<std::string> version_name;
  std::optional<std::string> arch_name;
  std::optional<std::string> directory_name;  // must exist
  std::optional<bool> disabled;
};

class ReferenceStore {
 public:
  explicit ReferenceStore(PgPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<Product>> ListProducts();
  absl::StatusOr<Product> UpsertProduct(const std::string& name, std::optional<bool> publiclist);

  // Ordered by product name, then version id. Empty product_name = all products.
  absl::StatusOr<std::vector<Version>> ListVersions(const std::string& product_name);
  absl::StatusOr<Version> UpsertVersion(const VersionUpsert& v);

  absl::StatusOr<std::vector<Arch>> ListArches();
  absl::StatusOr<Arch> UpsertArch(const std::string& name, std::optional<bool> publiclist,
                                  std::optional<bool> primary_arch);

  absl::StatusOr<std::vector<Category>> ListCategories();
  absl::StatusOr<Category> GetCategory(const std::string& name);
  absl::StatusOr<Category> UpsertCategory(const CategoryUpsert& c);

  absl::StatusOr<std::vector<Country>> ListCountries();
  // Inserts the codes that are missing; returns how many were added.
  absl::StatusOr<int> AddCountries(const std::vector<std::string>& codes);

  // Ordered by arch id, then id. Empty category_name = all.
  absl::StatusOr<std::vector<Repository>> ListRepositories(const std::string& category_name);
  absl::StatusOr<Repository> UpsertRepository(const RepositoryUpsert& r);

  // Deletes by id with MirrorManager2's ORM cascades (mm2-web-and-data.md §1.3), each in one
  // transaction; NOT_FOUND when there is no such row.
  //   product:    its categories and versions stay, with product_id NULL
  //   version:    its repositories stay, with version_id NULL
  //   arch:       its repositories stay, with arch_id NULL
  //   category:   its host categories go (with their dirs and URLs), and its category_directory
  //               rows; its repositories stay, with category_id NULL; directories stay
  //   repository: its propagation_stat rows go
  absl::Status DeleteProduct(int64_t id);
  absl::Status DeleteVersion(int64_t id);
  absl::Status DeleteArch(int64_t id);
  absl::Status DeleteCategory(int64_t id);
  absl::Status DeleteRepository(int64_t id);

 private:
  PgPool& pool_;
};

}  // namespace mm::catalog
