#include "services/catalog/store/master_tree_store.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/catalog/db/pg_pool.h"
#include "services/catalog/store/directory_files.h"
#include "services/catalog/store/directory_store.h"
#include "services/catalog/store/sql_util.h"

namespace mm::catalog {
namespace {

// files: only values that do not start like a JSON list are sent, for the caller to check (a
// legacy pickle, which never starts with '[', is rewritten by UMDL); reading every blob would
// cost a rescan megabytes. substring() reads only the first byte of a TOASTed value.
constexpr const char* kDeclareCategoryDirectories = R"sql(
DECLARE mm_umdl_category_dirs NO SCROLL CURSOR FOR
SELECT d.name, COALESCE(d.ctime, 0), COALESCE(d.readable, true),
       EXISTS (SELECT 1 FROM repository r WHERE r.directory_id = d.id),
       CASE WHEN substring(d.files FROM 1 FOR 1) <> '['::bytea THEN d.files END
FROM category_directory cd
JOIN directory d ON d.id = cd.directory_id
WHERE cd.category_id = $1
ORDER BY d.name)sql";

// One row per (source file, file detail it produced), with whether that file_detail exists.
// Driven from the (small) source-file table: the category test is a scalar subquery, probed per
// row through an index, rather than a join over every directory of the category (5-10x faster
// on a Fedora-sized category).
constexpr const char* kDeclareCategorySourceFiles = R"sql(
DECLARE mm_umdl_category_sources NO SCROLL CURSOR FOR
SELECT d.name, s.filename, s.timestamp, s.size, n.name, n.ts, n.size,
       EXISTS (SELECT 1 FROM file_detail x
               WHERE x.directory_id = d.id AND x.filename = n.name
                 AND x.timestamp = n.ts AND x.size = n.size)
FROM mm_umdl_source_file s
JOIN directory d ON d.id = s.directory_id
LEFT JOIN LATERAL unnest(s.derived, s.derived_timestamp, s.derived_size)
     WITH ORDINALITY AS n(name, ts, size, ord) ON true
WHERE (SELECT true FROM category_directory cd
       WHERE cd.category_id = $1 AND cd.directory_id = s.directory_id)
ORDER BY d.name, s.filename, n.ord)sql";

constexpr const char* kSelectCategoryForApply = R"sql(
SELECT c.id, c.product_id, c.topdir_id, t.name
FROM category c LEFT JOIN directory t ON t.id = c.topdir_id
WHERE c.name = $1)sql";

// Serialises concurrent applies of one category (two UMDL runs overlapping in time).
constexpr const char* kLockCategory =
    "SELECT pg_advisory_xact_lock(hashtext('mm_umdl_apply:' || $1::text))";

// Existing rows: only columns whose value changes are written (no churn on rescans).
constexpr const char* kUpdateDirectories = R"sql(
UPDATE directory d SET
  readable = COALESCE(i.readable, d.readable),
  ctime = COALESCE(i.ctime, d.ctime),
  files = CASE WHEN i.set_files THEN convert_to(i.files, 'UTF8') ELSE d.files END
FROM unnest($1::text[], $2::boolean[], $3::bigint[], $4::boolean[], $5::text[])
     AS i(name, readable, ctime, set_files, files)
WHERE d.name = i.name
  AND ((i.readable IS NOT NULL AND i.readable IS DISTINCT FROM d.readable)
    OR (i.ctime IS NOT NULL AND i.ctime IS DISTINCT FROM d.ctime)
    OR (i.set_files AND convert_to(i.files, 'UTF8') IS DISTINCT FROM d.files))
RETURNING d.id)sql";

// New rows get ids in stream order (parents before children, as upstream inserts them).
constexpr const char* kInsertDirectories = R"sql(
INSERT INTO directory (name, readable, ctime, files)
SELECT i.name, COALESCE(i.readable, true), COALESCE(i.ctime, 0),
       CASE WHEN i.set_files THEN convert_to(i.files, 'UTF8') END
FROM unnest($1::text[], $2::boolean[], $3::bigint[], $4::boolean[], $5::text[])
     WITH ORDINALITY AS i(name, readable, ctime, set_files, files, ord)
WHERE NOT EXISTS (SELECT 1 FROM directory x WHERE x.name = i.name)
ORDER BY i.ord
ON CONFLICT (name) DO NOTHING
RETURNING id)sql";

