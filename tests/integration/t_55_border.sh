#!/usr/bin/env bash
# The Border Element, in the lab: operator-a exposes its P-CSCF and I-CSCF
# to operator-b renumbered into 172.16.1.0/24, hides everything else, and
# limits what operator-b may send.  Each check reads captures and counters.
. "$(dirname "$0")/lib.sh"

topo=$top/tests/integration/topologies
probe=$top/tests/integration/probe.py
check "lab up of the Border Element example" lab_up "$topo/border-a.yaml" "$topo/border-b.yaml"
check "every link up" wait_for 60 all_up $(lab_nodes)

# counter PARTNER KEY: packets the border of seg-a1 counted
counter() {
	status_json seg-a1 | python3 -c '
import json, sys
for b in json.load(sys.stdin)["border"]:
    if b["partner"] == sys.argv[1]:
        print(b["accepted"]["packets"] if sys.argv[2] == "accepted" else b["dropped"][sys.argv[2]])' "$1" "$2"
}
grew() { [ "$(counter "$1" "$2")" -gt "$3" ]; }

# 1. a scan of everything operator-b could address, and of our inside.
# Exposed: the P-CSCF and I-CSCF, and on the userspace data plane seg-a1's
# own source address in the presented prefix (kernel-libipsec needs one,
# docs/operations.md; the kernel data plane has none)
capture_received partner pcscf-b1
capture za seg-a1 out
exposed="172.16.1.10 172.16.1.20 $(in_node seg-a1 ip -4 -o addr show dev lo label lo:zsec |
	awk '{print $4}' | cut -d/ -f1 | grep '^172\.16\.1\.' | tr '\n' ' ')"
seen=$(in_node pcscf-b1 python3 "$probe" sweep 172.16.1.0/24 10.1.0.0/22 --wait 3 | tr '\n' ' ')
check "a scan from operator-b reaches only the exposed hosts (answered: $seen)" \
	test "$seen" = "$exposed"

# 2. traceroute and ICMP probes reveal no internal address
in_node pcscf-b1 traceroute -I -n -q 1 -w 1 -m 8 172.16.1.10 > "$tmp/trace.txt" 2>&1
sed "s/^/# /" "$tmp/trace.txt"
check "traceroute reaches the presented P-CSCF (a hop, not its own header line)" \
	grep -Eq '^ *[0-9]+  172\.16\.1\.10 ' "$tmp/trace.txt"
check "and shows no hop of operator-a's inside" sh -c "! grep -q ' 10\.1\.' '$tmp/trace.txt'"
hidden=$(counter operator-b icmp_hidden)
in_node pcscf-b1 ping -c 3 -i 0.3 -W 1 172.16.1.99 > /dev/null 2>&1
check "an ICMP error from inside (host unreachable) is hidden and counted" \
	wait_for 10 grew operator-b icmp_hidden "$hidden"
stop_captures
# partner_saw FILE: operator-a's addresses as sources of what pcscf-b1 received
partner_saw() { python3 "$pcap" addresses "$tmp/$1.pcap" src | grep -v '^10\.2\.' | sort -u | tr '\n' ' '; }
check "what answered the scan is presented addresses only, nothing internal ($(partner_saw partner))" \
	test "$(partner_saw partner)" = "$exposed"
# the Za wire, at seg-a1: ESP between the gateways; whatever else crossed
# it (the scan's probes of our inside, in clear from seg-b1) has no source
# of ours inside, and nothing of the presented prefix went in clear
za_clean() {
	local inside
	inside=$(python3 "$pcap" addresses "$tmp/za.pcap" src | grep '^10\.1\.' | tr '\n' ' ')
	[ "$(python3 "$pcap" count "$tmp/za.pcap" esp)" -gt 0 ] && [ -z "$inside" ] ||
		{ echo "inside sources: ${inside:-none}"; return 1; }
}
check "the Za wire carried the answers in ESP and no source of operator-a's inside ($(python3 "$pcap" summary "$tmp/za.pcap"))" \
	za_clean
check "... and nothing of the presented prefix in clear" \
	python3 "$pcap" clear-inner "$tmp/za.pcap" 172.16.1.0/24

# 3. a spoofed source from the partner's side, in clear on the Za wire
ip -n zsec-transit addr add 203.0.113.250/32 dev br0
ip -n zsec-transit route add 192.0.2.1/32 dev br0
ip -n zsec-transit route add 172.16.1.0/24 via 192.0.2.1 dev br0 onlink
spoofed=$(counter operator-b spoofed)
ip netns exec zsec-transit python3 "$probe" spoof 10.2.1.10 172.16.1.10 20
check "a packet with a spoofed inner source from the partner is dropped and counted" \
	wait_for 10 grew operator-b spoofed $((spoofed + 19))
