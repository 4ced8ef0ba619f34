DROP TRIGGER IF EXISTS close_snapshot_no_truncate ON periods_close_snapshot;
DROP TRIGGER IF EXISTS close_snapshot_append_only ON periods_close_snapshot;