// A directory's source-file records are replaced as a whole.
constexpr const char* kDeleteSourceFiles = R"sql(
DELETE FROM mm_umdl_source_file s USING directory d
WHERE s.directory_id = d.id AND d.name = ANY($1::text[]))sql";

// The produced file details come as '/'-joined names (file names have no '/') and ','-joined
// timestamps and sizes.
constexpr const char* kInsertSourceFiles = R"sql(
INSERT INTO mm_umdl_source_file (directory_id, filename, timestamp, size, derived,
                                 derived_timestamp, derived_size)
SELECT d.id, i.filename, i.ts, i.size,
       CASE WHEN i.names = '' THEN '{}'::text[] ELSE string_to_array(i.names, '/') END,
       CASE WHEN i.names = '' THEN '{}'::bigint[] ELSE string_to_array(i.tss, ',')::bigint[] END,
       CASE WHEN i.names = '' THEN '{}'::bigint[] ELSE string_to_array(i.sizes, ',')::bigint[] END
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
            $7::text[])
     AS i(dir, filename, ts, size, names, tss, sizes)
JOIN directory d ON d.name = i.dir
ON CONFLICT (directory_id, filename) DO UPDATE
  SET timestamp = EXCLUDED.timestamp, size = EXCLUDED.size, derived = EXCLUDED.derived,
      derived_timestamp = EXCLUDED.derived_timestamp, derived_size = EXCLUDED.derived_size)sql";

constexpr const char* kLinkDirectories = R"sql(
INSERT INTO category_directory (category_id, directory_id)
SELECT $1, d.id FROM directory d WHERE d.name = ANY($2::text[])
ON CONFLICT DO NOTHING
RETURNING directory_id)sql";

// Of the given (newly linked, pre-existing) directories, those also in another category.
constexpr const char* kSharedDirectories = R"sql(
SELECT d.name FROM directory d
WHERE d.id = ANY($1::integer[])
  AND EXISTS (SELECT 1 FROM category_directory cd
              WHERE cd.directory_id = d.id AND cd.category_id <> $2)
ORDER BY d.name)sql";

constexpr const char* kEnsureVersions = R"sql(
INSERT INTO version (name, product_id, is_test)
SELECT v.name, $1, v.is_test
FROM unnest($2::text[], $3::boolean[]) WITH ORDINALITY AS v(name, is_test, ord)
ORDER BY v.ord
ON CONFLICT (name, product_id) DO NOTHING
RETURNING id)sql";

// One repository per directory; none when (prefix, arch) is taken. A NULL prefix matches any
// NULL-prefix repository of that arch (MirrorManager2's get_repo_prefix_arch, kept on purpose:
// DESIGN.md §5). Within a batch the first candidate per (prefix, arch) wins.
constexpr const char* kInsertRepositories = R"sql(
WITH c AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         WITH ORDINALITY AS c(dir, prefix, arch, ver, ord)
), r AS (
  SELECT c.ord, c.prefix, d.id AS dir_id, d.name AS dir_name, a.id AS arch_id, v.id AS ver_id
  FROM c
  JOIN directory d ON d.name = c.dir
  JOIN arch a ON a.name = c.arch
  JOIN version v ON v.name = c.ver AND v.product_id = $5
  WHERE NOT EXISTS (SELECT 1 FROM repository x WHERE x.directory_id = d.id)
    AND NOT EXISTS (SELECT 1 FROM repository x
                    WHERE x.prefix IS NOT DISTINCT FROM c.prefix AND x.arch_id = a.id)
    AND NOT EXISTS (SELECT 1 FROM repository x WHERE x.name = d.name)
), f AS (
  SELECT DISTINCT ON (prefix, arch_id) * FROM r ORDER BY prefix, arch_id, ord
), g AS (
  SELECT DISTINCT ON (dir_id) * FROM f ORDER BY dir_id, ord
)
INSERT INTO repository (name, prefix, category_id, version_id, arch_id, directory_id, disabled)
SELECT dir_name, prefix, $6, ver_id, arch_id, dir_id, false FROM g ORDER BY ord
ON CONFLICT DO NOTHING
RETURNING name)sql";

// Candidates whose directory, arch or version does not exist (reported back as notes).
constexpr const char* kUnresolvedRepositories = R"sql(
SELECT c.dir, c.arch, c.ver,
       EXISTS (SELECT 1 FROM directory d WHERE d.name = c.dir),
       EXISTS (SELECT 1 FROM arch a WHERE a.name = c.arch),
       EXISTS (SELECT 1 FROM version v WHERE v.name = c.ver AND v.product_id = $4)
