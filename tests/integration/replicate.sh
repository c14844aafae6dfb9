#!/usr/bin/env bash
# Read replicas with Xapian's replication (docs/scaling.md): the master
# index is written with XAPIAN_MAX_CHANGESETS set, its live generation is
# served by xapian-replicate-server on loopback, and xapian-replicate
# copies it into a replica directory with a stub of the same layout.  The
# replica must answer like the master after the first copy, after an
# incremental run (carried as a changeset, not a copy), and after a full
# rebuild (a new generation, copied, then the replica's stub switched).
. "$(dirname "$0")/common.bash"
command -v xapian-replicate-server >/dev/null &&
  command -v xapian-replicate >/dev/null && command -v jq >/dev/null || {
  echo "skip: needs xapian-replicate-server and xapian-replicate" \
       "(Debian xapian-tools) and jq"; exit 77; }

cp -r "$SRC/corpus" "$TMP/site"
chmod -R u+w "$TMP/site"
export XAPIAN_MAX_CHANGESETS=10
"$BIN/recapsearch-index" -q --db "$TMP/master" "$TMP/site"
gen=$(awk '{print $2}' "$TMP/master/XAPIANDB")

PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
# A free loopback port: try several.  xapian-replicate-server prints
# nothing when it listens, so wait until a connection is accepted.
base=$((20000 + $$ % 20000))
for try in $(seq 0 19); do
  port=$((base + try * 100 + 7))
  # A session of its own, as in shards.sh.
  setsid xapian-replicate-server -p "$port" "$TMP/master" \
    > "$TMP/srv.log" 2>&1 < /dev/null &
  PID=$!
  up=0
  for _ in $(seq 100); do
    kill -0 "$PID" 2>/dev/null || break
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
    sleep 0.1
  done
  # Another program may hold the port while ours fails to bind and exits.
  sleep 0.2
  kill -0 "$PID" 2>/dev/null || up=0
  [ "$up" == 1 ] && break
  kill "$PID" 2>/dev/null
  PID=
done
expect_eq "replication server listening" 1 "${up:-0}"

# replicate GEN: one-shot update of the replica's copy of generation GEN;
# prints xapian-replicate's summary line.
replicate() {
  xapian-replicate -v -o -h 127.0.0.1 -p "$port" -m "$1" \
    "$TMP/replica/$1" 2>&1 | grep -E "Update complete|error|Error" || true
}

mkdir "$TMP/replica"
out=$(replicate "$gen")
expect_match "first replication is a copy" "1 copies|new live database" "$out"
echo "auto $gen" > "$TMP/replica/XAPIANDB"

# results DB: "score path" of the top 10 of a few queries, and their totals.
results() {
  local q
  for q in "control plane" "mtls modes" "retries timeouts" "proxy memory" \
           quokkaventure; do
    "$BIN/recapsearch" --db "$1" --json -n 10 "$q" |
      jq -r '"\(.total) " + ([.hits[] | "\(.score * 1e6 | round) \(.path)"]
              | join(","))' || echo "no hits"
  done
}
expect_match "master finds pages" "index.md" "$(results "$TMP/master")"
expect_eq "replica answers like the master" "$(results "$TMP/master")" \
  "$(results "$TMP/replica")"

# An incremental run: the change travels as a changeset.
f=$(cd "$TMP/site" && find content/en -name '*.md' | sort | head -1)
printf '\nThe quokkaventure starts here.\n' >> "$TMP/site/$f"
"$BIN/recapsearch-index" -q --db "$TMP/master" "$TMP/site"
expect_eq "still the same generation" "auto $gen" "$(cat "$TMP/master/XAPIANDB")"
out=$(replicate "$gen")
expect_match "incremental replication is a changeset" "0 copies, [1-9]" "$out"
expect_match "replica has the new word" '"total": ?1' \
  "$("$BIN/recapsearch" --db "$TMP/replica" --json quokkaventure)"
expect_eq "replica answers like the master after an update" \
  "$(results "$TMP/master")" "$(results "$TMP/replica")"

# A full rebuild writes a new generation: copy it, then switch the stub.
printf '\nA second quokkaventure.\n' >> "$TMP/site/$f"
"$BIN/recapsearch-index" -q --full --db "$TMP/master" "$TMP/site"
gen2=$(awk '{print $2}' "$TMP/master/XAPIANDB")
expect_eq "a new generation" 1 "$([ "$gen2" != "$gen" ] && echo 1 || echo 0)"
replicate "$gen2" >/dev/null
echo "auto $gen2" > "$TMP/replica/XAPIANDB.tmp"
mv "$TMP/replica/XAPIANDB.tmp" "$TMP/replica/XAPIANDB"
expect_eq "replica answers like the master after a rebuild" \
  "$(results "$TMP/master")" "$(results "$TMP/replica")"
finish
