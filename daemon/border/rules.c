/* rules: the text of table inet zsec that does not depend on the plan: the
 * declaration of every object, and the rules.  A partner is only ever
 * elements of the sets declared here (ruleset.c writes those), so a packet
 * meets the same rules and lookups with one partner or with 10,000; only
 * the source lookups are one per length of the partners' prefixes.
 * docs/border.md explains every rule and the threat it answers. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

/* The counting sets: partner id -> packets and bytes, added by the packets
 * themselves; id 0 is the border itself. */
#define COUNTING "type mark; size 65536; flags dynamic; counter"

/* Step 1: every object, none with elements or rules. */
static const char DECLARATIONS[] =
"table inet zsec {\n"
"	# staged, NAME_a or NAME_b (ruleset.c), so not declared here:\n"
"	# src4_LEN/src6_LEN, their prefixes of that length (network address)\n"
"	# -> mark: exposure profile << 16 | partner id;\n"
"	# exposed4/6, profile . presented prefix, what the partners of a\n"
"	# profile may reach; present-as, 1:1: dnat4/6, their prefix .\n"
"	# presented -> inside, and snat4/6, their prefix . inside -> presented;\n"
"	# gateways4/6, the IKE peers: partner gateway -> partner id, with\n"
"	# 1 << 16 when the partner's IKE limit is the usual one (the comment\n"
"	# names the partner: zsecd reads ids back from there);\n"
"	# sa_gateways4/6, partner gateway . partner id: whose SAs carry whose\n"
"	# sources;\n"
"	# packets_limit and sip_limit, partner id -> its own token bucket, as\n"
"	# ike_limit below\n"
"	# the generation of the staged sets the rules use, in its comment; the\n"
"	# lengths of the source maps, family << 8 | length, its elements\n"
"	set generation { type mark; }\n"
"	# our addresses: the domain's prefixes and what we present\n"
"	set ours4 { type ipv4_addr; flags interval; }\n"
"	set ours6 { type ipv6_addr; flags interval; }\n"
"	set elements4 { type ipv4_addr; }\n"
"	set elements6 { type ipv6_addr; }\n"
"	# our end of their Zb links: where their IKE goes\n"
"	set inside4 { type ipv4_addr; }\n"
"	set inside6 { type ipv6_addr; }\n"
"	# partner id -> its own token bucket; an element matches while its rate\n"
"	# is exceeded (the set's own limit is a template no element uses)\n"
"	set ike_limit { type mark; limit rate over 1/second; }\n"
"	# partner id -> its bucket at the usual IKE limit, made by its first packet\n"
"	set ike_buckets { type mark; size 65536; flags dynamic; }\n"
"	# our element's address -> its IKE bucket, made by its first packet\n"
"	set ike_elements4 { type ipv4_addr; size 65536; flags dynamic; }\n"
"	set ike_elements6 { type ipv6_addr; size 65536; flags dynamic; }\n"
"	# partner id -> packets and bytes, added by the packets; id 0: no partner\n"
"	set accepted { " COUNTING "; }\n"
"	set not_exposed { " COUNTING "; }\n"
"	set spoofed { " COUNTING "; }\n"
"	set icmp_hidden { " COUNTING "; }\n"
"	set ike_unknown { " COUNTING "; }\n"
"	set ike_over_limit { " COUNTING "; }\n"
"	set packets_over_limit { " COUNTING "; }\n"
"	set sip_over_limit { " COUNTING "; }\n"
"	set ip_options { " COUNTING "; }\n"
"	# an SA's gateway -> packets and bytes of sources not its partner's\n"
"	# (zsecd counts them for the partner whose gateway it is)\n"
"	set spoofed_sa4 { type ipv4_addr; size 65536; flags dynamic; counter; }\n"
"	set spoofed_sa6 { type ipv6_addr; size 65536; flags dynamic; counter; }\n"
"	chain ike { type filter hook prerouting priority raw; policy accept; }\n"
"	chain pre { type filter hook prerouting priority mangle; policy accept; }\n"
"	chain dstnat { type nat hook prerouting priority dstnat; policy accept; }\n"
"	chain srcnat { type nat hook postrouting priority srcnat; policy accept; }\n"
"	chain post { type filter hook postrouting priority srcnat + 10; policy accept; }\n"
"	chain ike_check { }\n"
"	chain ike_element { }\n"
"	chain ike_partner { }\n"
"	chain partner_in { }\n"
"	chain partner_known { }\n"
"	chain partner_pass4 { }\n"
"	chain partner_pass6 { }\n"
"	chain sa_check { }\n"
"	chain from_ipsec { }\n"
"	chain ours_in { }\n"
"	chain gateway_in { }\n"
"	chain stranger_in { }\n"
"	chain partner_out { }\n"
"	chain partner_back { }\n"
"	chain not_exposed { }\n"
"	chain spoofed { }\n"
"	chain icmp_hidden { }\n"
"	chain ike_unknown { }\n"
"	chain ike_over_limit { }\n"
"	chain packets_over_limit { }\n"
"	chain sip_over_limit { }\n"
"	chain ip_options { }\n"
"}\n";

