#!/bin/sh
# Run once by the postgres image when the primary's volume is first made (docker-compose.yml
# mounts it in /docker-entrypoint-initdb.d): the replica (db-replica) may stream from here, with
# the same password as the portal. An existing primary needs this line added by hand, then
# `SELECT pg_reload_conf()`.
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
