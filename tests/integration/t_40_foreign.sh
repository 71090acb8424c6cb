#!/usr/bin/env bash
# A foreign partner: operator-b's SEG is plain strongSwan with a
# hand-written swanctl.conf, no zsec.  Interop works; then it tries what a
# careless or hostile partner might, and zsec refuses each, with the reason
# in `zsecctl status`:
#   ESP-NULL on Za; 3DES/SHA-1/MODP-1024; a certificate from another
#   partner's CA; another partner's identity; selectors outside its
#   prefixes (narrowed, or refused when nothing is left);
# and a plan that slips ESP-NULL past the validator is refused by the
# plugin's own enforcer.  When the foreign SEG refuses what seg-a1 offers,
# seg-a1's reason says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign.sh"

topo=$top/tests/integration/topologies
trap 'foreign_down; [ -n "${KEEP:-}" ] || finish' EXIT
foreign_pki
check "lab up of operator-a (its partner operator-b is foreign)" lab_up "$topo/foreign-a.yaml"
foreign_up        # not in check: it sets foreign_pid
check "the foreign SEG starts (charon with vici, no zsec)" \
	test -S "/proc/${foreign_pid:-0}/root/run/charon.vici"

link=za:operator-b:seg-b1
reason() { link_field seg-a1 $link reason; }
state() { link_field seg-a1 $link state; }
is_up() { [ "$(state)" = up ]; }
# refused_with TEXT: the link is not up and its reason holds TEXT, or did
# since the foreign SEG's last attempt (seg-a1 keeps starting the link too,
# and the refusal of its own attempt can take the reason's place before the
# check looks: in the kernel tier's slow guest it did); if not, says what
# the link is
zlog=${ZSEC_LAB_DIR:-/var/lib/zsec-lab}/seg-a1/zsecd.log
refused_since() {
	tail -n +"$((mark + 1))" "$zlog" | grep -F "event: refused " | grep -qF -- "$1"
}
refused_with() {
	local s r
	s=$(state) r=$(reason)
	[ "$s" != up ] && { printf '%s\n' "$r" | grep -qF -- "$1" || refused_since "$1"; } ||
		{ echo "state $s, reason: $r"; return 1; }
}
# foreign_attempt: the foreign SEG starts the link (what seg-a1 logs from
# here on is this attempt's)
foreign_attempt() {
	mark=$(wc -l <"$zlog")
	foreign_initiate
}
no_foreign_child() { ! grep -q 'CHILD_SA a{[0-9]*} established' "$fdir/initiate.log"; }

good_ike=aes256gcm16-prfsha384-ecp384
good_esp=aes256gcm16-ecp384

# 1. interop, both ends starting the link.  seg-a1 has been starting it
# since the lab came up; it retransmits its IKE_SA_INIT for minutes, so its
# attempt ends here, or it would land on a later case.
foreign_load seg-b1 $good_ike $good_esp 10.2.0.0/16
check "swanctl loads the foreign configuration" grep -q "loaded connection 'a'" "$fdir/load.log"
# its retransmissions are 4, 11, 24 and 48 s after the first
check "interop: seg-a1 starts the Za link with the foreign SEG" wait_for 60 is_up
foreign_load seg-b1 $good_ike $good_esp 10.2.0.0/16
foreign_attempt
check "interop: the foreign SEG starts it" wait_for 30 is_up
# seg-a1's IKE_SA_INIT response asks for a certificate from that partner's
# CA alone, not from our own or another partner's (the foreign SEG knows
# ours only: operator-b's is "unknown" to it, named by the SHA-1 of its
# subjectPublicKeyInfo)
b_keyid=$(openssl x509 -in "$fpki/operator-b-ca.pem" -noout -pubkey |
	openssl pkey -pubin -outform der | sha1sum | sed 's/ .*//; s/../&:/g; s/:$//')
only_b_asked() {
	local asked
	asked=$(grep -o 'received cert request for.*' "$fdir/charon.log" | sort -u)
	[ "$asked" = "received cert request for unknown ca with keyid $b_keyid" ] ||
		{ printf 'operator-b: %s\n%s\n' "$b_keyid" "$asked"; return 1; }
}
check "interop: seg-a1 asks the foreign SEG for a certificate of operator-b's CA only" \
	only_b_asked