/* The rules (step 4).  $ID and $PROFILE are the two halves of the mark,
 * $TUN kernel-libipsec's device, $HOPS the hop limit towards and from
 * partners, $MARK_GUARD the guard's bit of the packet mark
 * (ZSEC_GUARD_MARK), $G the suffix of the staged sets and $TAG the
 * generation in the high half of a connection mark.  docs/border.md explains every rule and
 * the threat it answers. */
static const char CHAINS[] =
"	# IKE to this gateway (UDP 500, UDP 4500 with the non-ESP marker), before\n"
"	# conntrack: only partner gateways, each within its limit, and our own\n"
"	# elements, to our end of their Zb link and in on the interface that\n"
"	# has it (so not from outside in their name).  ESP and ESP-in-UDP never\n"
"	# meet an IKE limit.  To a broadcast or multicast address it is no\n"
"	# peer's: charon, on every address, would take it past these checks.\n"
"	chain ike {\n"
"		udp dport { 500, 4500 } fib daddr type { broadcast, multicast } meta mark set 0x00000000 goto ike_unknown\n"
"		udp dport 500 fib daddr type local goto ike_check\n"
"		udp dport 4500 @th,64,32 0x0 fib daddr type local goto ike_check\n"
"	}\n"
"	chain ike_check {\n"
"		ip saddr @elements4 ip daddr @inside4 fib daddr . iif type local goto ike_element\n"
"		ip6 saddr @elements6 ip6 daddr @inside6 fib daddr . iif type local goto ike_element\n"
"		meta mark set ip saddr map @gateways4$G goto ike_partner\n"
"		meta mark set ip6 saddr map @gateways6$G goto ike_partner\n"
"		meta mark set 0x00000000 goto ike_unknown\n"
"	}\n"
"	# each element's own bucket, counted as the border's (no partner)\n"
"	chain ike_element {\n"
"		update @ike_elements4 { ip saddr limit rate over $EL_RATE/second burst $EL_BURST packets } meta mark set 0x00000000 goto ike_over_limit\n"
"		update @ike_elements6 { ip6 saddr limit rate over $EL_RATE/second burst $EL_BURST packets } meta mark set 0x00000000 goto ike_over_limit\n"
"		accept\n"
"	}\n"
"	chain ike_partner {\n"
"$IKE_USUAL"
"		meta mark & $ID @ike_limit goto ike_over_limit\n"
"		meta mark set 0x00000000 accept\n"
"	}\n"
"\n"
"	# From a partner: classified by source address, whatever the interface\n"
"	# (kernel-libipsec delivers the traffic of every SA on $TUN); a\n"
"	# connection the partner opened and this generation of the table let\n"
"	# in is known by its connection mark, $TAG | partner id.\n"
"	chain pre {\n"
"		iif \"lo\" accept\n"
"		ct state established ct direction original ct mark & $PROFILE == $TAG meta mark set ct mark & $ID goto partner_known\n"
"		meta mark set ip saddr map @src4$G goto partner_in\n"
"		meta mark set ip6 saddr map @src6$G goto partner_in\n"
"		# from one of our addresses (from an element through IPsec, or a\n"
"		# reply): the mark bit that lets what goes to a partner that sees\n"
"		# it renumbered past the guard's entry for its inside source, which\n"
"		# the kernel looks up before the source NAT (policy/compile.c); the\n"
"		# bit changes nothing else (the guard's other entries match either)\n"
"		ip saddr @ours4 meta mark set meta mark | $MARK_GUARD\n"
"		ip6 saddr @ours6 meta mark set meta mark | $MARK_GUARD\n"
"		iifname \"$TUN\" goto from_ipsec\n"
"		meta ipsec exists goto from_ipsec\n"
"		iifname != \"$TUN\" meta ipsec missing ip saddr @ours4 goto ours_in\n"
"		iifname != \"$TUN\" meta ipsec missing ip6 saddr @ours6 goto ours_in\n"
"		# a partner's gateway itself, in clear text (what comes through\n"
"		# IPsec went to from_ipsec above)\n"
"		meta mark set ip saddr map @gateways4$G goto gateway_in\n"
"		meta mark set ip6 saddr map @gateways6$G goto gateway_in\n"
"		# anyone else, in clear text, to one of our addresses\n"
"		ip daddr @ours4 goto stranger_in\n"
"		ip6 daddr @ours6 goto stranger_in\n"
"	}\n"
"	chain partner_in {\n"
"		meta ipsec exists jump sa_check\n"
"		iifname != \"$TUN\" meta ipsec missing goto spoofed\n"
"		meta mark & $PROFILE . ip daddr != @exposed4$G goto not_exposed\n"
"		meta mark & $PROFILE . ip6 daddr != @exposed6$G goto not_exposed\n"
"		ct state { new, established } ct direction original ct mark set meta mark & $ID | $TAG\n"
"		meta nfproto vmap { ipv4 : goto partner_pass4, ipv6 : goto partner_pass6 }\n"
"	}\n"
"	chain partner_known {\n"
"		meta ipsec exists jump sa_check\n"
"		iifname != \"$TUN\" meta ipsec missing goto spoofed\n"
"		meta nfproto vmap { ipv4 : goto partner_pass4, ipv6 : goto partner_pass6 }\n"
"	}\n"
"	# what is judged of every packet from a partner, the first of a\n"
"	# connection or not: a chain per family, as every rule costs each\n"
"	# packet that meets it\n"
"	chain partner_pass4 {\n"
"		ip hdrlength != 5 goto ip_options\n"
"		meta mark & $ID @packets_limit$G goto packets_over_limit\n"
"		meta l4proto { tcp, udp, sctp } th dport 5060-5061 meta mark & $ID @sip_limit$G goto sip_over_limit\n"
"		ct direction reply meta l4proto { tcp, udp, sctp } th sport 5060-5061 meta mark & $ID @sip_limit$G goto sip_over_limit\n"
"		update @accepted { meta mark & $ID }\n"
"		ip ttl set $HOPS\n"
"		meta mark set 0x00000000\n"
"	}\n"
"	chain partner_pass6 {\n"
"		exthdr hbh exists goto ip_options\n"
"		exthdr rt exists goto ip_options\n"
"		exthdr dst exists goto ip_options\n"
"		meta mark & $ID @packets_limit$G goto packets_over_limit\n"
"		meta l4proto { tcp, udp, sctp } th dport 5060-5061 meta mark & $ID @sip_limit$G goto sip_over_limit\n"
"		ct direction reply meta l4proto { tcp, udp, sctp } th sport 5060-5061 meta mark & $ID @sip_limit$G goto sip_over_limit\n"
"		update @accepted { meta mark & $ID }\n"
"		ip6 hoplimit set $HOPS\n"
"		meta mark set 0x00000000\n"
"	}\n"
"	# One of our addresses in clear text, not through IPsec: only from where\n"
"	# the route back to it leads.  IKE and ESP to us were judged above.\n"
"	chain ours_in {\n"
"		udp dport 500 fib daddr type local return\n"
"		udp dport 4500 fib daddr type local return\n"
"		meta l4proto esp fib daddr type local return\n"
"		fib saddr . iif oif missing meta mark set 0x00000000 goto spoofed\n"
"	}\n"
"	# A partner's gateway in clear text: IKE (judged in ike), ESP and ICMP\n"
"	# to this gateway's own addresses, but not to its inside ones, whose\n"
"	# answers would show them; neighbour discovery (hop limit 255: on the\n"
"	# link).  Nothing into our domain: the gateway is the partner's too.\n"
"	chain gateway_in {\n"
"		ip daddr @inside4 goto not_exposed\n"
"		ip6 daddr @inside6 goto not_exposed\n"
"		udp dport { 500, 4500 } fib daddr type local meta mark set 0x00000000 accept\n"
"		meta l4proto { esp, icmp, ipv6-icmp } fib daddr type local meta mark set 0x00000000 accept\n"
"		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } ip6 hoplimit 255 meta mark set 0x00000000 accept\n"
"		goto not_exposed\n"
"	}\n"
"	# No partner, no gateway of theirs, none of ours, and not through\n"
"	# IPsec: into our domain, or to what we present, only what answers a\n"
"	# connection from our side, and neighbour discovery (hop limit 255:\n"
"	# on the link).  The table knows the domain by its prefixes.\n"
"	chain stranger_in {\n"
"		ct direction reply return\n"
"		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } ip6 hoplimit 255 return\n"
"		meta mark set 0x00000000 goto not_exposed\n"
"	}\n"
"	# Through an SA of the kernel's ESP (a security path): only an SA with\n"
"	# a gateway of the partner whose source it is.  The kernel compares a\n"
"	# packet with its SA's selectors only after prerouting: without this, a\n"
"	# partner could spend another's limits in its name.  (kernel-libipsec\n"
"	# compares before $TUN; nftables cannot see its SAs.)  An SA of either\n"
"	# family, whatever the packet's: the lookup of the other family fails.\n"
"	# The rest is counted by the SA's gateway, so for the partner that sent\n"
"	# it, not the one whose source it claims.\n"
"	chain sa_check {\n"
"		ipsec in ip saddr . meta mark & $ID @sa_gateways4$G return\n"
"		ipsec in ip6 saddr . meta mark & $ID @sa_gateways6$G return\n"
"		update @spoofed_sa4 { ipsec in ip saddr } drop\n"
"		update @spoofed_sa6 { ipsec in ip6 saddr } drop\n"
"		goto spoofed\n"
"	}\n"
"	# Through IPsec and from no partner: only our elements (Zb) may be\n"
"	# there, and neighbour discovery (hop limit 255: from the link itself).\n"
"	# IPsec's own selectors drop the rest too, but not where a partner just\n"
"	# removed still has SAs; here it is counted.\n"
"	chain from_ipsec {\n"
"		ip saddr @elements4 accept\n"
"		ip6 saddr @elements6 accept\n"
"		icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept\n"
"		meta mark set 0x00000000 goto spoofed\n"
"	}\n"
"	chain dstnat {\n"
"		dnat ip prefix to ip saddr . ip daddr map @dnat4$G\n"
"		dnat ip6 prefix to ip6 saddr . ip6 daddr map @dnat6$G\n"
"	}\n"
"\n"
"	# To a partner, forwarded or our own: no ICMP error from inside, only\n"
"	# presented sources, one hop limit.  A connection the partner opened and\n"
"	# this generation let in was judged on its way in.\n"
"	chain srcnat {\n"
"		snat ip prefix to ip daddr . ip saddr map @snat4$G\n"
"		snat ip6 prefix to ip6 daddr . ip6 saddr map @snat6$G\n"
"	}\n"
"	chain post {\n"
"		ct state established ct mark & $PROFILE == $TAG ct direction vmap { original : accept, reply : goto partner_back }\n"
"		icmp type { destination-unreachable, redirect, time-exceeded, parameter-problem } meta mark set ip daddr map @src4$G goto icmp_hidden\n"
"		icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-redirect } meta mark set ip6 daddr map @src6$G goto icmp_hidden\n"
"		meta mark set ip daddr map @src4$G goto partner_out\n"
"		meta mark set ip6 daddr map @src6$G goto partner_out\n"
"	}\n"
"	chain partner_out {\n"
"		meta mark & $PROFILE . ip saddr != @exposed4$G goto not_exposed\n"
"		meta mark & $PROFILE . ip6 saddr != @exposed6$G goto not_exposed\n"
"		ip ttl set $HOPS\n"
"		ip6 hoplimit set $HOPS\n"
"		meta mark set 0x00000000\n"
"	}\n"
"	chain partner_back {\n"
"		ip ttl set $HOPS\n"
"		ip6 hoplimit set $HOPS\n"
"		meta mark set 0x00000000\n"
"	}\n"
"\n"
"	# Drops, each counted for the partner whose id the mark holds.\n"
"	chain not_exposed {\n"
"		update @not_exposed { meta mark & $ID }\n"
"		drop\n"
"	}\n"
"	chain spoofed {\n"
"		update @spoofed { meta mark & $ID }\n"
"		drop\n"
"	}\n"
"	chain icmp_hidden {\n"
"		update @icmp_hidden { meta mark & $ID }\n"
"		drop\n"
"	}\n"
"	chain ike_unknown {\n"
"		update @ike_unknown { meta mark & $ID }\n"
"		drop\n"
"	}\n"
"	chain ike_over_limit {\n"
"		update @ike_over_limit { meta mark & $ID }\n"
"		drop\n"
"	}\n"
"	chain packets_over_limit {\n"
"		update @packets_over_limit { meta mark & $ID }\n"
"		drop\n"
"	}\n"
"	chain sip_over_limit {\n"
"		update @sip_over_limit { meta mark & $ID }\n"
"		drop\n"
"	}\n"
"	chain ip_options {\n"
"		update @ip_options { meta mark & $ID }\n"
"		drop\n"
"	}\n";

