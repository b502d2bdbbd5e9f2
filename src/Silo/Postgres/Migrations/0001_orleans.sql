-- Orleans on PostgreSQL: the storage behind three Orleans ADO.NET providers, written for this project.
--
--   clustering   Microsoft.Orleans.Clustering.AdoNet    silo.UseAdoNetClustering / client.UseAdoNetClustering
--   persistence  Microsoft.Orleans.Persistence.AdoNet   silo.AddAdoNetGrainStorage
--   reminders    Microsoft.Orleans.Reminders.AdoNet     silo.UseAdoNetReminderService
--
-- The contract: at start-up each provider runs `SELECT QueryKey, QueryText FROM OrleansQuery` and from then on runs
-- only the query texts stored there under fixed keys, binding named parameters (@DeploymentId, @GrainIdN0, ...) and
-- reading result columns by name. The providers are configured with Invariant = "Npgsql". Parameter types as Orleans
-- binds them: strings are text, ids/ports/status/hashes/versions are integer, grain key parts bigint, times timestamptz
-- (UTC), a reminder period integer or bigint milliseconds, a state payload bytea.
--
-- Version rules the providers rely on:
--   * membership: one version row per deployment (cluster id). A member insert or update succeeds only when the
--     caller's @Version is still the current version, and bumps it by one in the same transaction; otherwise it
--     returns false and Orleans reads the table again.
--   * grain state: @GrainStateVersion is the version the grain last read or wrote (NULL: "I saw no row"). A write or
--     clear with any other version changes nothing and yields NULL or no row, which Orleans turns into an
--     InconsistentStateException.
--   * reminders: every upsert bumps the row's version (the reminder's ETag); a delete needs the current version.
--
-- Unquoted identifiers fold to lower case, so OrleansQuery is the table orleansquery; Npgsql matches the column names
-- Orleans asks for (QueryKey, QueryText) without regard to case. Result columns below are aliased in the exact case
-- Orleans reads.

CREATE TABLE OrleansQuery (
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text        NOT NULL
);

-- ---------------------------------------------------------------------------------------------------------------
-- Clustering (membership)
-- ---------------------------------------------------------------------------------------------------------------

