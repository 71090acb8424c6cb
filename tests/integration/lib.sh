# lib.sh: what the lab tests share.  Sourced by tests/integration/t_*.sh;
# each test prints TAP lines ("ok N - ...", "not ok N - ...").
#
# Everything waits on a condition with a deadline, never on a fixed sleep.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${O:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
zsecctl=$B/zsecctl
pcap=$top/tests/integration/pcap.py
tmp=$(mktemp -d /tmp/zsec-test.XXXXXX)
n=0
failures=0
captures=()

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $*"; }
# check NAME CMD...: ok if CMD succeeds; its output is shown when it fails
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -n 40
	fi
}
diag() { echo "# $*"; }

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds; when
# it never does, what its last try printed, as a TAP comment
wait_for() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )) out
	shift
	while ! out=$("$@" 2>&1); do
		if [ $(( $(date +%s%N) / 1000000 )) -ge $deadline ]; then
			[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
			return 1
		fi
		sleep 0.2
	done
}

lab() { "$zsecctl" lab "$@"; }
in_node() { local node=$1; shift; "$zsecctl" lab exec "$node" -- "$@"; }
status_json() { in_node "$1" "$zsecctl" status --json; }

# link_field NODE LINK FIELD: a field of one link in the node's status
link_field() {
	status_json "$1" | python3 -c '
import json, sys
s = json.load(sys.stdin)
for l in s["links"]:
    if l["name"] == sys.argv[1]:
        v = l.get(sys.argv[2])
        print("" if v is None else v)
' "$2" "$3"
}

# all_up NODE...: every link of every node is up
all_up() {
	local node
	for node in "$@"; do
		status_json "$node" | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s["links"] and all(l["state"] == "up" for l in s["links"]) else 1)' || return 1
	done
}

# lab nodes, from the lab's own list
lab_nodes() { cat "${ZSEC_LAB_DIR:-/var/lib/zsec-lab}/nodes"; }

# lab_up FILE...: a new lab; it does not wait for the links (the tests
# wait for what they need) unless ZSEC_LAB_WAIT says
lab_up() {
	lab down > /dev/null 2>&1
	ZSEC_LAB_WAIT=${ZSEC_LAB_WAIT:-0} lab up "$@" > "$tmp/lab-up.log" 2>&1 || {
		cat "$tmp/lab-up.log" | sed 's/^/#   /'
		return 1
	}
}

# capture NAME NODE IFACE [FILTER]: start tcpdump in a node; stop_captures ends them
capture() {
	local name=$1 node=$2 iface=$3 filter=${4:-} dir=
	# kernel ESP hands every decrypted packet back to the interface it came
	# in on, where a capture would show it in clear though it never crossed
	# the wire: on that data plane, capture what the node sends
	[ "${ZSEC_LAB_DATAPLANE:-}" = kernel ] && dir="-Q out"
	# a simple command, so $! is tcpdump itself (every step execs the next)
	"$zsecctl" lab exec "$node" -- tcpdump -n -U $dir -i "$iface" -w "$tmp/$name.pcap" $filter \
		> /dev/null 2> "$tmp/$name.tcpdump" &
	captures+=($!)
	wait_for 10 grep -q "listening on" "$tmp/$name.tcpdump"
}

# capture_received NAME NODE: what an element receives through its SAs,
# decrypted: on the TUN device with kernel-libipsec, the arrivals on `in`
# with kernel ESP (which hands each decrypted packet back to it)
capture_received() {
	if [ "${ZSEC_LAB_DATAPLANE:-}" = kernel ]; then
		"$zsecctl" lab exec "$2" -- tcpdump -n -U -Q in -i in -w "$tmp/$1.pcap" \
			> /dev/null 2> "$tmp/$1.tcpdump" &
		captures+=($!)
		wait_for 10 grep -q "listening on" "$tmp/$1.tcpdump"
	else
		capture "$1" "$2" ipsec0
	fi
}

stop_captures() {
	local pid
	for pid in "${captures[@]}"; do
		kill -INT "$pid" 2>/dev/null
	done
	for pid in "${captures[@]}"; do
		wait "$pid" 2>/dev/null
	done
	captures=()
}

finish() {
	stop_captures
	[ -n "${keep_lab:-}" ] || lab down > /dev/null 2>&1
	rm -rf "$tmp"
}
trap finish EXIT