FROM unnest($1::text[], $2::text[], $3::text[]) AS c(dir, arch, ver)
WHERE NOT EXISTS (SELECT 1 FROM directory d WHERE d.name = c.dir)
   OR NOT EXISTS (SELECT 1 FROM arch a WHERE a.name = c.arch)
   OR NOT EXISTS (SELECT 1 FROM version v WHERE v.name = c.ver AND v.product_id = $4))sql";

constexpr const char* kInsertFileDetails = R"sql(
WITH c AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[],
                       $6::text[], $7::text[], $8::text[])
         WITH ORDINALITY AS c(dir, filename, ts, size, md5, sha1, sha256, sha512, ord)
), r AS (
  SELECT DISTINCT ON (d.id, c.filename, c.ts, c.size, c.md5, c.sha1, c.sha256, c.sha512)
         d.id AS dir_id, c.*
  FROM c JOIN directory d ON d.name = c.dir
  ORDER BY d.id, c.filename, c.ts, c.size, c.md5, c.sha1, c.sha256, c.sha512, c.ord
)
INSERT INTO file_detail (directory_id, filename, timestamp, size, md5, sha1, sha256, sha512)
SELECT r.dir_id, r.filename, r.ts, r.size, r.md5, r.sha1, r.sha256, r.sha512
FROM r
WHERE NOT EXISTS (
  SELECT 1 FROM file_detail f
  WHERE f.directory_id = r.dir_id AND f.filename = r.filename
    AND f.timestamp IS NOT DISTINCT FROM r.ts AND f.size IS NOT DISTINCT FROM r.size
    AND f.md5 IS NOT DISTINCT FROM r.md5 AND f.sha1 IS NOT DISTINCT FROM r.sha1
    AND f.sha256 IS NOT DISTINCT FROM r.sha256 AND f.sha512 IS NOT DISTINCT FROM r.sha512)
ORDER BY r.ord
RETURNING id)sql";

// Deletion candidates: linked to this category only, below its top directory, and the top
// directory of no category.
constexpr const char* kDeletableDirectories = R"sql(
SELECT d.id,
       (SELECT count(*) FROM category_directory x WHERE x.directory_id = d.id) = 1
         AND EXISTS (SELECT 1 FROM category_directory x
                     WHERE x.directory_id = d.id AND x.category_id = $2)
         AND NOT EXISTS (SELECT 1 FROM category k WHERE k.topdir_id = d.id)
         AND ($3 = '' OR left(d.name, length($3) + 1) = $3 || '/')
FROM directory d WHERE d.name = ANY($1::text[]))sql";

// §1.11: per (directory, filename), newest first: keep the newest; keep the second newest
// unless the newest is older than `propagation`; delete the others older than `stale`.
constexpr const char* kAgeFileDetails = R"sql(
WITH g AS (
  SELECT id, timestamp,
         row_number() OVER w AS rn,
         count(*) OVER (PARTITION BY directory_id, filename) AS n,
         first_value(timestamp) OVER w AS newest
  FROM file_detail
  WINDOW w AS (PARTITION BY directory_id, filename ORDER BY timestamp DESC NULLS LAST, id DESC)
), doomed AS (
  SELECT id FROM g
  WHERE n > 1 AND rn > (CASE WHEN newest < $1 THEN 1 ELSE 2 END) AND timestamp < $2
), fg AS (
  DELETE FROM file_detail_file_group WHERE file_detail_id IN (SELECT id FROM doomed)
)
DELETE FROM file_detail WHERE id IN (SELECT id FROM doomed) RETURNING id)sql";

std::optional<std::string> OptBool(const std::optional<bool>& b) {
  if (!b) return std::nullopt;
  return std::string(*b ? "t" : "f");
}
std::optional<std::string> OptInt(const std::optional<int64_t>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}

void AddNote(ApplyCategoryResult& r, std::string note) {
  if (r.notes.size() < ApplyCategoryResult::kMaxNotes) r.notes.push_back(std::move(note));
}