/* The counting set of each reason, named as the chain that counts into it. */
const char *const count_set[COUNTS] = {
	[BORDER_NOT_EXPOSED] = "not_exposed",
	[BORDER_SPOOFED] = "spoofed",
	[BORDER_ICMP_HIDDEN] = "icmp_hidden",
	[BORDER_IKE_UNKNOWN] = "ike_unknown",
	[BORDER_IKE_OVER_LIMIT] = "ike_over_limit",
	[BORDER_PACKETS_OVER_LIMIT] = "packets_over_limit",
	[BORDER_SIP_OVER_LIMIT] = "sip_over_limit",
	[BORDER_IP_OPTIONS] = "ip_options",
	[COUNT_ACCEPTED] = "accepted",
};

const char *const spoofed_sa_set[2] = { "spoofed_sa4", "spoofed_sa6" };

/* Writes text with $ID, $PROFILE, $TUN, $HOPS, $MARK_GUARD, $G and $TAG replaced, and
 * $IKE_USUAL by the rule of the usual IKE limit (none if no partner has
 * one). */
static void expand(FILE *f, const char *text, const struct state_limit *usual, unsigned gen)
{
	static const struct {
		const char *var;
		const char *fmt;
		unsigned long val;
	} vars[] = {
		{ "$PROFILE", "0x%08lx", MARK_PROFILE },
		{ "$ID", "0x%08lx", MARK_ID },
		{ "$HOPS", "%lu", BORDER_HOP_LIMIT },
		{ "$EL_RATE", "%lu", BORDER_ELEMENT_IKE_RATE },
		{ "$EL_BURST", "%lu", BORDER_ELEMENT_IKE_BURST },
		{ "$MARK_GUARD", "0x%08lx", ZSEC_GUARD_MARK },
		{ "$TUN", BORDER_TUN_DEVICE, 0 },
	};
	const size_t n = sizeof(vars) / sizeof(vars[0]);
	const char *p;
	size_t i;

	while ((p = strchr(text, '$'))) {
		fwrite(text, 1, (size_t)(p - text), f);
		if (!strncmp(p, "$IKE_USUAL", 10)) {
			if (usual->rate)
				fprintf(f, "\t\tmeta mark & 0x%08x == 0x%08x update @ike_buckets "
				        "{ meta mark & 0x%08x limit rate over %llu/second burst %u packets }"
				        " goto ike_over_limit\n", MARK_PROFILE, MARK_IKE_USUAL, MARK_ID,
				        (unsigned long long)usual->rate, usual->burst);
			text = p + 10;
			continue;
		}
		if (!strncmp(p, "$G", 2)) {
			fprintf(f, "_%c", gen_suffix(gen));
			text = p + 2;
			continue;
		}
		if (!strncmp(p, "$TAG", 4)) {
			fprintf(f, "0x%08x", gen << 16);
			text = p + 4;
			continue;
		}
		for (i = 0; i < n && strncmp(p, vars[i].var, strlen(vars[i].var)); i++)
			;
		if (i == n) {
			fputc('$', f);
			text = p + 1;
			continue;
		}
		fprintf(f, vars[i].fmt, vars[i].val);
		text = p + strlen(vars[i].var);
	}
	fputs(text, f);
}