# the lab does not wait for links: the element's own may still be on its way
check "interop: pcscf-1's Zb link is up" wait_for 30 all_up pcscf-1
check "interop: ping from pcscf-1 to the foreign side (10.2.1.10)" \
	in_node pcscf-1 ping -c 2 -W 2 10.2.1.10

# 2. ESP-NULL only on Za
foreign_load seg-b1 $good_ike null-sha256 10.2.0.0/16
foreign_attempt
check "ESP-NULL on Za is refused, and status says why" \
	wait_for 20 refused_with "no acceptable ESP proposal: peer offered ESP:NULL"

# 3. only 3DES / HMAC-SHA1 / MODP-1024
foreign_load seg-b1 3des-sha1-modp1024 3des-sha1-modp1024 10.2.0.0/16
foreign_attempt
check "3DES/HMAC-SHA1/MODP-1024 is refused, and status says why" \
	wait_for 20 refused_with "no acceptable IKE proposal: peer offered IKE:3DES_CBC/HMAC_SHA1_96"

# 4. operator-b's identity, but a certificate from operator-c's CA
foreign_load seg-b1-by-c $good_ike $good_esp 10.2.0.0/16
foreign_attempt
check "a certificate from another partner's CA is refused" \
	wait_for 20 refused_with "peer authentication failed"
diag "reason: $(reason)"

# 5. operator-c's identity and certificate, from operator-b's address
foreign_load seg-c1 $good_ike $good_esp 10.2.0.0/16
foreign_attempt
check "another partner's identity is refused" \
	wait_for 20 refused_with "peer authentication failed"
diag "reason: $(reason)"
check "and the foreign SEG has no CHILD_SA" no_foreign_child

# 6. selectors wider than its prefixes: narrowed to them
foreign_load seg-b1 $good_ike $good_esp "10.2.0.0/16,10.9.0.0/16" "10.0.0.0/8"
foreign_attempt
check "selectors partly outside the partner's prefixes come up narrowed" wait_for 30 is_up
check "to exactly the partner's prefixes and our exposed ones" \
	test "$(link_field seg-a1 $link ts)" = "10.1.1.0/24===10.2.0.0/16"

# 7. selectors entirely outside: refused
foreign_load seg-b1 $good_ike $good_esp 10.9.0.0/16
foreign_attempt
check "selectors outside the partner's prefixes are refused" \
	wait_for 20 refused_with "traffic selectors"

# 8. enforcement in depth: a plan with ESP-NULL on Za, pushed past zsecd
check "a tampered plan (Za ESP-NULL) reaches the plugin" \
	in_node seg-a1 "$B/tests/tamper_plan" "$topo/foreign-a.yaml" seg-a1 null-sha256
foreign_load seg-b1 $good_ike null-sha256 10.2.0.0/16
foreign_attempt
check "the plugin's enforcer refuses the ESP-NULL CHILD_SA on its own" \
	wait_for 20 refused_with "no confidentiality, which this link requires"
check "and the foreign SEG got no CHILD_SA" no_foreign_child

# 9. the other way round: seg-a1 starts the link (its charon restarted: the
# smaller identity starts at once) and the foreign SEG refuses what seg-a1
# offers; seg-a1 says so, and names its own proposals as its own
seg_a1_attempt() {
	mark=$(wc -l <"$zlog")
	lab stop seg-a1 charon && lab start seg-a1 charon
}
foreign_load seg-b1 $good_ike aes128gcm16-ecp256 10.2.0.0/16
seg_a1_attempt
check "the foreign SEG refuses seg-a1's ESP proposals: seg-a1 says it offered them" \
	wait_for 30 refused_since "reason=\"the peer accepts none of our ESP proposals: we offered ESP:AES_GCM_16_256/ECP_384"
foreign_load seg-b1 aes128gcm16-prfsha256-ecp256 $good_esp 10.2.0.0/16
seg_a1_attempt
check "the foreign SEG refuses seg-a1's IKE proposals: seg-a1 says it offered them" \
	wait_for 30 refused_since "reason=\"the peer accepts none of our IKE proposals: we offered IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384"
echo "1..$n"
exit $((failures > 0))
