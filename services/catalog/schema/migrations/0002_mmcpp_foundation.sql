-- 0002: mirrormanager-cpp additions over MirrorManager2 (DESIGN.md §4-5).
-- New columns, constraints, defaults and indexes only: nothing upstream tooling reads is renamed
-- or removed. Runs on fresh databases (after 0001) and on adopted MirrorManager2 databases.
-- The C++ hook of this migration then hashes plain-text site passwords (argon2id).

-- Server-side defaults equal to MirrorManager2's ORM defaults, so that every writer (catalog,
-- upstream tooling, an operator in psql) gets the same values for omitted columns.
ALTER TABLE site
    ALTER COLUMN private SET DEFAULT false,
    ALTER COLUMN admin_active SET DEFAULT true,
    ALTER COLUMN user_active SET DEFAULT true,
    ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'utc'),
    ALTER COLUMN all_sites_can_pull_from_me SET DEFAULT false,
    ALTER COLUMN email_on_drop SET DEFAULT false,
    ALTER COLUMN email_on_add SET DEFAULT false;
ALTER TABLE host
    ALTER COLUMN admin_active SET DEFAULT true,
    ALTER COLUMN user_active SET DEFAULT true,
    ALTER COLUMN bandwidth_int SET DEFAULT 100,
    ALTER COLUMN private SET DEFAULT false,
    ALTER COLUMN internet2 SET DEFAULT false,
    ALTER COLUMN internet2_clients SET DEFAULT false,
    ALTER COLUMN asn_clients SET DEFAULT true,
    ALTER COLUMN max_connections SET DEFAULT 1,
    ALTER COLUMN last_crawl_duration SET DEFAULT 0,
    ALTER COLUMN crawl_failures SET DEFAULT 0;
ALTER TABLE host_category ALTER COLUMN always_up2date SET DEFAULT false;
ALTER TABLE host_category_dir ALTER COLUMN up2date SET DEFAULT true;
ALTER TABLE host_category_url ALTER COLUMN private SET DEFAULT false;
ALTER TABLE host_stats ALTER COLUMN timestamp SET DEFAULT (now() AT TIME ZONE 'utc');
ALTER TABLE product ALTER COLUMN publiclist SET DEFAULT true;
ALTER TABLE category
    ALTER COLUMN canonicalhost SET DEFAULT 'http://download.fedora.redhat.com',
    ALTER COLUMN publiclist SET DEFAULT true,
    ALTER COLUMN admin_only SET DEFAULT false;
ALTER TABLE directory
    ALTER COLUMN readable SET DEFAULT true,
    ALTER COLUMN ctime SET DEFAULT 0;
ALTER TABLE arch
    ALTER COLUMN publiclist SET DEFAULT true,
    ALTER COLUMN primary_arch SET DEFAULT true;
ALTER TABLE version
    ALTER COLUMN is_test SET DEFAULT false,
    ALTER COLUMN display SET DEFAULT true,
    ALTER COLUMN ordered_mirrorlist SET DEFAULT true,
    ALTER COLUMN sortorder SET DEFAULT 0;
ALTER TABLE repository ALTER COLUMN disabled SET DEFAULT false;
ALTER TABLE mm_group ALTER COLUMN created SET DEFAULT (now() AT TIME ZONE 'utc');
ALTER TABLE mm_user_visit ALTER COLUMN created SET DEFAULT (now() AT TIME ZONE 'utc');

-- MirrorManager2's migration chain created these nullable although its model says NOT NULL
-- default 0 (mm2-web-and-data.md §1.1). Settle on the model.
UPDATE host SET crawl_failures = 0 WHERE crawl_failures IS NULL;
ALTER TABLE host ALTER COLUMN crawl_failures SET NOT NULL;
UPDATE propagation_stat SET
    same_day = COALESCE(same_day, 0), one_day = COALESCE(one_day, 0),
    two_day = COALESCE(two_day, 0), older = COALESCE(older, 0), no_info = COALESCE(no_info, 0)
