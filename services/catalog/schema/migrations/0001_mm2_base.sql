-- 0001: the MirrorManager2 schema at Alembic head 3264c6353b51 (mm2-web-and-data.md §1.2-1.3).
--
-- Applied only to an empty database. A database that MirrorManager2 created (alembic_version =
-- 3264c6353b51) already has all of this; catalog records it as version 1 without running this
-- file and continues with 0002 (see schema/migrator.cc).
--
-- Names follow MirrorManager2's: hand-written names where the model gives one (host_idx,
-- host_category_hcindex, ...), otherwise its naming convention pk_<table>, uq_<table>_<column>,
-- fk_<table>_<column>_<referred table>, ix_<table>_<column>. Column defaults are client-side in
-- MirrorManager2 (SQLAlchemy); migration 0002 adds them as server defaults.
-- Foreign keys carry exactly MirrorManager2's ON DELETE / ON UPDATE actions; the ORM-level
-- cascades of §1.3 are implemented by the Delete* operations of catalog's stores, each in one
-- transaction (store/site_store.cc, host_store.cc, directory_store.cc, reference_store.cc;
-- tested in tests/unit/catalog/cascade_test.cc).

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version (version_num) VALUES ('3264c6353b51');

-- ---------------------------------------------------------------- sites and hosts
CREATE TABLE site (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    password TEXT,
    org_url TEXT,
    private BOOLEAN NOT NULL,
    admin_active BOOLEAN NOT NULL,
    user_active BOOLEAN NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    created_by TEXT NOT NULL,
    all_sites_can_pull_from_me BOOLEAN NOT NULL,
    downstream_comments TEXT,
    email_on_drop BOOLEAN NOT NULL,
    email_on_add BOOLEAN NOT NULL,
    CONSTRAINT pk_site PRIMARY KEY (id)
);
CREATE INDEX ix_site_name ON site (name);
CREATE INDEX ix_site_private ON site (private);
CREATE INDEX ix_site_admin_active ON site (admin_active);
CREATE INDEX ix_site_user_active ON site (user_active);
CREATE INDEX ix_site_created_at ON site (created_at);

CREATE TABLE site_admin (
    id SERIAL NOT NULL,
    username TEXT,
    site_id INTEGER NOT NULL,
    CONSTRAINT pk_site_admin PRIMARY KEY (id),
    CONSTRAINT fk_site_admin_site_id_site FOREIGN KEY (site_id) REFERENCES site (id)
);

CREATE TABLE site_to_site (
    id SERIAL NOT NULL,
    username TEXT,
    password TEXT,
    upstream_site_id INTEGER NOT NULL,
    downstream_site_id INTEGER NOT NULL,
    CONSTRAINT pk_site_to_site PRIMARY KEY (id),
    CONSTRAINT site_to_site_idx UNIQUE (upstream_site_id, downstream_site_id),
    CONSTRAINT site_to_site_username_idx UNIQUE (upstream_site_id, username),
    CONSTRAINT fk_site_to_site_upstream_site_id_site FOREIGN KEY (upstream_site_id) REFERENCES site (id),
    CONSTRAINT fk_site_to_site_downstream_site_id_site FOREIGN KEY (downstream_site_id) REFERENCES site (id)
);

CREATE TABLE country (
    id SERIAL NOT NULL,
    code TEXT NOT NULL,
    CONSTRAINT pk_country PRIMARY KEY (id),
    CONSTRAINT uq_country_code UNIQUE (code)
);