void rules_declarations(FILE *f)
{
	fputs(DECLARATIONS, f);
}

/* The mask of a prefix length: "255.255.255.0", "ffff:ffff:ffff::" */
static const char *mask_str(int family, unsigned len, char buf[ADDR_STRLEN])
{
	struct ipaddr m = { .family = (uint8_t)family };
	unsigned i;

	for (i = 0; i < len; i++)
		m.bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	return addr_str(&m, buf);
}

/* A rule that looks a source up (MAP @src4$G or @src6$G): once for each
 * length of the family, with the address masked to it unless it is all of
 * it (src_lengths in internal.h); none if no partner has a prefix of the
 * family. */
static void expand_src(FILE *f, const char *line, const char *map, int family,
                       const struct src_lengths *src, const struct state_limit *ike_usual,
                       unsigned gen)
{
	const size_t k = family == AF_INET6, at = (size_t)(strstr(line, map) - line);
	char out[512], mask[ADDR_STRLEN];
	size_t i;

	for (i = 0; i < src->n[k]; i++) {
		unsigned len = src->len[k][i];
		int n = len == addr_bits((uint8_t)family) ?
			snprintf(out, sizeof(out), "%.*smap @src%c_%u%s", (int)at, line, k ? '6' : '4',
			         len, line + at + strlen(map) - 2) :
			snprintf(out, sizeof(out), "%.*s& %s map @src%c_%u%s", (int)at, line,
			         mask_str(family, len, mask), k ? '6' : '4', len,
			         line + at + strlen(map) - 2);

		if (n > 0 && (size_t)n < sizeof(out))
			expand(f, out, ike_usual, gen);
	}
}

void rules_chains(FILE *f, const struct state_limit *ike_usual, const struct src_lengths *src,
                  unsigned gen)
{
	const char *line, *end;
	char buf[512];

	for (line = CHAINS; *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		snprintf(buf, sizeof(buf), "%.*s", (int)(end - line), line);
		if (strstr(buf, "map @src4$G"))
			expand_src(f, buf, "map @src4$G", AF_INET, src, ike_usual, gen);
		else if (strstr(buf, "map @src6$G"))
			expand_src(f, buf, "map @src6$G", AF_INET6, src, ike_usual, gen);
		else
			expand(f, buf, ike_usual, gen);
	}
}