// Whether PostgreSQL (UTF-8) can store `s` as text: valid UTF-8 (no surrogates, no overlong
// forms) without NUL. Names from the master tree are bytes and need not be.
bool IsStorableText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len; ++k) {
      unsigned char cc = s[i + k];
      if ((cc >> 6) != 2) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

// Removes the entries of a chunk whose names PostgreSQL cannot store, counting them and noting
// the first few (escaped), so that one odd name never fails the whole category.
class UnstorableNames {
 public:
  explicit UnstorableNames(ApplyCategoryResult& result) : result_(result) {}

  void Filter(CategoryScanChunk& chunk) {
    Erase(chunk.directories, [&](DirectoryChange& d) {
      if (!Ok("directory", d.name)) return true;
      Erase(d.files, [&](const DirectoryFile& f) { return !Ok("file", d.name + "/" + f.name); });
      Erase(d.source_files, [&](SourceFile& f) {
        Erase(f.derived,
              [&](const DerivedFile& x) { return !Ok("file", d.name + "/" + x.filename); });
        return !Ok("file", d.name + "/" + f.filename);
      });
      return false;
    });
    Erase(chunk.versions, [&](const VersionToEnsure& v) { return !Ok("version", v.name); });
    Erase(chunk.repositories, [&](const RepositoryCandidate& r) {
      return !Ok("repository directory", r.directory_name) ||
             !Ok("repository prefix", r.prefix.value_or("")) || !Ok("arch", r.arch_name) ||
             !Ok("version", r.version_name);
    });
    Erase(chunk.file_details, [&](const FileDetailCandidate& f) {
      return !Ok("file", f.directory_name + "/" + f.filename) || !Ok("hash", f.md5.value_or("")) ||
             !Ok("hash", f.sha1.value_or("")) || !Ok("hash", f.sha256.value_or("")) ||
             !Ok("hash", f.sha512.value_or(""));
    });
    Erase(chunk.delete_directories, [&](const std::string& n) { return !Ok("directory", n); });
  }

 private:
  template <typename T, typename Pred>
  static void Erase(std::vector<T>& v, Pred pred) {
    v.erase(std::remove_if(v.begin(), v.end(), pred), v.end());
  }

  bool Ok(const char* what, const std::string& name) {
    if (IsStorableText(name)) return true;
    if (result_.invalid_names_skipped++ < kExamples) {
      AddNote(result_, absl::StrCat("skipped a ", what, " whose name is not valid UTF-8 or holds ",
                                    "NUL (PostgreSQL cannot store it): \"",
                                    absl::CHexEscape(name.substr(0, 300)), "\""));
    }
    return false;
  }

  static constexpr int kExamples = 3;
  ApplyCategoryResult& result_;
};

struct CategoryRow {
  int64_t id = 0;
  int64_t product_id = 0;
  int64_t topdir_id = 0;
  std::string topdir_name;
};

// Everything applied inside the one transaction.
class Applier {
 public:
  Applier(pqxx::transaction_base& tx, CategoryRow category) : tx_(tx), cat_(std::move(category)) {}

  void Directories(const std::vector<DirectoryChange>& dirs) {
    if (dirs.empty()) return;
    std::vector<std::string> names;
    std::vector<std::optional<std::string>> readable, ctime, files;
    std::vector<bool> set_files;
    names.reserve(dirs.size());
    for (const auto& d : dirs) {
      names.push_back(d.name);
      readable.push_back(OptBool(d.readable));
      ctime.push_back(OptInt(d.ctime));
      set_files.push_back(d.set_files);
      files.push_back(d.set_files ? std::optional<std::string>(EncodeDirectoryFiles(d.files))
                                  : std::nullopt);
    }
    std::string a1 = PgTextArray(names), a2 = PgNullableTextArray(readable),
                a3 = PgNullableTextArray(ctime), a4 = PgBoolArray(set_files),
                a5 = PgNullableTextArray(files);
    result_.directories_updated += tx_.exec_params(kUpdateDirectories, a1, a2, a3, a4, a5).size();
    pqxx::result created = tx_.exec_params(kInsertDirectories, a1, a2, a3, a4, a5);
    result_.directories_created += created.size();
    std::vector<int64_t> created_ids;
    for (const auto& row : created) created_ids.push_back(row[0].as<int64_t>());
    std::sort(created_ids.begin(), created_ids.end());
    std::vector<int64_t> pre_existing;
    for (const auto& row : tx_.exec_params(kLinkDirectories, cat_.id, a1)) {
      int64_t id = row[0].as<int64_t>();
      if (!std::binary_search(created_ids.begin(), created_ids.end(), id))
        pre_existing.push_back(id);
    }
    result_.directories_linked += pre_existing.size();
    if (!pre_existing.empty()) {
      for (const auto& row :
           tx_.exec_params(kSharedDirectories, PgIntArray(pre_existing), cat_.id)) {
        ++shared_count_;
        if (result_.shared_directories.size() < ApplyCategoryResult::kMaxNotes) {
          result_.shared_directories.push_back(row[0].as<std::string>());
        }
      }
    }
    SourceFiles(dirs);
  }

  void SourceFiles(const std::vector<DirectoryChange>& dirs) {
    std::vector<std::string> replaced, dir, filename, names, tss, sizes;
    std::vector<std::optional<std::string>> ts, size;
    for (const auto& d : dirs) {
      if (!d.set_source_files) continue;
      replaced.push_back(d.name);
      absl::flat_hash_set<std::string_view> seen;
      for (const auto& f : d.source_files) {
        // One row per (directory, file name); a repeated name would make the upsert fail.
        if (f.filename.empty() || f.filename.find('/') != std::string::npos ||
            !seen.insert(f.filename).second) {
          continue;
        }
        std::vector<std::string> n, t, z;
        for (const auto& x : f.derived) {
          if (x.filename.empty() || x.filename.find('/') != std::string::npos) continue;
          n.push_back(x.filename);
          t.push_back(std::to_string(x.timestamp));
          z.push_back(std::to_string(x.size));
        }
        dir.push_back(d.name);
        filename.push_back(f.filename);
        ts.push_back(std::to_string(f.timestamp));
        size.push_back(std::to_string(f.size));
        names.push_back(absl::StrJoin(n, "/"));
        tss.push_back(absl::StrJoin(t, ","));
        sizes.push_back(absl::StrJoin(z, ","));
      }
    }
    if (replaced.empty()) return;
    tx_.exec_params(kDeleteSourceFiles, PgTextArray(replaced));
    if (dir.empty()) return;
    tx_.exec_params(kInsertSourceFiles, PgTextArray(dir), PgTextArray(filename),
                    PgNullableTextArray(ts), PgNullableTextArray(size), PgTextArray(names),
                    PgTextArray(tss), PgTextArray(sizes));
  }

  absl::Status Versions(const std::vector<VersionToEnsure>& versions) {
    if (versions.empty()) return absl::OkStatus();
    if (cat_.product_id == 0) {
      return absl::FailedPreconditionError("category has no product; cannot create versions");
    }
    std::vector<std::string> names;
    std::vector<bool> is_test;
    for (const auto& v : versions) {
      if (v.name.empty()) return absl::InvalidArgumentError("version name must not be empty");
      names.push_back(v.name);
      is_test.push_back(v.is_test);
    }
    result_.versions_created +=
        tx_.exec_params(kEnsureVersions, cat_.product_id, PgTextArray(names), PgBoolArray(is_test))
            .size();
    return absl::OkStatus();
  }

  void Repositories(const std::vector<RepositoryCandidate>& repos) {
    if (repos.empty()) return;
    std::vector<std::string> dirs, arches, versions;
    std::vector<std::optional<std::string>> prefixes;
    for (const auto& r : repos) {
      dirs.push_back(r.directory_name);
      prefixes.push_back(r.prefix);
      arches.push_back(r.arch_name);
      versions.push_back(r.version_name);
    }
    std::string a1 = PgTextArray(dirs), a2 = PgNullableTextArray(prefixes),
                a3 = PgTextArray(arches), a4 = PgTextArray(versions);
    std::optional<int64_t> product;
    if (cat_.product_id != 0) product = cat_.product_id;
    for (const auto& row : tx_.exec_params(kUnresolvedRepositories, a1, a3, a4, product)) {
      AddNote(result_,
              absl::StrCat("repository for ", row[0].as<std::string>(),
                           " skipped: ", row[3].as<bool>() ? "" : "no such directory; ",
                           row[4].as<bool>() ? "" : "no arch " + row[1].as<std::string>() + "; ",
                           row[5].as<bool>() ? "" : "no version " + row[2].as<std::string>()));
    }
    for (const auto& row : tx_.exec_params(kInsertRepositories, a1, a2, a3, a4, product, cat_.id)) {
      ++result_.repositories_created;
      if (result_.created_repositories.size() < ApplyCategoryResult::kMaxCreatedRepositories) {
        result_.created_repositories.push_back(row[0].as<std::string>());
      }
    }
  }

  void FileDetails(const std::vector<FileDetailCandidate>& fds) {
    if (fds.empty()) return;
    std::vector<std::string> dirs, names;
    std::vector<std::optional<std::string>> ts, size, md5, sha1, sha256, sha512;
    for (const auto& f : fds) {
      dirs.push_back(f.directory_name);
      names.push_back(f.filename);
      ts.push_back(OptInt(f.timestamp));
      size.push_back(OptInt(f.size));
      md5.push_back(f.md5);
      sha1.push_back(f.sha1);
      sha256.push_back(f.sha256);
      sha512.push_back(f.sha512);
    }
    result_.file_details_created +=
        tx_.exec_params(kInsertFileDetails, PgTextArray(dirs), PgTextArray(names),
                        PgNullableTextArray(ts), PgNullableTextArray(size),
                        PgNullableTextArray(md5), PgNullableTextArray(sha1),
                        PgNullableTextArray(sha256), PgNullableTextArray(sha512))
            .size();
  }

  void Deletions(const std::vector<std::string>& names) {
    if (names.empty()) return;
    std::vector<int64_t> ids;
    for (const auto& row :
         tx_.exec_params(kDeletableDirectories, PgTextArray(names), cat_.id, cat_.topdir_name)) {
      if (row[1].as<bool>()) {
        ids.push_back(row[0].as<int64_t>());
      } else {
        ++result_.deletions_refused;
      }
    }
    result_.directories_deleted += DirectoryStore::DeleteInTransaction(tx_, ids);
  }

  ApplyCategoryResult& result() { return result_; }

  ApplyCategoryResult Finish() {
    if (shared_count_ > 0) {
      AddNote(result_, absl::StrCat(shared_count_,
                                    " directories also belong to another category (overlapping "
                                    "category trees); they were linked to this one as well"));
    }
    return std::move(result_);
  }

 private:
  pqxx::transaction_base& tx_;
  CategoryRow cat_;
  ApplyCategoryResult result_;
  int shared_count_ = 0;
};

}  // namespace

