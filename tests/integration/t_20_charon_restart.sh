#!/usr/bin/env bash
# charon dies (SIGKILL) on operator-a's SEG and is started again: zsecd sees
# it go, reconnects, pushes the plan again, and every link comes back, on
# seg-a1 and on its peers, without anyone running a command.
. "$(dirname "$0")/lab_example.sh"

old=$(link_field seg-a1 za:operator-b:seg-b1 spi_in)
check "SIGKILL charon on seg-a1" lab stop seg-a1 charon -KILL
unreachable() { in_node seg-a1 "$zsecctl" status | grep -q "charon unreachable"; }
check "zsecd notices charon is gone" wait_for 10 unreachable
check "charon starts again" lab start seg-a1 charon
check "zsecd pushes the plan again and every link of every node is back" \
	wait_for 60 all_up $(lab_nodes)
new=$(link_field seg-a1 za:operator-b:seg-b1 spi_in)
check "the Za link is a new SA ($old -> $new)" test -n "$new" -a "$new" != "$old"
check "traffic flows again" in_node pcscf-1 ping -c 2 -W 2 10.2.1.10
check "zsecd logged the reconnection" grep -q "connected to charon's plugin" \
	/var/lib/zsec-lab/seg-a1/zsecd.log

check "SIGKILL zsecd on seg-a1" lab stop seg-a1 zsecd -KILL
check "the SAs keep carrying traffic without zsecd" in_node pcscf-1 ping -c 2 -W 2 10.2.1.10
check "zsecd starts again" lab start seg-a1 zsecd
check "and reports every link up" wait_for 30 all_up seg-a1
echo "1..$n"
exit $((failures > 0))
