-- 0006: UMDL additions (mm2_update-master-directory-list). New mm_* tables only.

-- The files UMDL made file details from (checksum files, repomd.xml, ostree summary), as they
-- were when last read: name, the time and size the scanner saw, and the file details each
-- produced (parallel arrays: file name, timestamp, size). A rescan re-reads a file only when its
-- time or size changed, when a file detail it produced is gone, or (checksum files) when a file
-- it lists no longer has the ctime and size of its file detail; instead of re-reading every
-- such file of the tree on every run (upstream) or only those of changed directories (which
-- misses files rewritten in place). File names never contain '/'.
CREATE TABLE mm_umdl_source_file (
    directory_id INTEGER NOT NULL,
    filename TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    size BIGINT NOT NULL,
    derived TEXT[] NOT NULL DEFAULT '{}',
    derived_timestamp BIGINT[] NOT NULL DEFAULT '{}',
    derived_size BIGINT[] NOT NULL DEFAULT '{}',
    CONSTRAINT pk_mm_umdl_source_file PRIMARY KEY (directory_id, filename),
    CONSTRAINT fk_mm_umdl_source_file_directory FOREIGN KEY (directory_id)
        REFERENCES directory (id) ON DELETE CASCADE
);
