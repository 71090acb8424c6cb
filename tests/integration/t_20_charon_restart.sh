#!/usr/bin/env bash
# charon dies (SIGKILL) on operator-a's SEG and is started again: zsecd sees
# it go, reconnects, pushes the plan again, and every link comes back, on
# seg-a1 and on its peers, without anyone running a command.  One that comes
# back and refuses the running plan is shown by zsecctl status.
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

# A charon that comes back and cannot load a credential of the running plan
# (gone since the apply) refuses the plan: status says so, not only the log.
# (Applied from a copy elsewhere, with the same files: credentials are
# compared by contents, so every link and SA stays.)
cp -r "$ex" "$tmp/ex"
old=$(link_field seg-a1 za:operator-b:seg-b1 spi_in)
check "seg-a1 applies a copy of its topology, with its pki/, from elsewhere" \
	in_node seg-a1 "$zsecctl" apply "$tmp/ex/operator-a.yaml"
check "... the same credentials at other paths: the Za SA stays ($old)" \
	test "$(link_field seg-a1 za:operator-b:seg-b1 spi_in)" = "$old"
mv "$tmp/ex/pki/seg-a1.key" "$tmp/seg-a1.key"
check "seg-a1's key goes, and charon stops" lab stop seg-a1 charon
check "... and starts again" lab start seg-a1 charon
refused() {
	in_node seg-a1 "$zsecctl" status | head -n 1 |
		grep -F "charon connected, refused the plan: " | grep -qF "$tmp/ex/pki/seg-a1.key"
}
check "charon refuses the running plan, and status says why" wait_for 20 refused
json=$(in_node seg-a1 "$zsecctl" status --json)
check "... so does its JSON" grep -qF "\"charon_refused\": \"" <<<"$json"
mv "$tmp/seg-a1.key" "$tmp/ex/pki/seg-a1.key"
check "the key back, the plan applied again" in_node seg-a1 "$zsecctl" apply "$tmp/ex/operator-a.yaml"
synced() { in_node seg-a1 "$zsecctl" status | head -n 1 | grep -qx "node seg-a1: .*; charon synced"; }
check "... charon holds it, and the refusal is gone from status" synced
check "... and every link of seg-a1 is up" wait_for 60 all_up seg-a1
# An apply charon refuses (a key it cannot load) leaves it the plan it held:
# still synced
cp "$tmp/ex/pki/seg-a1.key" "$tmp/seg-a1.key"
echo "not a key" >"$tmp/ex/pki/seg-a1.key"
in_node seg-a1 "$zsecctl" apply "$tmp/ex/operator-a.yaml" >"$tmp/refused.out" 2>&1
rc=$?
check "an apply with a key charon cannot load is refused (exit $rc)" \
	sh -c "test $rc = 3 && grep -qx 'nothing applied' '$tmp/refused.out'"
check "... and charon still holds the running plan: synced" synced
cp "$tmp/seg-a1.key" "$tmp/ex/pki/seg-a1.key"
echo "1..$n"
exit $((failures > 0))
