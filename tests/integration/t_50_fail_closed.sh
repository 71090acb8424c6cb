#!/usr/bin/env bash
# Fail closed: with flows of protected traffic running, charon or zsecd is
# killed and started again, and not one packet of those flows crosses a
# wire in clear.  A control run without the guard shows the same capture
# would catch the leak.  An invalid file changes nothing in the kernel.
. "$(dirname "$0")/lab_example.sh"

xfrm_dump() { in_node "$1" ip xfrm policy list; }
zsec_entries() { xfrm_dump "$1" | grep -c 'mark 0x100000/0x100000\|mark 0/0x100000'; }
# flow NAME NODE ARGS...: a ping running in the background (20 a second;
# -O: a line for every probe, answered or not)
flow() {
	local name=$1 node=$2
	shift 2
	"$zsecctl" lab exec "$node" -- stdbuf -oL -eL ping -O -i 0.05 -W 1 "$@" > "$tmp/$name.flow" 2>&1 &
	eval "flow_$name=\$!"
}
stop_flow() { local p; eval "p=\$flow_$1"; kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; }
replies() { grep -c 'bytes from' "$tmp/$1.flow"; }
lines() { wc -l < "$tmp/$1.flow"; }
# ran_on NAME N: the flow went on for N more packets (sent, failed or
# answered) since `mark NAME`: the time a dead charon is given to leak
mark() { eval "mark_$1=$(lines "$1")"; }
ran_on() { local m; eval "m=\$mark_$1"; [ "$(lines "$1")" -ge $((m + $2)) ]; }
# traffic seg-a1 makes itself, from an address in what it exposes
src=10.1.1.253
in_node seg-a1 ip addr add $src/32 dev lo
check "seg-a1 has an address of its own in the exposed prefix ($src)" \
	in_node seg-a1 ip -4 -o addr show dev lo to $src/32

# 1. charon dies on the SEG
capture za seg-a1 out
flow fwd pcscf-1 10.2.1.10
flow own seg-a1 -I "$src" 10.2.1.10
wait_for 10 grep -q 'bytes from' "$tmp/fwd.flow"
check "SIGKILL charon on seg-a1 under traffic" lab stop seg-a1 charon -KILL
before=$(replies fwd)
mark own
check "the flows run on while charon is dead" wait_for 10 ran_on own 40
check "lab start charon on seg-a1" lab start seg-a1 charon
check "every link comes back" wait_for 60 all_up $(lab_nodes)
resumed() { [ "$(replies fwd)" -gt "$before" ]; }
check "the forwarded flow resumes" wait_for 20 resumed
stop_flow fwd
stop_flow own
stop_captures
check "not one packet of either flow on the Za wire in clear" \
	python3 "$pcap" clear-between "$tmp/za.pcap" 10.1.0.0/16 10.2.0.0/16

# 2. charon dies on an element
capture zb pcscf-1 in
flow elem pcscf-1 10.2.1.10
wait_for 10 grep -q 'bytes from' "$tmp/elem.flow"
check "SIGKILL charon on pcscf-1 under traffic" lab stop pcscf-1 charon -KILL
mark elem
check "the flow runs on while pcscf-1's charon is dead" wait_for 10 ran_on elem 40
check "lab start charon on pcscf-1" lab start pcscf-1 charon
check "its Zb link comes back" wait_for 60 all_up pcscf-1 seg-a1
stop_flow elem
stop_captures
check "not one packet of the flow on the Zb wire in clear" \
	python3 "$pcap" clear-between "$tmp/zb.pcap" 10.1.1.10/32 10.2.0.0/16

# 3. the control: the same on seg-a1, its guard torn down on purpose
check "zsecctl teardown removes seg-a1's guard" in_node seg-a1 "$zsecctl" teardown
check "no zsec entry left on seg-a1" test "$(zsec_entries seg-a1)" = 0
capture control seg-a1 out
flow own seg-a1 -I "$src" 10.2.1.10
wait_for 10 grep -q 'bytes from' "$tmp/own.flow"
# stopped, not killed: with kernel ESP a killed charon leaves its SAs in
# the kernel, a stopped one removes them
lab stop seg-a1 charon
mark own
check "control: the flow runs on while charon is stopped" wait_for 10 ran_on own 40
stop_flow own
stop_captures
check "control: without the guard the same capture does see clear text" \
	sh -c "! python3 '$pcap' clear-between '$tmp/control.pcap' 10.1.0.0/16 10.2.0.0/16"
lab start seg-a1 charon
check "zsecd puts the guard back with the next apply" \
	in_node seg-a1 "$zsecctl" apply "$ex/operator-a.yaml"
check "every link up again" wait_for 60 all_up $(lab_nodes)

# 4. zsecd dies: SAs keep working, the guard stays, a restart changes nothing
xfrm_dump seg-a1 > "$tmp/xfrm.before"
check "seg-a1 holds its guard entries ($(zsec_entries seg-a1))" test "$(zsec_entries seg-a1)" -gt 0
check "SIGKILL zsecd on seg-a1" lab stop seg-a1 zsecd -KILL
xfrm_dump seg-a1 > "$tmp/xfrm.dead"
check "the guard stays in place while zsecd is dead" cmp "$tmp/xfrm.before" "$tmp/xfrm.dead"
check "the SAs keep carrying traffic" in_node pcscf-1 ping -c 3 -i 0.2 -W 2 10.2.1.10
check "lab start zsecd on seg-a1" lab start seg-a1 zsecd
synced() { in_node seg-a1 "$zsecctl" status | head -n1 | grep -q "charon synced"; }
check "the restarted zsecd has applied its file and charon confirmed it" wait_for 30 synced
xfrm_dump seg-a1 > "$tmp/xfrm.after"
check "the restarted zsecd reconciles with no gap and no duplicate" \
	cmp "$tmp/xfrm.before" "$tmp/xfrm.after"

# 5. an invalid file changes nothing
sed 's/esp: \[null-sha256\]//; s/^partners:/profiles:\n  za: { esp: [null-sha256] }\npartners:/' \
	"$ex/operator-a.yaml" > "$ex/.invalid.yaml"
trap 'rm -f "$ex/.invalid.yaml"; finish' EXIT
# config: seg-a1's XFRM policy and nftables, less what the lab's packets
# change meanwhile (counters, and the elements they add to the dynamic
# sets: the border's counts and IKE buckets)
config() {
	in_node seg-a1 ip xfrm policy list
	in_node seg-a1 nft -s list ruleset | awk '/^\t(set|map) / { dyn = 0 }
		/^\t\tflags dynamic/ { dyn = 1 }
		dyn && /^\t\telements = \{/ { skip = 1 } skip { skip = !/}$/; next } { print }'
}
config > "$tmp/kernel.before"
in_node seg-a1 "$zsecctl" apply "$ex/.invalid.yaml" > "$tmp/invalid.out" 2>&1
check "zsecctl apply of an invalid file exits 1" test $? = 1
check "and says why" grep -q "Za requires confidentiality" "$tmp/invalid.out"
config > "$tmp/kernel.after"
check "the kernel's policy and nftables configuration are identical byte for byte ($(wc -l < "$tmp/kernel.after") lines)" \
	diff -u "$tmp/kernel.before" "$tmp/kernel.after"
echo "1..$n"
exit $((failures > 0))