-- One row per deployment: the membership table version that guards every change to its members.
CREATE TABLE orleans_membership_version (
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port, generation). status is Orleans' SiloStatus (3 Active, 6 Dead);
-- suspect_times is Orleans' own "silo,time|silo,time" text.
CREATE TABLE orleans_membership (
    deployment_id   text        NOT NULL REFERENCES orleans_membership_version ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Inserts a member if the deployment is still at p_version and the member is new; then bumps the version.
CREATE FUNCTION orleans_membership_insert(
    p_deployment_id text, p_version integer, p_address text, p_port integer, p_generation integer,
    p_silo_name text, p_host_name text, p_status integer, p_proxy_port integer,
    p_start_time timestamptz, p_i_am_alive_time timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    -- Holding the version row serialises membership writers of the deployment; a writer that waited here sees the
    -- version its predecessor committed and fails the check.
    PERFORM 1 FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id AND version = p_version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                    proxy_port, suspect_times, start_time, i_am_alive_time)
    VALUES (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
            p_proxy_port, NULL, p_start_time, p_i_am_alive_time)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
     WHERE deployment_id = p_deployment_id;
    RETURN true;
END
$$;

-- Updates a member's status, suspicions and liveness if the deployment is still at p_version; then bumps the version.
CREATE FUNCTION orleans_membership_update(
    p_deployment_id text, p_version integer, p_address text, p_port integer, p_generation integer,
    p_status integer, p_suspect_times text, p_i_am_alive_time timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id AND version = p_version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
       SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
     WHERE deployment_id = p_deployment_id AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
     WHERE deployment_id = p_deployment_id;
    RETURN true;
END
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Grain persistence
-- ---------------------------------------------------------------------------------------------------------------

-- The grain key as the provider identifies it: two 64-bit halves (a long key is (0, key), a Guid key its two halves,
-- a string key (0, 0)) and an optional string (the key extension, or the whole key of a string-keyed grain).
-- Rendered "n0:n1" or "n0:n1+string": the numbers contain neither ':' nor '+', so distinct keys never render alike.
CREATE FUNCTION orleans_grain_key(p_n0 bigint, p_n1 bigint, p_extension text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_n0::text || ':' || p_n1::text || coalesce('+' || p_extension, '')
$$;

-- One row per (service, state name, grain key). The "grain type" Orleans passes (@GrainTypeString) is the state
-- name ("state" for Grain<T>, the name given to [PersistentState]); the grain's type is not part of the key.
-- payload is NULL once the state was cleared; version is the state's ETag.
CREATE TABLE orleans_grain_state (
    service_id  text        NOT NULL,
    state_name  text        NOT NULL,
    grain_key   text        NOT NULL,
    payload     bytea,
    version     integer     NOT NULL,
    modified_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, state_name, grain_key)
);

-- Writes a state. p_expected_version NULL: the row must not exist yet and is created at version 1. Otherwise the row
-- must be at p_expected_version and moves to the next version. Returns the new version, NULL on a version conflict.
CREATE FUNCTION orleans_grain_state_write(
    p_service_id text, p_state_name text, p_grain_key text, p_expected_version integer, p_payload bytea)
    RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    new_version integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO orleans_grain_state (service_id, state_name, grain_key, payload, version)
        VALUES (p_service_id, p_state_name, p_grain_key, p_payload, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO new_version;
    ELSE
        UPDATE orleans_grain_state
           SET payload = p_payload, version = version + 1, modified_at = now()
         WHERE service_id = p_service_id AND state_name = p_state_name AND grain_key = p_grain_key
           AND version = p_expected_version
        RETURNING version INTO new_version;
    END IF;
    RETURN new_version;
END
$$;

-- Clears a state, keeping the row (payload NULL) so its version keeps growing. Same version rule and result as the
-- write.
CREATE FUNCTION orleans_grain_state_clear(
    p_service_id text, p_state_name text, p_grain_key text, p_expected_version integer) RETURNS integer
LANGUAGE sql AS $$
    SELECT orleans_grain_state_write(p_service_id, p_state_name, p_grain_key, p_expected_version, NULL)
$$;

-- Deletes a state (DeleteStateOnClear = true) if it is at p_expected_version. Returns the deleted version plus one
-- (1 when there was nothing to delete and nothing was expected), NULL on a version conflict.
CREATE FUNCTION orleans_grain_state_delete(
    p_service_id text, p_state_name text, p_grain_key text, p_expected_version integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted_version integer;
BEGIN
    IF p_expected_version IS NULL THEN
        PERFORM 1 FROM orleans_grain_state
         WHERE service_id = p_service_id AND state_name = p_state_name AND grain_key = p_grain_key;
        RETURN CASE WHEN FOUND THEN NULL ELSE 1 END;
    END IF;

    DELETE FROM orleans_grain_state
     WHERE service_id = p_service_id AND state_name = p_state_name AND grain_key = p_grain_key
       AND version = p_expected_version
    RETURNING version INTO deleted_version;
    RETURN deleted_version + 1;
END
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Reminders
-- ---------------------------------------------------------------------------------------------------------------

-- grain_hash is the grain's uniform hash as a signed integer: the reminder service asks for ranges of the hash ring.
-- period is in milliseconds; version is the reminder's ETag.
CREATE TABLE orleans_reminders (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    grain_hash    integer     NOT NULL,
    start_time    timestamptz NOT NULL,
    period        bigint      NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
CREATE INDEX orleans_reminders_ring ON orleans_reminders (service_id, grain_hash);

-- ---------------------------------------------------------------------------------------------------------------
-- The queries, under the keys the providers look up
-- ---------------------------------------------------------------------------------------------------------------

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Clustering. A read always yields at least one row carrying the table version; member columns are NULL when the
-- deployment has no (matching) member. A deployment without a version row reads as version 0 with no members.
('InsertMembershipVersionKey', $q$
    WITH inserted AS (
        INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId)
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*) > 0 AS "Created" FROM inserted
$q$),
('MembershipReadAllKey', $q$
    SELECT coalesce(v.version, 0) AS "Version",
           m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
           m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
           m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
      FROM (SELECT @DeploymentId AS deployment_id) AS d
      LEFT JOIN orleans_membership_version AS v ON v.deployment_id = d.deployment_id
      LEFT JOIN orleans_membership AS m ON m.deployment_id = d.deployment_id
$q$),
('MembershipReadRowKey', $q$
    SELECT coalesce(v.version, 0) AS "Version",
           m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
           m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
           m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
      FROM (SELECT @DeploymentId AS deployment_id) AS d
      LEFT JOIN orleans_membership_version AS v ON v.deployment_id = d.deployment_id
      LEFT JOIN orleans_membership AS m ON m.deployment_id = d.deployment_id
            AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
$q$),
('InsertMembershipKey', $q$
    SELECT orleans_membership_insert(@DeploymentId, @Version, @Address, @Port, @Generation, @SiloName, @HostName,
                                     @Status, @ProxyPort, @StartTime, @IAmAliveTime) AS "Inserted"
$q$),
('UpdateMembershipKey', $q$
    SELECT orleans_membership_update(@DeploymentId, @Version, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                     @IAmAliveTime) AS "Updated"
$q$),
('UpdateIAmAlivetimeKey', $q$
    UPDATE orleans_membership SET i_am_alive_time = @IAmAliveTime
     WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),
('GatewaysQueryKey', $q$
    SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
      FROM orleans_membership
     WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM orleans_membership
     WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status = 6
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId
$q$),

-- Grain persistence. Orleans also binds @GrainIdHash and @GrainTypeHash; the key columns make them unnecessary.
('ReadFromStorageKey', $q$
    SELECT payload AS "PayloadBinary", version AS "Version"
      FROM orleans_grain_state
     WHERE service_id = @ServiceId AND state_name = @GrainTypeString
       AND grain_key = orleans_grain_key(@GrainIdN0, @GrainIdN1, @GrainIdExtensionString)
$q$),
('WriteToStorageKey', $q$
    SELECT orleans_grain_state_write(@ServiceId, @GrainTypeString,
                                     orleans_grain_key(@GrainIdN0, @GrainIdN1, @GrainIdExtensionString),
                                     @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion"
$q$),
('ClearStorageKey', $q$
    SELECT orleans_grain_state_clear(@ServiceId, @GrainTypeString,
                                     orleans_grain_key(@GrainIdN0, @GrainIdN1, @GrainIdExtensionString),
                                     @GrainStateVersion) AS "NewGrainStateVersion"
$q$),
('DeleteStorageKey', $q$
    SELECT orleans_grain_state_delete(@ServiceId, @GrainTypeString,
                                      orleans_grain_key(@GrainIdN0, @GrainIdN1, @GrainIdExtensionString),
                                      @GrainStateVersion) AS "NewGrainStateVersion"
$q$),

-- Reminders. ReadRangeRows1Key serves a range that does not wrap around the ring (begin < end as signed integers),
-- ReadRangeRows2Key one that does; both exclude begin and include end.
('ReadReminderRowsKey', $q$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period AS "Period",
           version AS "Version"
      FROM orleans_reminders
     WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$),
('ReadReminderRowKey', $q$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period AS "Period",
           version AS "Version"
      FROM orleans_reminders
     WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$),
('ReadRangeRows1Key', $q$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period AS "Period",
           version AS "Version"
      FROM orleans_reminders
     WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$),
('ReadRangeRows2Key', $q$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period AS "Period",
           version AS "Version"
      FROM orleans_reminders
     WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),
('UpsertReminderRowKey', $q$
    INSERT INTO orleans_reminders AS r (service_id, grain_id, reminder_name, grain_hash, start_time, period, version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
    ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
       SET grain_hash = excluded.grain_hash, start_time = excluded.start_time, period = excluded.period,
           version = r.version + 1
    RETURNING version AS "Version"
$q$),
('DeleteReminderRowKey', $q$
    WITH deleted AS (
        DELETE FROM orleans_reminders
         WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
           AND version = @Version
        RETURNING 1)
    SELECT count(*) > 0 AS "Deleted" FROM deleted
$q$),
('DeleteReminderRowsKey', $q$
    DELETE FROM orleans_reminders WHERE service_id = @ServiceId
$q$);
