#!/usr/bin/env bash
# The two-operator example: every Za and Zb link up; ping and UDP from
# operator-a's P-CSCF reach operator-b's (Zb -> Za -> Zb); the Za wire holds
# only ESP that hides the inner packet; the Zb wire holds integrity-only ESP
# that carries it in clear, with an ICV.
. "$(dirname "$0")/lib.sh"

ex=$top/topology/examples
lab_dir=${ZSEC_LAB_DIR:-/var/lib/zsec-lab}

# A failed up leaves nothing behind: a build whose zsecd cannot start on
# one node (scscf-1, the fifth), so the lab fails half-built.
bad=$tmp/bad-build
mkdir -p "$bad"
ln -s "$B/libstrongswan-zsec.so" "$B/zsecctl" "$bad/"
printf '#!/bin/sh\ncase " $* " in *" --node scscf-1 "*) exit 3 ;; esac\nexec %s/zsecd "$@"\n' "$B" \
	>"$bad/zsecd"
chmod +x "$bad/zsecd"
lab down >/dev/null 2>&1
ZSEC_BUILD=$bad lab up "$ex/operator-a.yaml" "$ex/operator-b.yaml" >"$tmp/bad-up.log" 2>&1
echo "exit status $?" >>"$tmp/bad-up.log"
check "lab up with a zsecd that fails on scscf-1 fails (exit status 3), saying so" \
	diff <(printf '%s\n' "lab: zsecd on scscf-1 did not start (see LOG)" \
		"lab: up failed; removing what it built" "exit status 3") \
	<(sed 's/ (see [^)]*)$/ (see LOG)/' "$tmp/bad-up.log")
# what a lab leaves: namespaces, its interfaces, processes, its state
leftovers() {
	local x
	x=$(ip netns list | awk '{ print $1 }' | grep -xE 'zsec-transit|zsec-d-.*|seg-.*|pcscf-.*|icscf-1|scscf-1|hss-1')
	x+=$(ip -o link show | awk -F': ' '{ print $2 }' | grep -E '^zl[0-9]+[ab][0-9]+')
	x+=$(pgrep -a -x 'zsecd|charon'; pgrep -a -f '^sleep infinity$')
	[ -e "$lab_dir" ] && x+=" $lab_dir"
	[ -z "$x" ] || { echo "left: $x"; return 1; }
}
check "  and leaves no namespace, interface, process or state behind" leftovers

# This one waits for the links, as it does outside the tests
export ZSEC_LAB_WAIT=60
check "lab up of the two-operator example" lab_up "$ex/operator-a.yaml" "$ex/operator-b.yaml"
unset ZSEC_LAB_WAIT
check "  it returns once every link is up, and says so" \
	grep -qE '^lab: every link is up \([0-9]+ s\)$' "$tmp/lab-up.log"
nodes=$(lab_nodes)
check "every Za and Zb link of every node is up" wait_for 60 all_up $nodes
check "lab status counts each node's links: seg-a1 3/3 up, pcscf-1 1/1 up" \
	test "$(lab status | awk '$1 == "seg-a1" || $1 == "pcscf-1" { print $5 }' | tr '\n' ' ')" = "3/3 1/1 "

capture za seg-a1 out
capture zb pcscf-1 in
check "ping pcscf-1 -> pcscf-b1 through Zb, Za, Zb" \
	in_node pcscf-1 ping -c 5 -i 0.2 -W 2 -p 5a5345432d50494e47 10.2.1.10
in_node pcscf-b1 sh -c 'exec nc -u -l -p 5060 -W 1 > /tmp/zsec-udp.out' > /dev/null 2>&1 &
listener=$!
wait_for 5 in_node pcscf-b1 sh -c 'ss -lun | grep -q ":5060 "'
in_node pcscf-1 sh -c 'echo ZSEC-UDP-PROBE | nc -u -w 1 10.2.1.10 5060'
wait "$listener"
check "UDP pcscf-1 -> pcscf-b1:5060 arrives" \
	in_node pcscf-b1 grep -q ZSEC-UDP-PROBE /tmp/zsec-udp.out
in_node pcscf-b1 rm -f /tmp/zsec-udp.out
stop_captures

check "Za capture: only ESP, the inner packet hidden" python3 "$pcap" esp-only "$tmp/za.pcap" ZSEC-PING
check "Za capture: the UDP probe hidden too" python3 "$pcap" esp-only "$tmp/za.pcap" ZSEC-UDP-PROBE
check "Zb capture: integrity-only ESP carries the inner packet in clear with an ICV" \
	python3 "$pcap" esp-clear "$tmp/zb.pcap" ZSEC-PING

bytes=$(link_field seg-a1 za:operator-b:seg-b1 packets_out)
check "zsecctl status counts the Za packets (packets_out=$bytes)" test "${bytes:-0}" -ge 5
spi=$(link_field seg-a1 za:operator-b:seg-b1 spi_in)
check "zsecctl status shows the Za SPIs (spi_in=$spi)" test -n "$spi" -a "$spi" != -
pid=$(cat /var/lib/zsec-lab/seg-a1/zsecd.pid)
check "zsecd keeps CAP_NET_ADMIN only" \
	grep -qx $'CapEff:\t0000000000001000' "/proc/$pid/status"
check "and cannot regain more" grep -qx $'CapBnd:\t0000000000001000' "/proc/$pid/status"
echo "1..$n"
exit $((failures > 0))
