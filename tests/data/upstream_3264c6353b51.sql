-- An upstream-shaped MirrorManager2 database at Alembic head 3264c6353b51, written from
-- mm2-web-and-data.md §1 for the adoption test: the schema create_all plus the Alembic chain
-- leave behind (PostgreSQL's default names for unnamed constraints, no server defaults,
-- host.crawl_failures and the propagation_stat counters nullable as the migrations created them).
-- tests/unit/catalog/adoption_test.cc loads it, fills it, runs `mm2-catalog migrate` and checks
-- that nothing was lost.
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
    PRIMARY KEY (id)
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
    PRIMARY KEY (id),
    FOREIGN KEY (site_id) REFERENCES site (id)
);

CREATE TABLE site_to_site (
    id SERIAL NOT NULL,
    username TEXT,
    password TEXT,
    upstream_site_id INTEGER NOT NULL,
    downstream_site_id INTEGER NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT site_to_site_idx UNIQUE (upstream_site_id, downstream_site_id),
    CONSTRAINT site_to_site_username_idx UNIQUE (upstream_site_id, username),
    FOREIGN KEY (upstream_site_id) REFERENCES site (id),
    FOREIGN KEY (downstream_site_id) REFERENCES site (id)
);

CREATE TABLE country (
    id SERIAL NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (code)
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
    crawl_failures INTEGER,
    disable_reason TEXT,
    push_ssh_private_key TEXT,
    push_ssh_host TEXT,
    push_ssh_command TEXT,
    last_crawls BYTEA,
    latitude FLOAT,
    longitude FLOAT,
    PRIMARY KEY (id),
    CONSTRAINT host_idx UNIQUE (site_id, name),
    FOREIGN KEY (site_id) REFERENCES site (id)
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
    PRIMARY KEY (id),
    UNIQUE (ip),
    CONSTRAINT host_acl_ip_hipindex UNIQUE (host_id, ip),
    FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_country_allowed (
    id SERIAL NOT NULL,
    country TEXT NOT NULL,
    host_id INTEGER,
    PRIMARY KEY (id),
    UNIQUE (country),
    FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_netblock (
    id SERIAL NOT NULL,
    netblock TEXT,
    name TEXT,
    host_id INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_peer_asn (
    id SERIAL NOT NULL,
    asn INTEGER NOT NULL,
    name TEXT,
    host_id INTEGER,
    PRIMARY KEY (id),
    CONSTRAINT host_peer_asn_idx UNIQUE (host_id, asn),
    FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_country (
    id SERIAL NOT NULL,
    country_id INTEGER NOT NULL,
    host_id INTEGER NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT host_country_hlidx UNIQUE (host_id, country_id),
    FOREIGN KEY (country_id) REFERENCES country (id),
    FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE host_stats (
    id SERIAL NOT NULL,
    timestamp TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    type TEXT,
    data BYTEA,
    host_id INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY (host_id) REFERENCES host (id)
);

CREATE TABLE location (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
);

CREATE TABLE host_location (
    id SERIAL NOT NULL,
    location_id INTEGER NOT NULL,
    host_id INTEGER NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT host_location_hlidx UNIQUE (location_id, host_id),
    FOREIGN KEY (location_id) REFERENCES location (id),
    FOREIGN KEY (host_id) REFERENCES host (id)
);

-- ---------------------------------------------------------------- the master tree
CREATE TABLE product (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    publiclist BOOLEAN NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
);

CREATE TABLE directory (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    files BYTEA,
    readable BOOLEAN NOT NULL,
    ctime BIGINT,
    PRIMARY KEY (id),
    UNIQUE (name)
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
    PRIMARY KEY (id),
    UNIQUE (name),
    FOREIGN KEY (product_id) REFERENCES product (id),
    FOREIGN KEY (topdir_id) REFERENCES directory (id)
);

CREATE TABLE category_directory (
    category_id INTEGER NOT NULL,
    directory_id INTEGER NOT NULL,
    PRIMARY KEY (category_id, directory_id),
    FOREIGN KEY (category_id) REFERENCES category (id),
    FOREIGN KEY (directory_id) REFERENCES directory (id)
);

CREATE TABLE arch (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    publiclist BOOLEAN NOT NULL,
    primary_arch BOOLEAN NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
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
    PRIMARY KEY (id),
    CONSTRAINT version_idx UNIQUE (name, product_id),
    FOREIGN KEY (product_id) REFERENCES product (id)
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
    PRIMARY KEY (id),
    UNIQUE (name),
    CONSTRAINT repository_idx UNIQUE (prefix, arch_id),
    FOREIGN KEY (category_id) REFERENCES category (id),
    FOREIGN KEY (version_id) REFERENCES version (id),
    FOREIGN KEY (arch_id) REFERENCES arch (id),
    FOREIGN KEY (directory_id) REFERENCES directory (id)
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
    PRIMARY KEY (id),
    FOREIGN KEY (directory_id) REFERENCES directory (id)
);
CREATE INDEX ix_file_detail_timestamp ON file_detail (timestamp);

CREATE TABLE file_group (
    id SERIAL NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
);

CREATE TABLE file_detail_file_group (
    id SERIAL NOT NULL,
    file_detail_id INTEGER NOT NULL,
    file_group_id INTEGER NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (file_detail_id) REFERENCES file_detail (id),
    FOREIGN KEY (file_group_id) REFERENCES file_group (id)
);

CREATE TABLE repository_redirect (
    id SERIAL NOT NULL,
    to_repo TEXT,
    from_repo TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (from_repo),
    CONSTRAINT repository_redirect_idx UNIQUE (from_repo, to_repo)
);

CREATE TABLE country_continent_redirect (
    id SERIAL NOT NULL,
    country TEXT NOT NULL,
    continent TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (country)
);

CREATE TABLE embargoed_country (
    id SERIAL NOT NULL,
    country_code TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (country_code)
);

CREATE TABLE netblock_country (
    id SERIAL NOT NULL,
    netblock TEXT NOT NULL,
    country TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (netblock)
);

CREATE TABLE directory_exclusive_host (
    id SERIAL NOT NULL,
    directory_id INTEGER NOT NULL,
    host_id INTEGER NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT directory_exclusive_host_idx UNIQUE (directory_id, host_id),
    FOREIGN KEY (directory_id) REFERENCES directory (id),
    FOREIGN KEY (host_id) REFERENCES host (id)
);

-- ---------------------------------------------------------------- what hosts carry
CREATE TABLE host_category (
    id SERIAL NOT NULL,
    host_id INTEGER,
    category_id INTEGER,
    always_up2date BOOLEAN NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT host_category_hcindex UNIQUE (host_id, category_id),
    FOREIGN KEY (host_id) REFERENCES host (id),
    FOREIGN KEY (category_id) REFERENCES category (id) ON DELETE CASCADE
);
CREATE INDEX t_hostcategory_host_id_idx ON host_category (host_id);
CREATE INDEX t_hostcategory_category_id_idx ON host_category (category_id);

CREATE TABLE host_category_dir (
    id SERIAL NOT NULL,
    host_category_id INTEGER NOT NULL,
    path TEXT,
    up2date BOOLEAN NOT NULL,
    directory_id INTEGER,
    PRIMARY KEY (id),
    CONSTRAINT host_category_dir_hcdindex UNIQUE (host_category_id, path),
    FOREIGN KEY (host_category_id) REFERENCES host_category (id) ON DELETE CASCADE ON UPDATE CASCADE,
    FOREIGN KEY (directory_id) REFERENCES directory (id) ON DELETE CASCADE
);
CREATE INDEX ix_host_category_dir_up2date ON host_category_dir (up2date);

CREATE TABLE host_category_url (
    id SERIAL NOT NULL,
    host_category_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    private BOOLEAN NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (url),
    CONSTRAINT host_category_url_hcdindex UNIQUE (host_category_id, url),
    FOREIGN KEY (host_category_id) REFERENCES host_category (id) ON DELETE CASCADE ON UPDATE CASCADE
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
    PRIMARY KEY (id),
    UNIQUE (user_name),
    UNIQUE (email_address)
);

CREATE TABLE mm_group (
    id SERIAL NOT NULL,
    group_name VARCHAR(16) NOT NULL,
    display_name VARCHAR(255),
    created TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (group_name)
);

CREATE TABLE mm_user_group (
    user_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, group_id),
    UNIQUE (user_id, group_id),
    FOREIGN KEY (user_id) REFERENCES mm_user (id),
    FOREIGN KEY (group_id) REFERENCES mm_group (id)
);

CREATE TABLE mm_user_visit (
    id SERIAL NOT NULL,
    user_id INTEGER NOT NULL,
    visit_key VARCHAR(40) NOT NULL,
    user_ip VARCHAR(50) NOT NULL,
    created TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    expiry TIMESTAMP WITHOUT TIME ZONE,
    PRIMARY KEY (id),
    FOREIGN KEY (user_id) REFERENCES mm_user (id)
);
CREATE UNIQUE INDEX ix_mm_user_visit_visit_key ON mm_user_visit (visit_key);

-- ---------------------------------------------------------------- statistics
CREATE TABLE access_stat_category (
    id SERIAL NOT NULL,
    name VARCHAR(255) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
);

CREATE TABLE access_stat (
    category_id INTEGER NOT NULL,
    date DATE NOT NULL,
    name VARCHAR(255) NOT NULL,
    percent FLOAT,
    requests INTEGER,
    PRIMARY KEY (category_id, date, name),
    FOREIGN KEY (category_id) REFERENCES access_stat_category (id)
);
CREATE INDEX ix_access_stat_category_id ON access_stat (category_id);
CREATE INDEX ix_access_stat_date ON access_stat (date);
CREATE INDEX ix_access_stat_requests ON access_stat (requests);

CREATE TABLE propagation_stat (
    repository_id INTEGER NOT NULL,
    datetime TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    same_day INTEGER,
    one_day INTEGER,
    two_day INTEGER,
    older INTEGER,
    no_info INTEGER,
    PRIMARY KEY (repository_id, datetime),
    FOREIGN KEY (repository_id) REFERENCES repository (id)
);
CREATE INDEX ix_propagation_stat_date ON propagation_stat (datetime);
CREATE INDEX ix_propagation_stat_repository_id ON propagation_stat (repository_id);
