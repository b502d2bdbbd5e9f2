-- The credit ledger (信用档案): every record ever received and every status change, append-only. Rows are never
-- updated except their status field. seq is assigned by the appender under a transaction-level advisory lock, so
-- sequence numbers commit in order and a reader of "partition p after seq s" can never step over a late commit.
CREATE TABLE rc_ledger (
    seq                  bigint      PRIMARY KEY,
    partition            smallint    NOT NULL,
    subject_id           text        NOT NULL,
    previous_subject_seq bigint      NOT NULL,
    kind                 smallint    NOT NULL,           -- 0 record, 1 status change
    record_id            text        NOT NULL,
    catalog_code         text        NOT NULL,
    catalog_version      integer     NOT NULL,
    occurred_at          timestamptz NOT NULL,
    received_at          timestamptz NOT NULL,
    source_department    text        NOT NULL,
    payload              jsonb       NOT NULL,
    supersedes           text,
    new_status           text,
    actor                text,
    reason               text,
    content_hash         text        NOT NULL,
    status               text        NOT NULL DEFAULT 'active'   -- current status of a record (kind 0)
);

-- A record id exists once: this index decides duplicates, whatever number of hosts append.
CREATE UNIQUE INDEX rc_ledger_record_id ON rc_ledger (record_id) WHERE kind = 0;
-- A partition is a stream queue, read in sequence order.
CREATE INDEX rc_ledger_partition_seq ON rc_ledger (partition, seq);
-- A subject's archive, read on activation and for the chain of previous sequence numbers.
CREATE INDEX rc_ledger_subject_seq ON rc_ledger (subject_id, seq);

-- Last sequence delivered to the subject grains, per stream provider and partition.
CREATE TABLE rc_stream_checkpoints (
    provider   text        NOT NULL,
    partition  integer     NOT NULL,
    seq        bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, partition)
);

-- The registry of subjects, the durable record of a registration: what ingest validates against without activating
-- the subject grain, the info a subject grain without a snapshot starts from, the members of a household, the
-- subjects of a village (rebuilt after a crash). info never holds a raw 身份证号 (only the masked one).
CREATE TABLE rc_subjects (
    subject_id    text        PRIMARY KEY,
    subject_type  text        NOT NULL,
    village_code  text        NOT NULL,
    household_id  text,
    info          jsonb       NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rc_subjects_type ON rc_subjects (subject_type);
CREATE INDEX rc_subjects_village ON rc_subjects (village_code);
CREATE INDEX rc_subjects_household ON rc_subjects (household_id) WHERE household_id IS NOT NULL;