absl::Status MasterTreeStore::ListCategoryDirectories(const std::string& category_name,
                                                      int page_size, const PageFn& page) {
  const int n = std::clamp(page_size, 1, 20000);
  bool sent = false;
  return pool_.Transact(
      [&](pqxx::transaction_base& tx) -> absl::Status {
        // A retry after a lost connection would hand out the first pages twice.
        if (sent)
          return absl::UnavailableError("database connection lost while listing; list again");
        pqxx::result c = tx.exec_params("SELECT id FROM category WHERE name = $1", category_name);
        if (c.empty())
          return absl::NotFoundError(absl::StrCat("no category named '", category_name, "'"));
        const int64_t category_id = c[0][0].as<int64_t>();
        tx.exec_params(kDeclareCategoryDirectories, category_id);
        const std::string fetch = absl::StrCat("FETCH FORWARD ", n, " FROM mm_umdl_category_dirs");
        while (true) {
          pqxx::result r = tx.exec(fetch);
          if (r.empty()) break;
          CategoryDirectoryPage out;
          out.directories.reserve(r.size());
          for (const auto& row : r) {
            CategoryDirectoryState d{row[0].as<std::string>(), row[1].as<int64_t>(),
                                     row[2].as<bool>(), row[3].as<bool>()};
            if (!row[4].is_null()) {
              pqxx::binarystring blob(row[4]);
              bool ok = false;
              DecodeDirectoryFiles(std::string_view(blob.get(), blob.size()), &ok);
              d.files_not_json = !ok;
            }
            out.directories.push_back(std::move(d));
          }
          const bool last = static_cast<int>(r.size()) < n;
          sent = true;
          if (!page(std::move(out))) return absl::OkStatus();
          if (last) break;
        }

        tx.exec_params(kDeclareCategorySourceFiles, category_id);
        const std::string fetch_sources =
            absl::StrCat("FETCH FORWARD ", n, " FROM mm_umdl_category_sources");
        CategoryDirectoryPage out;
        SourceFileState current;
        bool have = false;
        while (true) {
          pqxx::result r = tx.exec(fetch_sources);
          for (const auto& row : r) {
            std::string dir = row[0].as<std::string>(), file = row[1].as<std::string>();
            if (!have || dir != current.directory_name || file != current.filename) {
              if (have) out.source_files.push_back(std::move(current));
              if (static_cast<int>(out.source_files.size()) >= n) {
                sent = true;
                if (!page(std::move(out))) return absl::OkStatus();
                out = CategoryDirectoryPage();
              }
              current = SourceFileState{
                  std::move(dir), std::move(file), row[2].as<int64_t>(), row[3].as<int64_t>(), {}};
              have = true;
            }
            if (!row[4].is_null()) {
              current.derived.push_back(DerivedFileState{
                  DerivedFile{row[4].as<std::string>(), row[5].as<int64_t>(), row[6].as<int64_t>()},
                  row[7].as<bool>()});
            }
          }
          if (static_cast<int>(r.size()) < n) break;
        }
        if (have) out.source_files.push_back(std::move(current));
        if (!out.source_files.empty()) {
          sent = true;
          page(std::move(out));
        }
        return absl::OkStatus();
      },
      PgPool::Mode::kReadOnly);
}

