"""The control plane's database schema: its migrations, applied in order at start-up."""

from __future__ import annotations

# Configurations are stored as the JSON AWS returns (FunctionConfiguration and friends):
# the service model, not our schema, decides their fields. Columns hold only what we
# look things up by.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE functions (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        last_version INTEGER NOT NULL DEFAULT 0,
        tags TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE function_versions (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        config TEXT NOT NULL,
        code_sha256 TEXT NOT NULL,
        PRIMARY KEY (account, region, name, version),
        FOREIGN KEY (account, region, name)
            REFERENCES functions (account, region, name) ON DELETE CASCADE
    );
    CREATE TABLE aliases (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        PRIMARY KEY (account, region, function, name),
        FOREIGN KEY (account, region, function)
            REFERENCES functions (account, region, name) ON DELETE CASCADE
    );
    CREATE TABLE function_policies (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        policy TEXT NOT NULL,
        revision_id TEXT NOT NULL,
        PRIMARY KEY (account, region, function, qualifier),
        FOREIGN KEY (account, region, function)
            REFERENCES functions (account, region, name) ON DELETE CASCADE
    );
    CREATE TABLE layers (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        last_version INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE layer_versions (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        config TEXT NOT NULL,
        code_sha256 TEXT NOT NULL,
        policy TEXT,
        policy_revision_id TEXT,
        PRIMARY KEY (account, region, name, version),
        FOREIGN KEY (account, region, name)
            REFERENCES layers (account, region, name) ON DELETE CASCADE
    );
    """,
    # The code of the layers a function version uses: kept while any version uses it,
    # even after the layer version is deleted (as AWS keeps it), and mounted at /opt.
    """
    ALTER TABLE function_versions ADD COLUMN layer_code TEXT NOT NULL DEFAULT '[]';
    """,
    # Reserved concurrency (PutFunctionConcurrency): NULL when the function has none.
    """
    ALTER TABLE functions ADD COLUMN reserved_concurrency INTEGER;
    """,
    # Event invoke configs (asynchronous error handling and destinations), per function,
    # version or alias ($LATEST for the unqualified function). They go with the function,
    # and with the version or alias they belong to when that is deleted (a DELETE only:
    # INSERT OR REPLACE, which updates use, fires no delete trigger).
    """
    CREATE TABLE event_invoke_configs (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        config TEXT NOT NULL,
        last_modified REAL NOT NULL,
        PRIMARY KEY (account, region, function, qualifier),
        FOREIGN KEY (account, region, function)
            REFERENCES functions (account, region, name) ON DELETE CASCADE
    );
    CREATE TRIGGER event_invoke_configs_of_version AFTER DELETE ON function_versions
    BEGIN
        DELETE FROM event_invoke_configs WHERE account = OLD.account
            AND region = OLD.region AND function = OLD.name AND qualifier = OLD.version;
    END;
    CREATE TRIGGER event_invoke_configs_of_alias AFTER DELETE ON aliases
    BEGIN
        DELETE FROM event_invoke_configs WHERE account = OLD.account
            AND region = OLD.region AND function = OLD.function AND qualifier = OLD.name;
    END;
    """,
    # Provisioned concurrency configs, per published version or alias, with the status
    # their environments last reported. They go with the function, and with the version or
    # alias they belong to.
    """
    CREATE TABLE provisioned_concurrency (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        function TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        requested INTEGER NOT NULL,
        last_modified REAL NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT,
        allocated INTEGER NOT NULL DEFAULT 0,
        available INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, region, function, qualifier),
        FOREIGN KEY (account, region, function)
            REFERENCES functions (account, region, name) ON DELETE CASCADE
    );
    CREATE TRIGGER provisioned_concurrency_of_version AFTER DELETE ON function_versions
    BEGIN
        DELETE FROM provisioned_concurrency WHERE account = OLD.account
            AND region = OLD.region AND function = OLD.name AND qualifier = OLD.version;
    END;
    CREATE TRIGGER provisioned_concurrency_of_alias AFTER DELETE ON aliases
    BEGIN
        DELETE FROM provisioned_concurrency WHERE account = OLD.account
            AND region = OLD.region AND function = OLD.function AND qualifier = OLD.name;
    END;
    """,
]
