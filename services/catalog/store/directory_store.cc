#include "services/catalog/store/directory_store.h"

#include "absl/strings/str_cat.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/directory_files.h"
#include "services/catalog/store/sql_util.h"

namespace mm::catalog {

absl::StatusOr<DirectoryUpsertResult> DirectoryStore::Upsert(
    const std::vector<DirectoryUpsert>& batch, const std::string& link_category) {
  std::vector<std::string> names;
  std::vector<std::optional<std::string>> readable, ctime, files;
  for (const auto& d : batch) {
    if (d.name.empty()) return absl::InvalidArgumentError("directory name must not be empty");
    names.push_back(d.name);
    readable.push_back(d.readable ? std::optional<std::string>(*d.readable ? "t" : "f") : std::nullopt);
    ctime.push_back(d.ctime ? std::optional<std::string>(std::to_string(*d.ctime)) : std::nullopt);
    files.push_back(d.files ? std::optional<std::string>(EncodeDirectoryFiles(*d.files)) : std::nullopt);
  }
  return pool_.Query<DirectoryUpsertResult>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<DirectoryUpsertResult> {
        DirectoryUpsertResult result;
        std::optional<int64_t> category_id;
        if (!link_category.empty()) {
          pqxx::result c = tx.exec_params("SELECT id FROM category WHERE name = $1", link_category);
          if (c.empty()) {
            return absl::FailedPreconditionError(absl::StrCat("unknown category '", link_category, "'"));
          }
          category_id = c[0][0].as<int64_t>();
        }
        const std::string input = R"sql(
  SELECT * FROM unnest($1::text[], $2::boolean[], $3::bigint[], $4::text[])
         AS i(name, readable, ctime, files))sql";
        pqxx::result updated = tx.exec_params(
            absl::StrCat(R"sql(
UPDATE directory d SET
  readable = COALESCE(i.readable, d.readable),
  ctime = COALESCE(i.ctime, d.ctime),
  files = COALESCE(convert_to(i.files, 'UTF8'), d.files)
FROM ()sql", input, R"sql() i
WHERE d.name = i.name
RETURNING d.id)sql"),
            PgTextArray(names), PgNullableTextArray(readable), PgNullableTextArray(ctime),
            PgNullableTextArray(files));
        result.updated = static_cast<int>(updated.size());
        pqxx::result created = tx.exec_params(
            absl::StrCat(R"sql(
INSERT INTO directory (name, readable, ctime, files)
SELECT i.name, COALESCE(i.readable, true), COALESCE(i.ctime, 0), convert_to(i.files, 'UTF8')
FROM ()sql", input, R"sql() i
ON CONFLICT (name) DO NOTHING
RETURNING id)sql"),
            PgTextArray(names), PgNullableTextArray(readable), PgNullableTextArray(ctime),
            PgNullableTextArray(files));
        result.created = static_cast<int>(created.size());
        if (category_id) {
          tx.exec_params(R"sql(
INSERT INTO category_directory (category_id, directory_id)
SELECT $1, d.id FROM directory d WHERE d.name = ANY($2::text[])
ON CONFLICT DO NOTHING)sql",
                         *category_id, PgTextArray(names));
        }
        return result;
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<std::vector<Directory>> DirectoryStore::List(const DirectoryListOptions& o) {
  return pool_.Query<std::vector<Directory>>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Directory>> {
        std::string files_col = o.include_files ? "d.files" : "NULL::bytea";
        std::string sql =
            o.category_name.empty()
                ? absl::StrCat("SELECT d.id, d.name, d.readable, COALESCE(d.ctime, 0), ", files_col,
                               " FROM directory d WHERE d.name > $1 AND $2 = '' ORDER BY d.name LIMIT $3")
                : absl::StrCat("SELECT d.id, d.name, d.readable, COALESCE(d.ctime, 0), ", files_col,
                               " FROM directory d JOIN category_directory cd ON cd.directory_id = d.id"
                               " JOIN category c ON c.id = cd.category_id"
                               " WHERE d.name > $1 AND c.name = $2 ORDER BY d.name LIMIT $3");
        std::vector<Directory> out;
        for (const auto& r : tx.exec_params(sql, o.after_name, o.category_name, std::max(1, o.limit))) {
          Directory d;
          d.id = r[0].as<int64_t>();
          d.name = r[1].as<std::string>();
          d.readable = r[2].as<bool>();
          d.ctime = r[3].as<int64_t>();
          if (!r[4].is_null()) {
            pqxx::binarystring blob(r[4]);
            d.files = DecodeDirectoryFiles(std::string_view(blob.get(), blob.size()));
          }
          out.push_back(std::move(d));
        }
        return out;
      });
}

absl::StatusOr<int> DirectoryStore::LinkToCategory(const std::string& category_name,
                                                   const std::vector<std::string>& names) {
  return pool_.Query<int>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<int> {
        pqxx::result c = tx.exec_params("SELECT id FROM category WHERE name = $1", category_name);
        if (c.empty()) {
          return absl::FailedPreconditionError(absl::StrCat("unknown category '", category_name, "'"));
        }
        pqxx::result r = tx.exec_params(R"sql(
INSERT INTO category_directory (category_id, directory_id)
SELECT $1, d.id FROM directory d WHERE d.name = ANY($2::text[])
ON CONFLICT DO NOTHING RETURNING directory_id)sql",
                                        c[0][0].as<int64_t>(), PgTextArray(names));
        return static_cast<int>(r.size());
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<int> DirectoryStore::Delete(const std::vector<int64_t>& ids) {
  return pool_.Query<int>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<int> { return DeleteInTransaction(tx, ids); },
      PgPool::Mode::kReadWrite);
}

int DirectoryStore::DeleteInTransaction(pqxx::transaction_base& tx, const std::vector<int64_t>& ids) {
  if (ids.empty()) return 0;
  std::string arr = PgIntArray(ids);
  tx.exec_params("UPDATE repository SET directory_id = NULL WHERE directory_id = ANY($1::integer[])", arr);
  tx.exec_params("UPDATE category SET topdir_id = NULL WHERE topdir_id = ANY($1::integer[])", arr);
  tx.exec_params("DELETE FROM host_category_dir WHERE directory_id = ANY($1::integer[])", arr);
  tx.exec_params(
      "DELETE FROM file_detail_file_group WHERE file_detail_id IN "
      "(SELECT id FROM file_detail WHERE directory_id = ANY($1::integer[]))",
      arr);
  tx.exec_params("DELETE FROM file_detail WHERE directory_id = ANY($1::integer[])", arr);
  tx.exec_params("DELETE FROM category_directory WHERE directory_id = ANY($1::integer[])", arr);
  tx.exec_params("DELETE FROM directory_exclusive_host WHERE directory_id = ANY($1::integer[])", arr);
  pqxx::result r =
      tx.exec_params("DELETE FROM directory WHERE id = ANY($1::integer[]) RETURNING id", arr);
  return static_cast<int>(r.size());
}

}  // namespace mm::catalog