CREATE TABLE host (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    site_id INTEGER,
    robot_email TEXT,
    admin_active BOOLEAN NOT NULL,
    user_active BOOLEAN NOT NULL,
    country TEXT NOT NULL,
    bandwidth_int INTEGER,
    comment TEXT,
    config BYTEA,
    last_checked_in TIMESTAMP WITHOUT TIME ZONE,
    last_crawled TIMESTAMP WITHOUT TIME ZONE,
    private BOOLEAN NOT NULL,
    internet2 BOOLEAN NOT NULL,
    internet2_clients BOOLEAN NOT NULL,
    asn INTEGER,
    asn_clients BOOLEAN NOT NULL,
    max_connections INTEGER NOT NULL,
    last_crawl_duration BIGINT,
    crawl_failures INTEGER NOT NULL,
    disable_reason TEXT,
    push_ssh_private_key TEXT,
    push_ssh_host TEXT,
    push_ssh_command TEXT,
    last_crawls BYTEA,
    latitude FLOAT,
    longitude FLOAT,
    CONSTRAINT pk_host PRIMARY KEY (id),
    CONSTRAINT host_idx UNIQUE (site_id, name),
    CONSTRAINT fk_host_site_id_site FOREIGN KEY (site_id) REFERENCES site (id)
);
CREATE INDEX ix_host_name ON host (name);
CREATE INDEX ix_host_admin_active ON host (admin_active);
CREATE INDEX ix_host_user_active ON host (user_active);
CREATE INDEX ix_host_country ON host (country);
CREATE INDEX ix_host_private ON host (private);
CREATE INDEX ix_host_last_crawl_duration ON host (last_crawl_duration);

