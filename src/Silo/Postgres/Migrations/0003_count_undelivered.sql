-- Entries appended but not yet delivered (past their partition's checkpoint), counted up to a limit over all
-- partitions together. Ingest back-pressure asks this every few tens of milliseconds while batches wait, that is
-- while the backlog is above the limit: the scan stops once the limit is reached (at most p_limit index entries),
-- instead of counting up to the limit in every partition.
CREATE FUNCTION rc_count_undelivered(p_provider text, p_partitions integer, p_limit bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    total bigint := 0;
    n bigint;
BEGIN
    FOR p IN 0 .. p_partitions - 1 LOOP
        EXIT WHEN total >= p_limit;
        SELECT count(*) INTO n FROM (
            SELECT 1 FROM rc_ledger l
            WHERE l.partition = p
              AND l.seq > coalesce((SELECT c.seq FROM rc_stream_checkpoints c WHERE c.provider = p_provider AND c.partition = p), 0)
            LIMIT p_limit - total) AS x;
        total := total + n;
    END LOOP;
    RETURN total;
END
$$;
