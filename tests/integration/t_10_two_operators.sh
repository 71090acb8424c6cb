#!/usr/bin/env bash
# The two-operator example: every Za and Zb link up; ping and UDP from
# operator-a's P-CSCF reach operator-b's (Zb -> Za -> Zb); the Za wire holds
# only ESP that hides the inner packet; the Zb wire holds integrity-only ESP
# that carries it in clear, with an ICV.
. "$(dirname "$0")/lib.sh"

ex=$top/topology/examples
check "lab up of the two-operator example" lab_up "$ex/operator-a.yaml" "$ex/operator-b.yaml"
nodes=$(lab_nodes)
check "every Za and Zb link of every node is up" wait_for 60 all_up $nodes

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