absl::StatusOr<ApplyCategoryResult> MasterTreeStore::ApplyCategoryScan(const ChunkSource& next) {
  bool started = false;
  return pool_.Query<ApplyCategoryResult>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<ApplyCategoryResult> {
        // PgPool re-runs this function after a lost connection or a serialization failure; the
        // chunks consumed so far are gone, so the only safe answer is "send it all again".
        if (started) {
          return absl::UnavailableError(
              "database transaction failed during the apply; nothing was stored, send the "
              "category again");
        }
        started = true;
        pool_.AllowLongStatements(tx);  // one transaction per category, however large
        CategoryScanChunk chunk;
        absl::StatusOr<bool> got = next(&chunk);
        if (!got.ok()) return got.status();
        if (!*got) return absl::InvalidArgumentError("empty apply stream");
        if (chunk.category_name.empty()) {
          return absl::InvalidArgumentError("the first chunk must name the category");
        }
        const std::string category = chunk.category_name;
        tx.exec_params(kLockCategory, category);
        pqxx::result c = tx.exec_params(kSelectCategoryForApply, category);
        if (c.empty()) {
          return absl::FailedPreconditionError(absl::StrCat("no category named '", category, "'"));
        }
        CategoryRow row;
        row.id = c[0][0].as<int64_t>();
        row.product_id = c[0][1].is_null() ? 0 : c[0][1].as<int64_t>();
        row.topdir_id = c[0][2].is_null() ? 0 : c[0][2].as<int64_t>();
        row.topdir_name = c[0][3].is_null() ? "" : c[0][3].as<std::string>();
        Applier applier(tx, row);
        UnstorableNames unstorable(applier.result());
        while (true) {
          if (!chunk.category_name.empty() && chunk.category_name != category) {
            return absl::InvalidArgumentError("all chunks of a stream must be for one category");
          }
          unstorable.Filter(chunk);
          for (const auto& d : chunk.directories) {
            // "" is only the top directory of a category whose top is the mirror root.
            if (d.name.empty() && !(row.topdir_id != 0 && row.topdir_name.empty())) {
              return absl::InvalidArgumentError("directory name must not be empty");
            }
          }
          applier.Directories(chunk.directories);
          if (absl::Status s = applier.Versions(chunk.versions); !s.ok()) return s;
          applier.Repositories(chunk.repositories);
          applier.FileDetails(chunk.file_details);
          applier.Deletions(chunk.delete_directories);
          if (chunk.commit) break;
          chunk = CategoryScanChunk();
          got = next(&chunk);
          if (!got.ok()) return got.status();
          if (!*got) {
            return absl::CancelledError("apply stream ended without commit; nothing was stored");
          }
        }
        return applier.Finish();
      },
      PgPool::Mode::kReadWrite);
}

absl::StatusOr<int> MasterTreeStore::AgeFileDetails(int max_stale_days, int64_t now_unix) {
  const int64_t day = 24 * 60 * 60;
  int64_t stale = now_unix - day * max_stale_days;
  int64_t propagation = now_unix - day * (max_stale_days - 1);
  return pool_.Query<int>(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<int> {
        return static_cast<int>(tx.exec_params(kAgeFileDetails, propagation, stale).size());
      },
      PgPool::Mode::kReadWrite);
}

}  // namespace mm::catalog
