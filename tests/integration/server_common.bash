# server_common.bash: starting and stopping recapsearch-server in a test
# (sourced after common.bash).  The server listens on a free loopback port
# chosen by the kernel; its stderr goes to $TMP/server.err.

command -v curl >/dev/null || { echo "SKIP: curl is not installed" >&2; exit 77; }

SERVER_PID=
URL=

# start_server DB [OPTIONS...]: starts the server and sets URL.
start_server() {
  local db=$1 port i; shift
  "$BIN/recapsearch-server" --db "$db" --listen 127.0.0.1:0 "$@" \
    2>"$TMP/server.err" &
  SERVER_PID=$!
  for i in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' \
      "$TMP/server.err")
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$port" ]; then
    echo "FAIL: server did not start: $(cat "$TMP/server.err")" >&2
    exit 1
  fi
  URL=http://127.0.0.1:$port
}

# stop_server: SIGTERM and wait; sets SERVER_RC.
stop_server() {
  SERVER_RC=0
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" || SERVER_RC=$?
  SERVER_PID=
}

# A test that stops before its end (set -u, a signal) must not pass: the
# script sets FINISHED=1 just before `finish`.
trap 'stop_server; rm -rf "$TMP"
      [ -n "${FINISHED:-}" ] || { echo "FAIL: the test stopped early" >&2; exit 1; }' EXIT

# get PATH?QUERY [CURL OPTIONS...]: sets BODY and STATUS.
get() {
  local out
  out=$(curl -s --max-time 10 -w '\n%{http_code}' "$URL$1" "${@:2}")
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
}

# expect_status WHAT CODE PATH [CURL OPTIONS...]
expect_status() {
  get "${@:3}"
  expect_eq "$1 (status; body: ${BODY:0:160})" "$2" "$STATUS"
}

# expect_error WHAT CODE ERRCODE PATH: a JSON error with that status and code.
expect_error() {
  get "$4"
  expect_eq "$1: status" "$2" "$STATUS"
  expect_eq "$1: error code" "$3" \
    "$(printf '%s' "$BODY" | jq -r '.error.code' 2>/dev/null)"
}