in_node seg-a1 "$zsecctl" status > "$tmp/status.txt"
check "zsecctl status says so in words" \
	grep -Eq '^  operator-b +accepted [0-9]+; dropped: (.*, )?spoofed source [0-9]+' "$tmp/status.txt"

# 3b. through operator-b's SA, a source that is neither operator-b's nor one
# of our elements': seg-b1 made to send it as a compromised partner SEG
# would (its own table told to let it out, a policy of ours for the SA).
# Kernel ESP only: kernel-libipsec takes no policy but charon's.
if [ "${ZSEC_LAB_DATAPLANE:-}" = kernel ]; then
	sa=$(in_node seg-b1 ip xfrm state list dst 192.0.2.1 proto esp)
	reqid=$(sed -n 's/.* reqid \([0-9]*\) .*/\1/p' <<<"$sa" | head -n 1)
	outer=$(sed -n 's/^src \([^ ]*\) dst .*/\1/p' <<<"$sa" | head -n 1)
	in_node seg-b1 ip addr add 10.9.9.9/32 dev lo
	in_node seg-b1 nft insert rule inet zsec post ip saddr 10.9.9.9 accept
	in_node seg-b1 ip xfrm policy add src 10.9.9.9/32 dst 172.16.1.10/32 dir out priority 1 \
		tmpl src "$outer" dst 192.0.2.1 proto esp mode tunnel reqid "$reqid"
	border=$(counter "" spoofed)
	in_node seg-b1 python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.9.9.9", 0))
for _ in range(5):
    s.sendto(b"not operator-b", ("172.16.1.10", 9))'
	check "through operator-b's SA, a source of no partner and no element is dropped and counted as the border's spoofed (reqid $reqid)" \
		wait_for 10 grew "" spoofed $((border + 4))
	in_node seg-b1 ip xfrm policy delete src 10.9.9.9/32 dst 172.16.1.10/32 dir out
	in_node seg-b1 ip addr del 10.9.9.9/32 dev lo
fi

# 4. renumbering: what the partner sees is presented addresses only
capture_received ren pcscf-b1
check "pcscf-1 reaches pcscf-b1" in_node pcscf-1 ping -c 3 -i 0.2 -W 2 10.2.1.10
check "pcscf-b1 reaches pcscf-1 at its presented address" \
	in_node pcscf-b1 ping -c 3 -i 0.2 -W 2 172.16.1.10
stop_captures
check "the partner's capture holds only presented addresses of operator-a ($(partner_saw ren))" \
	test "$(partner_saw ren)" = "172.16.1.10 "
check "operator-b's IKE traffic selectors name only the presented prefix" \
	test "$(link_field seg-b1 za:operator-a:seg-a1 ts)" = "10.2.1.0/24===172.16.1.0/24"
check "and so do seg-a1's" \
	test "$(link_field seg-a1 za:operator-b:seg-b1 ts)" = "172.16.1.0/24===10.2.1.0/24"

# 5. an IKE_SA_INIT flood from many spoofed sources, while links come up
# and rekey: it runs (at most 150 s) until the Za link has rekeyed
unknown=$(counter "" ike_unknown)
ip netns exec zsec-transit python3 "$probe" ike-flood 12000 150 192.0.2.1 > "$tmp/flood.txt" &
flood=$!
check "during the flood, charon on seg-b1 restarts" lab stop seg-b1 charon -KILL
lab start seg-b1 charon
check "and the legitimate links come back up" wait_for 60 all_up seg-a1 seg-b1
spi=$(link_field seg-a1 za:operator-b:seg-b1 spi_in)
# a rekey, not a new IKE_SA: the link's last event says which
rekeyed() { [ "$(link_field seg-a1 za:operator-b:seg-b1 state)" = up ] &&
	[ "$(link_field seg-a1 za:operator-b:seg-b1 spi_in)" != "$spi" ] &&
	grep -q '^child-rekey ' <<<"$(link_field seg-a1 za:operator-b:seg-b1 last_event)"; }
check "the Za link rekeys under the flood (1 minute lifetime; SPI in was $spi)" wait_for 75 rekeyed
check "... while the flood still runs" kill -0 "$flood"
kill -TERM "$flood"
wait "$flood"
diag "flood: $(cat "$tmp/flood.txt")"
read -r sent took < <(awk '{ print $1, $4 }' "$tmp/flood.txt")
dropped=$(( $(counter "" ike_unknown) - unknown ))
check "the flood's packets are dropped and counted as IKE from unknown sources ($dropped of ${sent:-none})" \
	test "${sent:-0}" -gt 0 -a "$((dropped * 100))" -ge "$((${sent:-0} * 95))"
