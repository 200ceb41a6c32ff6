-- The tables of a legacy PyPI PostgreSQL database in its final state, written
-- for the tests from spec/storage-model.md: legacy's own tables and columns
-- only. Columns the successor's migrations added later (last_serial,
-- sha256_digest, path, ...) and the successor's account tables are left out,
-- so this is what an existing legacy database looks like before
-- `pypi upgradedb` first runs on it.
--
-- Conventions kept from legacy: text is TEXT, keys are exact names, child
-- rows follow a rename of their project or user through ON UPDATE CASCADE.
-- Several tables have no primary key at all (journals, roles, ...), and some
-- indexes duplicate a key: that is how the legacy database was built.
-- Every statement ends with ";" at the end of a line (the loader splits there).

-- accounts -------------------------------------------------------------------

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password TEXT,                -- unsalted SHA-1, 40 lower-case hex digits
    email TEXT,
    gpg_keyid TEXT,
    last_login TIMESTAMP
);
CREATE INDEX users_email_idx ON users (email);

CREATE TABLE rego_otk (
    name TEXT REFERENCES users,   -- a row: registration not confirmed yet
    otk TEXT UNIQUE,
    date TIMESTAMP
);
CREATE INDEX rego_otk_name_idx ON rego_otk (name);
CREATE INDEX rego_otk_otk_idx ON rego_otk (otk);

CREATE TABLE cookies (
    cookie TEXT PRIMARY KEY,
    name TEXT REFERENCES users ON UPDATE CASCADE ON DELETE CASCADE,
    last_seen TIMESTAMP
);
CREATE INDEX cookies_last_seen ON cookies (last_seen);

CREATE TABLE csrf_tokens (
    name TEXT PRIMARY KEY REFERENCES users ON UPDATE CASCADE ON DELETE CASCADE,
    token TEXT,
    end_date TIMESTAMP
);

CREATE TABLE sshkeys (
    id SERIAL PRIMARY KEY,
    name TEXT REFERENCES users ON UPDATE CASCADE ON DELETE CASCADE,
    key TEXT
);
CREATE INDEX sshkeys_name ON sshkeys (name);

