-- 0004: crawler additions (mm2_crawler, DESIGN.md §5). New mm_* tables only.

-- One row per crawl (all crawler processes sharing a crawl id).
CREATE TABLE mm_crawl_run (
    crawl_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    started_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    CONSTRAINT pk_mm_crawl_run PRIMARY KEY (crawl_id)
);
CREATE INDEX ix_mm_crawl_run_started_at ON mm_crawl_run (started_at);

-- Lease-based partitioning: a host is crawled by the holder of its lease; a lease that expires
-- without completion may be taken over by another process of the same crawl.
CREATE TABLE mm_crawl_lease (
    crawl_id TEXT NOT NULL,
    host_id INTEGER NOT NULL,
    holder TEXT NOT NULL,
    leased_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    completed_at TIMESTAMP WITHOUT TIME ZONE,
    status TEXT,
    CONSTRAINT pk_mm_crawl_lease PRIMARY KEY (crawl_id, host_id),
    CONSTRAINT fk_mm_crawl_lease_crawl FOREIGN KEY (crawl_id) REFERENCES mm_crawl_run (crawl_id)
        ON DELETE CASCADE,
    CONSTRAINT fk_mm_crawl_lease_host FOREIGN KEY (host_id) REFERENCES host (id) ON DELETE CASCADE
);
CREATE INDEX ix_mm_crawl_lease_host_id ON mm_crawl_lease (host_id);

-- Per host category and crawl: how the category was decided and how fresh it was, so that
-- per-category freshness over time can be shown. Pruned after CRAWLER_HISTORY_KEEP_DAYS.
CREATE TABLE mm_crawl_history (
    id BIGSERIAL NOT NULL,
    crawl_id TEXT NOT NULL,
    holder TEXT NOT NULL,
    host_id INTEGER NOT NULL,
    host_category_id INTEGER NOT NULL,
    category_id INTEGER,
    crawled_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    mode TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT,
    directories_up2date INTEGER NOT NULL DEFAULT 0,
    directories_stale INTEGER NOT NULL DEFAULT 0,
    directories_unknown INTEGER NOT NULL DEFAULT 0,
    directories_total INTEGER NOT NULL DEFAULT 0,
    result TEXT NOT NULL,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    requests BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT pk_mm_crawl_history PRIMARY KEY (id),
    CONSTRAINT fk_mm_crawl_history_host FOREIGN KEY (host_id) REFERENCES host (id) ON DELETE CASCADE,
    CONSTRAINT fk_mm_crawl_history_host_category FOREIGN KEY (host_category_id)
        REFERENCES host_category (id) ON DELETE CASCADE,
    CONSTRAINT fk_mm_crawl_history_category FOREIGN KEY (category_id) REFERENCES category (id)
        ON DELETE SET NULL
);
CREATE INDEX ix_mm_crawl_history_host ON mm_crawl_history (host_id, crawled_at);
CREATE INDEX ix_mm_crawl_history_crawled_at ON mm_crawl_history (crawled_at);
CREATE INDEX ix_mm_crawl_history_host_category ON mm_crawl_history (host_category_id);