# what seg-a1 counted over the time the flood took: the rate at the gateway
rate=$(awk -v d="$dropped" -v t="$took" 'BEGIN { printf "%d", (t > 0 ? d / t : 0) }')
if [ "${ZSEC_LAB_DATAPLANE:-}" = kernel ] && [ "$rate" -lt 10000 ]; then
	# the kernel tier's guest is emulated: how fast one CPU of it sends
	# follows the host's CPU (7,500/s seen); the host tier holds the rate
	ok "the flood reached seg-a1 at 10,000 packets a second or more # SKIP $rate/s: the emulated guest's CPU is the limit (make test checks the rate)"
else
	check "the flood reached seg-a1 at 10,000 packets a second or more ($rate/s over ${took}s)" \
		test "$rate" -ge 10000
fi

# 6. a SIP flood above the partner's limit (100/s burst 10) is delivered at the limit
in_node pcscf-1 python3 "$probe" udp-count 5060 1.5 > "$tmp/sip.count" &
counting=$!
wait_for 10 grep -q ready "$tmp/sip.count"
over=$(counter operator-b sip_over_limit)
took=$(in_node pcscf-b1 python3 "$probe" udp-send 172.16.1.10 5060 2000 1000)
wait "$counting"
got=$(tail -n1 "$tmp/sip.count")
want=$(python3 -c "print(int(100 * $took + 10))")
check "a SIP flood of 2000 in ${took}s is delivered at the limit: $got of $want (within 10 %)" \
	python3 -c "import sys; sys.exit(0 if abs($got - $want) <= 0.1 * $want else 1)"
check "and what exceeded it is counted" \
	wait_for 5 grew operator-b sip_over_limit $((over + 2000 - got - 20))

# 6b. bad input: refused with FILE:LINE:COL, and nothing applied (the
# table's generation, zsecd's running file, every XFRM entry's selectors)
bad=$(cd "$topo" && pwd -P)/.border-a.bad.yaml  # as zsecctl names it: its real path
trap 'rm -f "$bad"; finish' EXIT
applied() {
	in_node seg-a1 nft list set inet zsec generation | grep -o 'generation [0-9]*'
	status_json seg-a1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["file"])'
	in_node seg-a1 ip xfrm policy list | grep '^src ' | sort | md5sum
}
# refused FILE:LINE:COL MESSAGE: zsecctl apply of $bad fails (1) saying so,
# and what is applied is as before
refused() {
	local before out rc
	before=$(applied)
	out=$(in_node seg-a1 "$zsecctl" apply "$bad" 2>&1)
	rc=$?
	[ "$rc" = 1 ] && grep -qF -- "$bad:$1: error: $2" <<<"$out" && [ "$(applied)" = "$before" ] ||
		{ echo "exit $rc: $out"; return 1; }
}
sed 's|sip: 100/s burst 10 }|sip: 100/sec }|' "$topo/border-a.yaml" > "$bad"
check "a limit written wrongly: zsecctl apply refuses it at FILE:LINE:COL, nothing applied" \
	refused 28:47 "limit 'sip' must be a rate such as 500/s or 500/s burst 50, not '100/sec'"
sed 's|    expose: \[10.1.1.0/24\]|    expose: [10.9.1.0/24]|' "$topo/border-a.yaml" > "$bad"
check "an exposure outside the domain: refused at FILE:LINE:COL, nothing applied" \
	refused 26:14 "expose 10.9.1.0/24 is not within the domain's prefixes"

# 7. fail closed without the table: zsecd stopped and table inet zsec gone
# (as nftables.service's `nft flush ruleset` does it): with no source NAT,
# what pcscf-1 sends to operator-b keeps its inside address, and the guard's
# entry for it drops it (docs/security.md, renumbered flows)
blocks() { in_node seg-a1 awk '$1 == "XfrmOutPolBlock" { print $2 }' /proc/net/xfrm_stat; }
lab stop seg-a1 zsecd
in_node seg-a1 nft delete table inet zsec
blocked0=$(blocks)
capture clear seg-a1 out icmp
in_node pcscf-1 ping -c 3 -i 0.3 -W 1 10.2.1.10 > /dev/null 2>&1
stop_captures
check "no table, zsecd stopped: none of pcscf-1's packets to operator-b leaves seg-a1 in clear" \
	test "$(tcpdump -r "$tmp/clear.pcap" -nn icmp 2>/dev/null | wc -l)" = 0
if [ "${ZSEC_LAB_DATAPLANE:-}" = kernel ]; then
	check "  the guard's entry for the inside source dropped them ($blocked0 -> $(blocks))" \
		test "$(blocks)" -gt "$blocked0"
fi
lab start seg-a1 zsecd
check "zsecd back: its table is back" wait_for 20 in_node seg-a1 nft list set inet zsec generation
check "  and pcscf-1 reaches pcscf-b1 again" wait_for 20 in_node pcscf-1 ping -c 1 -W 1 10.2.1.10
echo "1..$n"
exit $((failures > 0))