CREATE TABLE host_acl_ip (
    id SERIAL NOT NULL,
    ip TEXT,
    host_id INTEGER,
    CONSTRAINT pk_host_acl_ip PRIMARY KEY (id),
    CONSTRAINT uq_host_acl_ip_ip UNIQUE (ip),
    CONSTRAINT host_acl_ip_hipindex UNIQUE (host_id, ip),
    CONSTRAINT fk_host_acl_ip_host_id_host FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_country_allowed (
    id SERIAL NOT NULL,
    country TEXT NOT NULL,
    host_id INTEGER,
    CONSTRAINT pk_host_country_allowed PRIMARY KEY (id),
    CONSTRAINT uq_host_country_allowed_country UNIQUE (country),
    CONSTRAINT fk_host_country_allowed_host_id_host FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_netblock (
    id SERIAL NOT NULL,
    netblock TEXT,
    name TEXT,
    host_id INTEGER,
    CONSTRAINT pk_host_netblock PRIMARY KEY (id),
    CONSTRAINT fk_host_netblock_host_id_host FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_peer_asn (
    id SERIAL NOT NULL,
    asn INTEGER NOT NULL,
    name TEXT,
    host_id INTEGER,
    CONSTRAINT pk_host_peer_asn PRIMARY KEY (id),
    CONSTRAINT host_peer_asn_idx UNIQUE (host_id, asn),
    CONSTRAINT fk_host_peer_asn_host_id_host FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_country (
    id SERIAL NOT NULL,
    country_id INTEGER NOT NULL,
    host_id INTEGER NOT NULL,
    CONSTRAINT pk_host_country PRIMARY KEY (id),
    CONSTRAINT host_country_hlidx UNIQUE (host_id, country_id),
    CONSTRAINT fk_host_country_country_id_country FOREIGN KEY (country_id) REFERENCES country (id),
    CONSTRAINT fk_host_country_host_id_host FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_stats (
    id SERIAL NOT NULL,
    timestamp TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    type TEXT,
    data BYTEA,
    host_id INTEGER,
    CONSTRAINT pk_host_stats PRIMARY KEY (id),
    CONSTRAINT fk_host_stats_host_id_host FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE location (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    CONSTRAINT pk_location PRIMARY KEY (id),
    CONSTRAINT uq_location_name UNIQUE (name)
);

CREATE TABLE host_location (
    id SERIAL NOT NULL,
    location_id INTEGER NOT NULL,
    host_id INTEGER NOT NULL,
    CONSTRAINT pk_host_location PRIMARY KEY (id),
    CONSTRAINT host_location_hlidx UNIQUE (location_id, host_id),
    CONSTRAINT fk_host_location_location_id_location FOREIGN KEY (location_id) REFERENCES location (id),
    CONSTRAINT fk_host_location_host_id_host FOREIGN KEY (host_id) REFERENCES host (id)
);

-- ---------------------------------------------------------------- the master tree
CREATE TABLE product (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    publiclist BOOLEAN NOT NULL,
    CONSTRAINT pk_product PRIMARY KEY (id),
    CONSTRAINT uq_product_name UNIQUE (name)
);

CREATE TABLE directory (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    files BYTEA,
    readable BOOLEAN NOT NULL,
    ctime BIGINT,
    CONSTRAINT pk_directory PRIMARY KEY (id),
    CONSTRAINT uq_directory_name UNIQUE (name)
);
CREATE INDEX ix_directory_readable ON directory (readable);

CREATE TABLE category (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    canonicalhost TEXT,
    publiclist BOOLEAN NOT NULL,
    geo_dns_domain TEXT,
    admin_only BOOLEAN,
    product_id INTEGER,
    topdir_id INTEGER,
    CONSTRAINT pk_category PRIMARY KEY (id),
    CONSTRAINT uq_category_name UNIQUE (name),
    CONSTRAINT fk_category_product_id_product FOREIGN KEY (product_id) REFERENCES product (id),
    CONSTRAINT fk_category_topdir_id_directory FOREIGN KEY (topdir_id) REFERENCES directory (id)
);

CREATE TABLE category_directory (
    category_id INTEGER NOT NULL,
    directory_id INTEGER NOT NULL,
    CONSTRAINT pk_category_directory PRIMARY KEY (category_id, directory_id),
    CONSTRAINT fk_category_directory_category_id_category FOREIGN KEY (category_id) REFERENCES category (id),
    CONSTRAINT fk_category_directory_directory_id_directory FOREIGN KEY (directory_id) REFERENCES directory (id)
);

CREATE TABLE arch (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    publiclist BOOLEAN NOT NULL,
    primary_arch BOOLEAN NOT NULL,
    CONSTRAINT pk_arch PRIMARY KEY (id),
    CONSTRAINT uq_arch_name UNIQUE (name)
);

CREATE TABLE version (
    id SERIAL NOT NULL,
    name TEXT,
    codename TEXT,
    is_test BOOLEAN NOT NULL,
    display BOOLEAN NOT NULL,
    display_name TEXT,
    ordered_mirrorlist BOOLEAN NOT NULL,
    sortorder INTEGER NOT NULL,
    product_id INTEGER,
    CONSTRAINT pk_version PRIMARY KEY (id),
    CONSTRAINT version_idx UNIQUE (name, product_id),
    CONSTRAINT fk_version_product_id_product FOREIGN KEY (product_id) REFERENCES product (id)
);

CREATE TABLE repository (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT,
    category_id INTEGER,
    version_id INTEGER,
    arch_id INTEGER,
    directory_id INTEGER,
    disabled BOOLEAN NOT NULL,
    CONSTRAINT pk_repository PRIMARY KEY (id),
    CONSTRAINT uq_repository_name UNIQUE (name),
    CONSTRAINT repository_idx UNIQUE (prefix, arch_id),
    CONSTRAINT fk_repository_category_id_category FOREIGN KEY (category_id) REFERENCES category (id),
    CONSTRAINT fk_repository_version_id_version FOREIGN KEY (version_id) REFERENCES version (id),
    CONSTRAINT fk_repository_arch_id_arch FOREIGN KEY (arch_id) REFERENCES arch (id),
    CONSTRAINT fk_repository_directory_id_directory FOREIGN KEY (directory_id) REFERENCES directory (id)
);
CREATE INDEX ix_repository_prefix ON repository (prefix);
CREATE INDEX t_repository_category_id_idx ON repository (category_id);
CREATE INDEX t_repository_version_id_idx ON repository (version_id);
CREATE INDEX t_repository_arch_id_idx ON repository (arch_id);
CREATE INDEX t_repository_directory_id_idx ON repository (directory_id);

CREATE TABLE file_detail (
    id SERIAL NOT NULL,
    filename TEXT NOT NULL,
    timestamp BIGINT,
    size BIGINT,
    sha1 TEXT,
    md5 TEXT,
    sha256 TEXT,
    sha512 TEXT,
    directory_id INTEGER NOT NULL,
    CONSTRAINT pk_file_detail PRIMARY KEY (id),
    CONSTRAINT fk_file_detail_directory_id_directory FOREIGN KEY (directory_id) REFERENCES directory (id)
);
CREATE INDEX ix_file_detail_timestamp ON file_detail (timestamp);

CREATE TABLE file_group (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    CONSTRAINT pk_file_group PRIMARY KEY (id),
    CONSTRAINT uq_file_group_name UNIQUE (name)
);

CREATE TABLE file_detail_file_group (
    id SERIAL NOT NULL,
    file_detail_id INTEGER NOT NULL,
    file_group_id INTEGER NOT NULL,
    CONSTRAINT pk_file_detail_file_group PRIMARY KEY (id),
    CONSTRAINT fk_file_detail_file_group_file_detail_id_file_detail FOREIGN KEY (file_detail_id) REFERENCES file_detail (id),
    CONSTRAINT fk_file_detail_file_group_file_group_id_file_group FOREIGN KEY (file_group_id) REFERENCES file_group (id)
);

CREATE TABLE repository_redirect (
    id SERIAL NOT NULL,
    to_repo TEXT,
    from_repo TEXT NOT NULL,
    CONSTRAINT pk_repository_redirect PRIMARY KEY (id),
    CONSTRAINT uq_repository_redirect_from_repo UNIQUE (from_repo),
    CONSTRAINT repository_redirect_idx UNIQUE (from_repo, to_repo)
);

CREATE TABLE country_continent_redirect (
    id SERIAL NOT NULL,
    country TEXT NOT NULL,
    continent TEXT NOT NULL,
    CONSTRAINT pk_country_continent_redirect PRIMARY KEY (id),
    CONSTRAINT uq_country_continent_redirect_country UNIQUE (country)
);

CREATE TABLE embargoed_country (
    id SERIAL NOT NULL,
    country_code TEXT NOT NULL,
    CONSTRAINT pk_embargoed_country PRIMARY KEY (id),
    CONSTRAINT uq_embargoed_country_country_code UNIQUE (country_code)
);

CREATE TABLE netblock_country (
    id SERIAL NOT NULL,
    netblock TEXT NOT NULL,
    country TEXT NOT NULL,
    CONSTRAINT pk_netblock_country PRIMARY KEY (id),
    CONSTRAINT uq_netblock_country_netblock UNIQUE (netblock)
);

CREATE TABLE directory_exclusive_host (
    id SERIAL NOT NULL,
    directory_id INTEGER NOT NULL,
    host_id INTEGER NOT NULL,
    CONSTRAINT pk_directory_exclusive_host PRIMARY KEY (id),
    CONSTRAINT directory_exclusive_host_idx UNIQUE (directory_id, host_id),
    CONSTRAINT fk_directory_exclusive_host_directory_id_directory FOREIGN KEY (directory_id) REFERENCES directory (id),
    CONSTRAINT fk_directory_exclusive_host_host_id_host FOREIGN KEY (host_id) REFERENCES host (id)
);

-- ---------------------------------------------------------------- what hosts carry
CREATE TABLE host_category (
    id SERIAL NOT NULL,
    host_id INTEGER,
    category_id INTEGER,
    always_up2date BOOLEAN NOT NULL,
    CONSTRAINT pk_host_category PRIMARY KEY (id),
    CONSTRAINT host_category_hcindex UNIQUE (host_id, category_id),
    CONSTRAINT fk_host_category_host_id_host FOREIGN KEY (host_id) REFERENCES host (id),
    CONSTRAINT fk_host_category_category_id_category FOREIGN KEY (category_id) REFERENCES category (id) ON DELETE CASCADE
);
CREATE INDEX t_hostcategory_host_id_idx ON host_category (host_id);
CREATE INDEX t_hostcategory_category_id_idx ON host_category (category_id);

CREATE TABLE host_category_dir (
    id SERIAL NOT NULL,
    host_category_id INTEGER NOT NULL,
    path TEXT,
    up2date BOOLEAN NOT NULL,
    directory_id INTEGER,
    CONSTRAINT pk_host_category_dir PRIMARY KEY (id),
    CONSTRAINT host_category_dir_hcdindex UNIQUE (host_category_id, path),
    CONSTRAINT fk_host_category_dir_host_category_id_host_category FOREIGN KEY (host_category_id) REFERENCES host_category (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_host_category_dir_directory_id_directory FOREIGN KEY (directory_id) REFERENCES directory (id) ON DELETE CASCADE
);
CREATE INDEX ix_host_category_dir_up2date ON host_category_dir (up2date);

CREATE TABLE host_category_url (
    id SERIAL NOT NULL,
    host_category_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    private BOOLEAN NOT NULL,
    CONSTRAINT pk_host_category_url PRIMARY KEY (id),
    CONSTRAINT uq_host_category_url_url UNIQUE (url),
    CONSTRAINT host_category_url_hcdindex UNIQUE (host_category_id, url),
    CONSTRAINT fk_host_category_url_host_category_id_host_category FOREIGN KEY (host_category_id) REFERENCES host_category (id) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX ix_host_category_url_private ON host_category_url (private);

-- ---------------------------------------------------------------- local accounts
CREATE TABLE mm_user (
    id SERIAL NOT NULL,
    user_name VARCHAR(16) NOT NULL,
    email_address VARCHAR(255) NOT NULL,
    display_name VARCHAR(255),
    password TEXT,
    token VARCHAR(50),
    created TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT now(),
    updated_on TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT pk_mm_user PRIMARY KEY (id),
    CONSTRAINT uq_mm_user_user_name UNIQUE (user_name),
    CONSTRAINT uq_mm_user_email_address UNIQUE (email_address)
);

CREATE TABLE mm_group (
    id SERIAL NOT NULL,
    group_name VARCHAR(16) NOT NULL,
    display_name VARCHAR(255),
    created TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    CONSTRAINT pk_mm_group PRIMARY KEY (id),
    CONSTRAINT uq_mm_group_group_name UNIQUE (group_name)
);

CREATE TABLE mm_user_group (
    user_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    CONSTRAINT pk_mm_user_group PRIMARY KEY (user_id, group_id),
    CONSTRAINT uq_mm_user_group_user_id UNIQUE (user_id, group_id),
    CONSTRAINT fk_mm_user_group_user_id_mm_user FOREIGN KEY (user_id) REFERENCES mm_user (id),
    CONSTRAINT fk_mm_user_group_group_id_mm_group FOREIGN KEY (group_id) REFERENCES mm_group (id)
);

CREATE TABLE mm_user_visit (
    id SERIAL NOT NULL,
    user_id INTEGER NOT NULL,
    visit_key VARCHAR(40) NOT NULL,
    user_ip VARCHAR(50) NOT NULL,
    created TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    expiry TIMESTAMP WITHOUT TIME ZONE,
    CONSTRAINT pk_mm_user_visit PRIMARY KEY (id),
    CONSTRAINT fk_mm_user_visit_user_id_mm_user FOREIGN KEY (user_id) REFERENCES mm_user (id)
);
CREATE UNIQUE INDEX ix_mm_user_visit_visit_key ON mm_user_visit (visit_key);

-- ---------------------------------------------------------------- statistics
CREATE TABLE access_stat_category (
    id SERIAL NOT NULL,
    name VARCHAR(255) NOT NULL,
    CONSTRAINT pk_access_stat_category PRIMARY KEY (id),
    CONSTRAINT uq_access_stat_category_name UNIQUE (name)
);

CREATE TABLE access_stat (
    category_id INTEGER NOT NULL,
    date DATE NOT NULL,
    name VARCHAR(255) NOT NULL,
    percent FLOAT,
    requests INTEGER,
    CONSTRAINT pk_access_stat PRIMARY KEY (category_id, date, name),
    CONSTRAINT fk_access_stat_category_id_access_stat_category FOREIGN KEY (category_id) REFERENCES access_stat_category (id)
);
CREATE INDEX ix_access_stat_category_id ON access_stat (category_id);
CREATE INDEX ix_access_stat_date ON access_stat (date);
CREATE INDEX ix_access_stat_requests ON access_stat (requests);

CREATE TABLE propagation_stat (
    repository_id INTEGER NOT NULL,
    datetime TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    same_day INTEGER NOT NULL,
    one_day INTEGER NOT NULL,
    two_day INTEGER NOT NULL,
    older INTEGER NOT NULL,
    no_info INTEGER NOT NULL,
    CONSTRAINT pk_propagation_stat PRIMARY KEY (repository_id, datetime),
    CONSTRAINT fk_propagation_stat_repository_id_repository FOREIGN KEY (repository_id) REFERENCES repository (id)
);
CREATE INDEX ix_propagation_stat_date ON propagation_stat (datetime);
CREATE INDEX ix_propagation_stat_repository_id ON propagation_stat (repository_id);
