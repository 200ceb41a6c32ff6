-- The legacy PyPI tables of schema_postgresql.sql, as a MySQL/MariaDB
-- database would hold them: same tables, columns, keys and index names.
-- What MySQL needs differently:
--  * InnoDB, utf8mb4 with the binary collation, so names compare exactly
--    (case-sensitively) as they do on PostgreSQL;
--  * VARCHAR(255) for text that is part of a key or index (TEXT cannot be),
--    LONGTEXT for release metadata, TEXT for other free text;
--  * DATETIME for TIMESTAMP (no time zone, no automatic update);
--  * AUTO_INCREMENT for SERIAL; an AUTO_INCREMENT column must be indexed, so
--    journals.id has a plain index where PostgreSQL has none;
--  * no partial indexes: journals_latest_releases covers every row, and
--    journals_changelog indexes a prefix of action;
--  * key and dual are reserved words and are quoted.
-- Every statement ends with ";" at the end of a line (the loader splits there).

-- accounts -------------------------------------------------------------------

CREATE TABLE users (
    name VARCHAR(255) NOT NULL PRIMARY KEY,
    password TEXT,
    email VARCHAR(255),
    gpg_keyid TEXT,
    last_login DATETIME,
    INDEX users_email_idx (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE rego_otk (
    name VARCHAR(255),
    otk VARCHAR(255) UNIQUE,
    date DATETIME,
    INDEX rego_otk_name_idx (name),
    INDEX rego_otk_otk_idx (otk),
    FOREIGN KEY (name) REFERENCES users (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE cookies (
    cookie VARCHAR(255) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    last_seen DATETIME,
    INDEX cookies_last_seen (last_seen),
    FOREIGN KEY (name) REFERENCES users (name) ON UPDATE CASCADE ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE csrf_tokens (
    name VARCHAR(255) NOT NULL PRIMARY KEY,
    token TEXT,
    end_date DATETIME,
    FOREIGN KEY (name) REFERENCES users (name) ON UPDATE CASCADE ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE sshkeys (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255),
    `key` TEXT,
    INDEX sshkeys_name (name),
    FOREIGN KEY (name) REFERENCES users (name) ON UPDATE CASCADE ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE openids (
    id VARCHAR(255) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    FOREIGN KEY (name) REFERENCES users (name) ON UPDATE CASCADE ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE openid_sessions (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    url TEXT,
    assoc_handle TEXT,
    expires DATETIME,
    mac_key TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE openid_nonces (
    created DATETIME,
    nonce VARCHAR(255),
    INDEX openid_nonces_created (created),
    INDEX openid_nonces_nonce (nonce)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- projects and releases ------------------------------------------------------

CREATE TABLE packages (
    name VARCHAR(255) NOT NULL PRIMARY KEY,
    stable_version TEXT,
    normalized_name TEXT,
    autohide BOOLEAN DEFAULT TRUE,
    comments BOOLEAN DEFAULT TRUE,
    bugtrack_url TEXT,
    hosting_mode VARCHAR(255) NOT NULL DEFAULT 'pypi-explicit',
    created DATETIME DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT packages_valid_name
        CHECK (name REGEXP '^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE cheesecake_main_indices (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    absolute INTEGER NOT NULL,
    relative INTEGER NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE cheesecake_subindices (
    main_index_id INTEGER NOT NULL,
    name VARCHAR(255) NOT NULL,
    value INTEGER NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (main_index_id, name),
    FOREIGN KEY (main_index_id) REFERENCES cheesecake_main_indices (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE releases (
    name VARCHAR(255) NOT NULL,
    version VARCHAR(255) NOT NULL,
    author LONGTEXT,
    author_email LONGTEXT,
    maintainer LONGTEXT,
    maintainer_email LONGTEXT,
    home_page LONGTEXT,
    license LONGTEXT,
    summary LONGTEXT,
    description LONGTEXT,
    description_html LONGTEXT,
    description_from_readme BOOLEAN,
    keywords LONGTEXT,
    platform LONGTEXT,
    download_url LONGTEXT,
    requires_python LONGTEXT,
    cheesecake_installability_id INTEGER,
    cheesecake_documentation_id INTEGER,
    cheesecake_code_kwalitee_id INTEGER,
    _pypi_ordering INTEGER,
    _pypi_hidden BOOLEAN,
    created DATETIME DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (name, version),
    INDEX release_pypi_hidden_idx (_pypi_hidden),
    INDEX release_name_idx (name),
    INDEX release_version_idx (version),
    FOREIGN KEY (name) REFERENCES packages (name) ON UPDATE CASCADE,
    FOREIGN KEY (cheesecake_installability_id) REFERENCES cheesecake_main_indices (id),
    FOREIGN KEY (cheesecake_documentation_id) REFERENCES cheesecake_main_indices (id),
    FOREIGN KEY (cheesecake_code_kwalitee_id) REFERENCES cheesecake_main_indices (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE release_dependencies (
    name VARCHAR(255),
    version VARCHAR(255),
    kind INTEGER,
    specifier LONGTEXT,
    INDEX rel_dep_name_idx (name),
    INDEX rel_dep_name_version_idx (name, version),
    INDEX rel_dep_name_version_kind_idx (name, version, kind),
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE release_requires_python (
    name VARCHAR(255),
    version VARCHAR(255),
    specifier LONGTEXT,
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE trove_classifiers (
    id INTEGER NOT NULL PRIMARY KEY,
    classifier VARCHAR(255) UNIQUE,
    l2 INTEGER,
    l3 INTEGER,
    l4 INTEGER,
    l5 INTEGER,
    INDEX trove_class_class_idx (classifier),
    INDEX trove_class_id_idx (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE release_classifiers (
    name VARCHAR(255),
    version VARCHAR(255),
    trove_id INTEGER,
    INDEX rel_class_name_idx (name),
    INDEX rel_class_version_id_idx (version),
    INDEX rel_class_trove_id_idx (trove_id),
    INDEX rel_class_name_version_idx (name, version),
    FOREIGN KEY (trove_id) REFERENCES trove_classifiers (id),
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE browse_tally (
    trove_id INTEGER NOT NULL PRIMARY KEY,
    tally INTEGER
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE release_files (
    name VARCHAR(255),
    version VARCHAR(255),
    python_version TEXT,
    packagetype VARCHAR(255),
    comment_text LONGTEXT,
    filename VARCHAR(255) UNIQUE,
    md5_digest VARCHAR(255) UNIQUE,
    upload_time DATETIME,
    downloads INTEGER DEFAULT 0,
    INDEX release_files_name_idx (name),
    INDEX release_files_version_idx (version),
    INDEX release_files_packagetype_idx (packagetype),
    INDEX release_files_name_version_idx (name, version),
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE release_urls (
    name VARCHAR(255),
    version VARCHAR(255),
    url LONGTEXT,
    packagetype VARCHAR(255),
    INDEX release_urls_name_idx (name),
    INDEX release_urls_version_idx (version),
    INDEX release_urls_packagetype_idx (packagetype),
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE description_urls (
    name VARCHAR(255),
    version VARCHAR(255),
    url LONGTEXT,
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    INDEX description_urls_name_idx (name),
    INDEX description_urls_name_version_idx (name, version),
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE roles (
    role_name VARCHAR(255),
    user_name VARCHAR(255),
    package_name VARCHAR(255),
    INDEX roles_pack_name_idx (package_name),
    INDEX roles_user_name_idx (user_name),
    FOREIGN KEY (user_name) REFERENCES users (name) ON UPDATE CASCADE,
    FOREIGN KEY (package_name) REFERENCES packages (name) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- journal and serials ---------------------------------------------------------

CREATE TABLE journals (
    name VARCHAR(255),
    version VARCHAR(255),
    action TEXT,
    submitted_date DATETIME,
    submitted_by VARCHAR(255),
    submitted_from VARCHAR(255),
    id INT NOT NULL AUTO_INCREMENT,
    INDEX journals_id_idx (id),
    INDEX journals_name_idx (name),
    INDEX journals_version_idx (version),
    INDEX journals_latest_releases (submitted_date, name, version),
    INDEX journals_changelog (submitted_date, name, version, action(191)),
    FOREIGN KEY (submitted_by) REFERENCES users (name) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- ratings and comments (2009-2011; the tables stayed) -------------------------

CREATE TABLE ratings (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255),
    version VARCHAR(255),
    user_name VARCHAR(255),
    date DATETIME,
    rating INTEGER,
    UNIQUE (name, version, user_name),
    INDEX rating_name_version (name, version),
    FOREIGN KEY (user_name) REFERENCES users (name) ON DELETE CASCADE,
    FOREIGN KEY (name, version) REFERENCES releases (name, version)
        ON UPDATE CASCADE ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE comments (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    rating INTEGER,
    user_name VARCHAR(255),
    date DATETIME,
    message LONGTEXT,
    in_reply_to INTEGER,
    FOREIGN KEY (rating) REFERENCES ratings (id) ON DELETE CASCADE,
    FOREIGN KEY (user_name) REFERENCES users (name) ON DELETE CASCADE,
    FOREIGN KEY (in_reply_to) REFERENCES comments (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE comments_journal (
    name VARCHAR(255),
    version VARCHAR(255),
    id INTEGER,
    submitted_by VARCHAR(255),
    date DATETIME,
    action LONGTEXT,
    FOREIGN KEY (submitted_by) REFERENCES users (name) ON DELETE CASCADE,
    FOREIGN KEY (name, version) REFERENCES releases (name, version)
        ON UPDATE CASCADE ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- mirrors and housekeeping ----------------------------------------------------

CREATE TABLE mirrors (
    ip VARCHAR(255) NOT NULL PRIMARY KEY,
    user_name VARCHAR(255),
    index_url TEXT,
    last_modified_url TEXT,
    local_stats_url TEXT,
    stats_url TEXT,
    mirrors_url TEXT,
    FOREIGN KEY (user_name) REFERENCES users (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE timestamps (
    name VARCHAR(255) NOT NULL PRIMARY KEY,
    value DATETIME
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `dual` (
    dummy INTEGER
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
