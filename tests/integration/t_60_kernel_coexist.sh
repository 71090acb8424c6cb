#!/usr/bin/env bash
# Kernel data plane only (make test-kernel): charon's XFRM policies and
# zsec's guard live side by side in seg-a1's policy database, none replaced.
# charon's entries (out, in, fwd with ESP templates, priorities <= 600000,
# no mark) for every CHILD_SA; zsec's (the plan's guard entries, each with
# marks 0 and 0x100000 under mask 0x100000, priorities 700000 bypass and
# 710000 discard); selectors that both hold; traffic as kernel ESP proper
# (protocol 50); and when charon stops, removing its own entries, and
# starts again, zsec's stay the very same kernel entries (same indexes);
# charon's entries shadow none of zsec's, another process's pass in clear
# does, and zsecd says so.
if [ "${ZSEC_LAB_DATAPLANE:-}" != kernel ]; then
	echo "ok 1 - # SKIP the kernel data plane only (make test-kernel)"
	echo "1..1"
	exit 0
fi
. "$(dirname "$0")/lab_example.sh"

xfrm=$top/tests/integration/xfrm.py
"$zsecctl" plan "$ex/operator-a.yaml" --node seg-a1 > "$tmp/plan" 2> /dev/null
# dump N: seg-a1's policies (with the kernel's indexes) and status
dump() {
	in_node seg-a1 ip -s xfrm policy > "$tmp/pol$1"
	status_json seg-a1 > "$tmp/status$1.json"
}
dump 1
diag "seg-a1's XFRM policies, charon's and zsec's side by side:"
python3 "$xfrm" show "$tmp/pol1" | sed 's/^/#   /'
check "charon's entries for every CHILD_SA: out, in, fwd with ESP templates, priority <= 600000" \
	python3 "$xfrm" charon "$tmp/pol1" "$tmp/status1.json"
check "zsec's guard: every plan entry, marks 0 and 0x100000, priorities 700000/710000" \
	python3 "$xfrm" guard "$tmp/pol1" "$tmp/plan"
check "selectors held by charon and zsec alike, each keeping its own entry" \
	python3 "$xfrm" shared "$tmp/pol1"
python3 "$xfrm" index "$tmp/pol1" > "$tmp/index1"

# kernel ESP proper: the SAs are the kernel's, the wire holds protocol 50
esp_sas() { in_node seg-a1 ip xfrm state | grep -q 'proto esp' &&
	! in_node seg-a1 ip xfrm state | grep -q 'encap'; }
check "seg-a1's SAs are kernel ESP SAs, not UDP-encapsulated" esp_sas
count() { tcpdump -nr "$tmp/za.pcap" "$1" 2> /dev/null | wc -l; }
capture za seg-a1 out
check "ping pcscf-1 -> pcscf-b1 through Zb, Za, Zb" \
	in_node pcscf-1 ping -c 3 -i 0.2 -W 2 -p 5a5345432d50494e47 10.2.1.10
# tcpdump gets packets from the kernel in blocks, up to a second late
three_esp() { [ "$(count esp)" -ge 3 ]; }
wait_for 10 three_esp
stop_captures
diag "Za capture: $(python3 "$pcap" summary "$tmp/za.pcap")"
raw=$(count esp)
udp=$(count 'udp port 4500 and udp[8:4] != 0')
check "Za: ESP proper, protocol 50 ($raw packets), none in UDP ($udp)" \
	test "$raw" -ge 3 -a "$udp" -eq 0
check "Za: nothing but ESP and IKE, the inner packet hidden" \
	python3 "$pcap" esp-only "$tmp/za.pcap" ZSEC-PING

# charon's lifecycle: it removes its own entries, never zsec's
check "SIGTERM charon on seg-a1" lab stop seg-a1 charon
dump 2
check "charon's entries are gone with it" python3 "$xfrm" no-charon "$tmp/pol2"
check "zsec's are all there, the same kernel entries (same indexes)" \
	diff "$tmp/index1" <(python3 "$xfrm" index "$tmp/pol2")
check "charon starts again" lab start seg-a1 charon
check "every link of every node is back" wait_for 60 all_up $(lab_nodes)
dump 3
check "charon's entries are back for every CHILD_SA" \
	python3 "$xfrm" charon "$tmp/pol3" "$tmp/status3.json"
check "zsec's are still the same kernel entries (same indexes)" \
	diff "$tmp/index1" <(python3 "$xfrm" index "$tmp/pol3")
check "traffic flows again" in_node pcscf-1 ping -c 2 -W 2 10.2.1.10

# charon's entries carry ESP templates: none shadows the guard.  Another
# process's pass in clear over the same flows, beating charon's and zsec's
# alike, is reported at once, and its going too.
# shadowed N: zsecd's status says N of others' entries shadow the guard
shadowed() {
	status_json seg-a1 | python3 -c '
import json, sys
s = json.load(sys.stdin).get("guard_shadowed", {"entries": 0, "first": ""})
assert s["entries"] == int(sys.argv[1]), s
assert not s["entries"] or s["first"].startswith(
    "fwd 10.1.1.0/24 -> 10.2.0.0/16 any mark 0/0 allow prio 100 beats fwd "), s' "$1"
}
check "charon's entries (ESP templates) shadow nothing of zsec's" shadowed 0
in_node seg-a1 ip xfrm policy add src 10.1.1.0/24 dst 10.2.0.0/16 dir fwd priority 100 action allow
check "another's pass in clear over Za's flows: zsecctl status says the guard is shadowed" \
	wait_for 10 shadowed 1
in_node seg-a1 ip xfrm policy delete src 10.1.1.0/24 dst 10.2.0.0/16 dir fwd
check "  the pass gone: no longer" wait_for 10 shadowed 0
echo "1..$n"
exit $((failures > 0))
