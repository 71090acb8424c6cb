# foreign.sh: a partner SEG that is plain strongSwan with a hand-written
# swanctl.conf, no zsec: namespace `foreign-b` on the lab's transit network
# at operator-b's address, owning 10.2.1.10 (its "inside").
#
#   foreign_pki             operator-b's and operator-c's CAs and certificates
#   foreign_up              namespace, charon with vici
#   foreign_load CONF       swanctl --load-all with a swanctl.conf body
#   foreign_swanctl ARGS    swanctl in the foreign SEG
#   foreign_down

fdir=$tmp/foreign
fpki=$top/tests/integration/topologies/pki

spki() { STRONGSWAN_CONF=$fdir/pki.conf pki "$@"; }

foreign_pki() {
	mkdir -p "$fdir" "$fpki"
	printf 'pki {\n\tload = random nonce pem pkcs1 pkcs8 openssl x509\n}\n' > "$fdir/pki.conf"
	local ca
	for ca in operator-b operator-c; do
		[ -f "$fpki/$ca-ca.pem" ] && continue
		spki --gen --type ecdsa --size 384 --outform pem > "$fpki/$ca-ca.key"
		spki --self --ca --lifetime 3650 --in "$fpki/$ca-ca.key" --type ecdsa \
			--dn "C=XX, O=$ca, CN=$ca SEG CA" --outform pem > "$fpki/$ca-ca.pem"
	done
	# issue NAME CA ID: a certificate for ID signed by CA
	issue() {
		[ -f "$fpki/$1.pem" ] && return 0
		spki --gen --type ecdsa --size 256 --outform pem > "$fpki/$1.key"
		spki --issue --cacert "$fpki/$2-ca.pem" --cakey "$fpki/$2-ca.key" --type priv \
			--in "$fpki/$1.key" --dn "C=XX, O=$2, CN=$3" --san "$3" --outform pem > "$fpki/$1.pem"
	}
	issue seg-b1 operator-b seg-b1.operator-b.example
	# the same identity, but from another partner's CA
	issue seg-b1-by-c operator-c seg-b1.operator-b.example
	# another partner's identity, with that partner's certificate
	issue seg-c1 operator-c seg-c1.operator-c.example
}

foreign_up() {
	local h
	mkdir -p "$fdir/swanctl/x509" "$fdir/swanctl/x509ca" "$fdir/swanctl/private"
	ip netns add foreign-b
	ip -n foreign-b link set lo up
	ip link add zlfb0 type veth peer name zlfb1
	ip link set zlfb0 netns foreign-b name out
	ip link set zlfb1 netns zsec-transit name pfb
	# the wire stays cut until the first foreign_load: seg-a1 has been
	# starting the link since the lab came up, and a retransmission that
	# found a charon without configuration would end its attempt
	ip -n zsec-transit link set pfb master br0
	ip -n foreign-b link set out up
	ip -n foreign-b addr add 198.51.100.2/32 dev out
	ip -n foreign-b route add 192.0.2.1/32 dev out
	ip -n foreign-b addr add 10.2.1.10/32 dev lo
	ip netns exec foreign-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	# the lab's data plane: libipsec's ESP is always in UDP, the kernel's not
	local kernel="kernel-libipsec kernel-netlink"
	[ "${ZSEC_LAB_DATAPLANE:-}" = kernel ] && kernel=kernel-netlink
	cat > "$fdir/strongswan.conf" <<-EOC
	charon {
		load = random nonce x509 pem pkcs1 pkcs8 openssl kdf hmac sha1 sha2 md5 des aes gcm revocation constraints pubkey curve25519 $kernel socket-default vici
		plugins {
			socket-default { fwmark = 0x5a }
			kernel-netlink { fwmark = !0x5a }
			kernel-libipsec { allow_peer_ts = yes }
		}
		filelog {
			f {
				path = $fdir/charon.log
				default = 1
				ike = 2
				cfg = 2
				flush_line = yes
			}
		}
	}
	swanctl { load = pem pkcs1 pkcs8 x509 openssl }
	EOC
	ip netns exec foreign-b unshare --mount --propagation private -- sh -c \
		"mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$fdir/strongswan.conf exec /usr/lib/ipsec/charon" \
		> "$fdir/charon.out" 2>&1 &
	foreign_pid=$!
	disown "$foreign_pid"     # foreign_down's SIGKILL is no news
	wait_for 10 test -S "/proc/$foreign_pid/root/run/charon.vici"
}

foreign_swanctl() {
	nsenter -t "$foreign_pid" -m -n -- env STRONGSWAN_CONF="$fdir/strongswan.conf" \
		swanctl "$@"
}

# foreign_load ID-CERT IKE-PROPOSAL ESP-PROPOSAL LOCAL-TS [REMOTE-TS]
foreign_load() {
	local cert=$1 ike=$2 esp=$3 lts=$4 rts=${5:-10.1.0.0/16} id
	id=$(openssl x509 -in "$fpki/$cert.pem" -noout -ext subjectAltName | awk -F: '/DNS/ {print $2}')
	rm -f "$fdir"/swanctl/x509/* "$fdir"/swanctl/x509ca/* "$fdir"/swanctl/private/*
	cp "$fpki/$cert.pem" "$fdir/swanctl/x509/"
	cp "$fpki/$cert.key" "$fdir/swanctl/private/"
	cp "$fpki/operator-a-ca.pem" "$fdir/swanctl/x509ca/"
	cat > "$fdir/swanctl/swanctl.conf" <<-EOC
	connections {
		a {
			local_addrs = 198.51.100.2
			remote_addrs = 192.0.2.1
			proposals = $ike
			local {
				auth = pubkey
				certs = $cert.pem
				id = $id
			}
			remote {
				auth = pubkey
				id = seg-a1.operator-a.example
			}
			children {
				a {
					local_ts = $lts
					remote_ts = $rts
					esp_proposals = $esp
				}
			}
		}
	}
	EOC
	# a DELETE, so that seg-a1 drops its SAs too: each case starts clean
	foreign_swanctl --terminate --ike a --timeout 5 > /dev/null 2>&1
	foreign_swanctl --load-all --file "$fdir/swanctl/swanctl.conf" > "$fdir/load.log" 2>&1
	ip -n zsec-transit link set pfb up
}

# foreign_initiate: start the link from the foreign end, 15 s at most
foreign_initiate() {
	foreign_swanctl --initiate --child a --timeout 15 > "$fdir/initiate.log" 2>&1
}

foreign_down() {
	[ -n "${foreign_pid:-}" ] && kill -9 "$foreign_pid" 2>/dev/null
	ip netns del foreign-b 2>/dev/null
	ip link del zlfb0 2>/dev/null
}