CREATE TABLE openids (
    id TEXT PRIMARY KEY,
    name TEXT REFERENCES users ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE openid_sessions (
    id SERIAL PRIMARY KEY,
    url TEXT,
    assoc_handle TEXT,
    expires TIMESTAMP,
    mac_key TEXT
);

CREATE TABLE openid_nonces (
    created TIMESTAMP,
    nonce TEXT
);
CREATE INDEX openid_nonces_created ON openid_nonces (created);
CREATE INDEX openid_nonces_nonce ON openid_nonces (nonce);

-- projects and releases ------------------------------------------------------

CREATE TABLE packages (
    name TEXT PRIMARY KEY,
    stable_version TEXT,
    normalized_name TEXT,
    autohide BOOLEAN DEFAULT TRUE,
    comments BOOLEAN DEFAULT TRUE,
    bugtrack_url TEXT,
    hosting_mode TEXT NOT NULL DEFAULT 'pypi-explicit',
    created TIMESTAMP DEFAULT now(),
    CONSTRAINT packages_valid_name
        CHECK (name ~* '^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$')
);

CREATE TABLE cheesecake_main_indices (
    id SERIAL PRIMARY KEY,
    absolute INTEGER NOT NULL,
    relative INTEGER NOT NULL
);

CREATE TABLE cheesecake_subindices (
    main_index_id INTEGER REFERENCES cheesecake_main_indices,
    name TEXT,
    value INTEGER NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (main_index_id, name)
);

CREATE TABLE releases (
    name TEXT REFERENCES packages ON UPDATE CASCADE,
    version TEXT,
    author TEXT,
    author_email TEXT,
    maintainer TEXT,
    maintainer_email TEXT,
    home_page TEXT,
    license TEXT,
    summary TEXT,
    description TEXT,
    description_html TEXT,
    description_from_readme BOOLEAN,
    keywords TEXT,
    platform TEXT,
    download_url TEXT,
    requires_python TEXT,
    cheesecake_installability_id INTEGER REFERENCES cheesecake_main_indices,
    cheesecake_documentation_id INTEGER REFERENCES cheesecake_main_indices,
    cheesecake_code_kwalitee_id INTEGER REFERENCES cheesecake_main_indices,
    _pypi_ordering INTEGER,
    _pypi_hidden BOOLEAN,
    created TIMESTAMP DEFAULT now(),
    PRIMARY KEY (name, version)
);
CREATE INDEX release_pypi_hidden_idx ON releases (_pypi_hidden);
CREATE INDEX release_name_idx ON releases (name);
CREATE INDEX release_version_idx ON releases (version);

-- kind: 1 requires, 2 provides, 3 obsoletes, 4 requires_dist,
-- 5 provides_dist, 6 obsoletes_dist, 7 requires_external, 8 project_url
CREATE TABLE release_dependencies (
    name TEXT,
    version TEXT,
    kind INTEGER,
    specifier TEXT,
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
);
CREATE INDEX rel_dep_name_idx ON release_dependencies (name);
CREATE INDEX rel_dep_name_version_idx ON release_dependencies (name, version);
CREATE INDEX rel_dep_name_version_kind_idx ON release_dependencies (name, version, kind);

-- created in 2010 and never written by the code
CREATE TABLE release_requires_python (
    name TEXT,
    version TEXT,
    specifier TEXT,
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
);

-- l2..l5: the ancestor's id at that depth, the own id at its own depth, 0 below it
CREATE TABLE trove_classifiers (
    id INTEGER PRIMARY KEY,
    classifier TEXT UNIQUE,
    l2 INTEGER,
    l3 INTEGER,
    l4 INTEGER,
    l5 INTEGER
);
CREATE INDEX trove_class_class_idx ON trove_classifiers (classifier);
CREATE INDEX trove_class_id_idx ON trove_classifiers (id);
CREATE SEQUENCE trove_ids START 1000;

CREATE TABLE release_classifiers (
    name TEXT,
    version TEXT,
    trove_id INTEGER REFERENCES trove_classifiers,
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
);
CREATE INDEX rel_class_name_idx ON release_classifiers (name);
CREATE INDEX rel_class_version_id_idx ON release_classifiers (version);
CREATE INDEX rel_class_trove_id_idx ON release_classifiers (trove_id);
CREATE INDEX rel_class_name_version_idx ON release_classifiers (name, version);

CREATE TABLE browse_tally (
    trove_id INTEGER PRIMARY KEY,
    tally INTEGER
);

-- the bytes live at <files dir>/<python_version>/<first letter>/<name>/<filename>
CREATE TABLE release_files (
    name TEXT,
    version TEXT,
    python_version TEXT,
    packagetype TEXT,
    comment_text TEXT,
    filename TEXT UNIQUE,
    md5_digest TEXT UNIQUE,
    upload_time TIMESTAMP,
    downloads INTEGER DEFAULT 0,
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
);
CREATE INDEX release_files_name_idx ON release_files (name);
CREATE INDEX release_files_version_idx ON release_files (version);
CREATE INDEX release_files_packagetype_idx ON release_files (packagetype);
CREATE INDEX release_files_name_version_idx ON release_files (name, version);

CREATE TABLE release_urls (
    name TEXT,
    version TEXT,
    url TEXT,
    packagetype TEXT,
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
);
CREATE INDEX release_urls_name_idx ON release_urls (name);
CREATE INDEX release_urls_version_idx ON release_urls (version);
CREATE INDEX release_urls_packagetype_idx ON release_urls (packagetype);

CREATE TABLE description_urls (
    name TEXT,
    version TEXT,
    url TEXT,
    id SERIAL PRIMARY KEY,
    FOREIGN KEY (name, version) REFERENCES releases (name, version) ON UPDATE CASCADE
);
CREATE INDEX description_urls_name_idx ON description_urls (name);
CREATE INDEX description_urls_name_version_idx ON description_urls (name, version);

CREATE TABLE roles (
    role_name TEXT,
    user_name TEXT REFERENCES users ON UPDATE CASCADE,
    package_name TEXT REFERENCES packages ON UPDATE CASCADE   -- NULL: site-wide
);
CREATE INDEX roles_pack_name_idx ON roles (package_name);
CREATE INDEX roles_user_name_idx ON roles (user_name);

-- journal and serials ---------------------------------------------------------

-- id was added (2013) as a plain SERIAL column: no primary key, no index
CREATE TABLE journals (
    name TEXT,
    version TEXT,
    action TEXT,
    submitted_date TIMESTAMP,
    submitted_by TEXT REFERENCES users ON UPDATE CASCADE,
    submitted_from TEXT,
    id SERIAL
);
CREATE INDEX journals_name_idx ON journals (name);
CREATE INDEX journals_version_idx ON journals (version);
CREATE INDEX journals_latest_releases ON journals (submitted_date, name, version)
    WHERE version IS NOT NULL AND action = 'new release';
CREATE INDEX journals_changelog ON journals (submitted_date, name, version, action);

-- ratings and comments (2009-2011; the tables stayed) -------------------------

CREATE TABLE ratings (
    id SERIAL PRIMARY KEY,
    name TEXT,
    version TEXT,
    user_name TEXT REFERENCES users ON DELETE CASCADE,
    date TIMESTAMP,
    rating INTEGER,
    UNIQUE (name, version, user_name),
    FOREIGN KEY (name, version) REFERENCES releases (name, version)
        ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX rating_name_version ON ratings (name, version);

CREATE TABLE comments (
    id SERIAL PRIMARY KEY,
    rating INTEGER REFERENCES ratings (id) ON DELETE CASCADE,
    user_name TEXT REFERENCES users ON DELETE CASCADE,
    date TIMESTAMP,
    message TEXT,
    in_reply_to INTEGER REFERENCES comments (id) ON DELETE CASCADE
);

CREATE TABLE comments_journal (
    name TEXT,
    version TEXT,
    id INTEGER,
    submitted_by TEXT REFERENCES users ON DELETE CASCADE,
    date TIMESTAMP,
    action TEXT,
    FOREIGN KEY (name, version) REFERENCES releases (name, version)
        ON UPDATE CASCADE ON DELETE CASCADE
);

-- mirrors and housekeeping ----------------------------------------------------

CREATE TABLE mirrors (
    ip TEXT PRIMARY KEY,
    user_name TEXT REFERENCES users,
    index_url TEXT,               -- the URL columns are unused since 2010
    last_modified_url TEXT,
    local_stats_url TEXT,
    stats_url TEXT,
    mirrors_url TEXT
);

-- rows: http, ftp (log positions of the download counter), browse_tally
CREATE TABLE timestamps (
    name TEXT PRIMARY KEY,
    value TIMESTAMP
);

CREATE TABLE dual (
    dummy INTEGER
);