WHERE same_day IS NULL OR one_day IS NULL OR two_day IS NULL OR older IS NULL OR no_info IS NULL;
ALTER TABLE propagation_stat
    ALTER COLUMN same_day SET NOT NULL, ALTER COLUMN same_day SET DEFAULT 0,
    ALTER COLUMN one_day SET NOT NULL, ALTER COLUMN one_day SET DEFAULT 0,
    ALTER COLUMN two_day SET NOT NULL, ALTER COLUMN two_day SET DEFAULT 0,
    ALTER COLUMN older SET NOT NULL, ALTER COLUMN older SET DEFAULT 0,
    ALTER COLUMN no_info SET NOT NULL, ALTER COLUMN no_info SET DEFAULT 0;

-- Site passwords: an argon2id hash replaces the plain text (the hook moves existing values).
ALTER TABLE site ADD COLUMN password_hash TEXT;

-- One form for host_category_dir.path everywhere: relative to the category's topdir, without a
-- leading slash (upstream's crawler wrote "/releases/...", check-ins wrote "releases/...").
-- Where both forms exist for one host category, keep one row, up to date if either was.
WITH grouped AS (
    SELECT id,
           row_number() OVER w AS rn,
           bool_or(up2date) OVER (PARTITION BY host_category_id, ltrim(path, '/')) AS any_up2date,
           count(*) OVER (PARTITION BY host_category_id, ltrim(path, '/')) AS n
    FROM host_category_dir
    WHERE path IS NOT NULL
    WINDOW w AS (PARTITION BY host_category_id, ltrim(path, '/')
                 ORDER BY (path LIKE '/%'), id)
)
UPDATE host_category_dir h SET up2date = g.any_up2date
FROM grouped g WHERE h.id = g.id AND g.rn = 1 AND g.n > 1;
WITH grouped AS (
    SELECT id,
           row_number() OVER (PARTITION BY host_category_id, ltrim(path, '/')
                              ORDER BY (path LIKE '/%'), id) AS rn
    FROM host_category_dir
    WHERE path IS NOT NULL
)
DELETE FROM host_category_dir h USING grouped g WHERE h.id = g.id AND g.rn > 1;
UPDATE host_category_dir SET path = ltrim(path, '/') WHERE path LIKE '/%';

-- host_country_allowed: the table-wide UNIQUE(country) let only one host in the whole database
-- list a country (DESIGN.md §5). Replace it by one row per (host, country), whatever its name.
DO $$
DECLARE
    con text;
BEGIN
    FOR con IN
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = 'host_country_allowed'::regclass AND c.contype = 'u'
          AND array_length(c.conkey, 1) = 1 AND a.attname = 'country'
    LOOP
        EXECUTE format('ALTER TABLE host_country_allowed DROP CONSTRAINT %I', con);
    END LOOP;
    FOR con IN
        SELECT i.relname FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
        WHERE x.indrelid = 'host_country_allowed'::regclass AND x.indisunique
          AND NOT x.indisprimary AND x.indnatts = 1 AND a.attname = 'country'
    LOOP
        EXECUTE format('DROP INDEX %I', con);
    END LOOP;
END
$$;
ALTER TABLE host_country_allowed
    ADD CONSTRAINT host_country_allowed_hcidx UNIQUE (host_id, country);

-- Indexes for the lookups catalog makes from the child side.
CREATE INDEX IF NOT EXISTS ix_file_detail_directory_id_filename ON file_detail (directory_id, filename);
CREATE INDEX IF NOT EXISTS ix_host_category_dir_directory_id ON host_category_dir (directory_id);
CREATE INDEX IF NOT EXISTS ix_category_directory_directory_id ON category_directory (directory_id);
CREATE INDEX IF NOT EXISTS ix_site_admin_site_id ON site_admin (site_id);
CREATE INDEX IF NOT EXISTS ix_site_admin_username ON site_admin (username);
CREATE INDEX IF NOT EXISTS ix_host_site_id ON host (site_id);
CREATE INDEX IF NOT EXISTS ix_host_netblock_host_id ON host_netblock (host_id);
CREATE INDEX IF NOT EXISTS ix_host_country_allowed_host_id ON host_country_allowed (host_id);
CREATE INDEX IF NOT EXISTS ix_version_product_id ON version (product_id);
CREATE INDEX IF NOT EXISTS ix_category_product_id ON category (product_id);
