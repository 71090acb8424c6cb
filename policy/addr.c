/* addr: IPv4 and IPv6 addresses and prefixes, parsed strictly (inet_pton:
 * no "10.1", no leading zeros, no zone ids) and compared bytewise. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"

unsigned addr_bits(uint8_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

bool addr_parse(const char *s, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':')) {
		out->family = AF_INET6;
		return inet_pton(AF_INET6, s, out->bytes) == 1;
	}
	out->family = AF_INET;
	return inet_pton(AF_INET, s, out->bytes) == 1;
}

const char *addr_special(const struct ipaddr *a)
{
	static const uint8_t v6_any[16], v6_loop[16] = { [15] = 1 };
	const uint8_t *b = a->bytes;

	if (a->family == AF_INET) {
		if (b[0] == 0)
			return "an address of 'this network' (0.0.0.0/8)";
		if (b[0] == 127)
			return "a loopback address";
		if (b[0] >= 224 && b[0] <= 239)
			return "a multicast address";
		if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
			return "the broadcast address";
		return NULL;
	}
	if (!memcmp(b, v6_any, 16))
		return "the unspecified address";
	if (!memcmp(b, v6_loop, 16))
		return "the loopback address";
	if (b[0] == 0xff)
		return "a multicast address";
	return NULL;
}

static void clear_host_bits(struct ipaddr *a, unsigned len, bool *had)
{
	unsigned i, bits = addr_bits(a->family);

	for (i = len; i < bits; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i % 8));

		if (a->bytes[i / 8] & m) {
			*had = true;
			a->bytes[i / 8] &= (uint8_t)~m;
		}
	}
}

bool prefix_parse(const char *s, struct prefix *out, bool *host_bits)
{
	char buf[PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;
	char *end;

	*host_bits = false;
	memset(out, 0, sizeof(*out));
	if (alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!addr_parse(buf, &out->addr))
		return false;
	if (!slash) {
		out->len = (uint8_t)addr_bits(out->addr.family);
		return true;
	}
	if (slash[1] < '0' || slash[1] > '9' || (slash[1] == '0' && slash[2]))
		return false;
	len = strtoul(slash + 1, &end, 10);
	if (*end || len > addr_bits(out->addr.family))
		return false;
	out->len = (uint8_t)len;
	clear_host_bits(&out->addr, out->len, host_bits);
	return true;
}

bool prefix_valid(const struct prefix *p)
{
	struct ipaddr a = p->addr;
	bool host_bits = false;

	if ((p->addr.family != AF_INET && p->addr.family != AF_INET6) ||
	    p->len > addr_bits(p->addr.family))
		return false;
	clear_host_bits(&a, p->len, &host_bits);
	return !host_bits;
}

struct prefix prefix_host(const struct ipaddr *a)
{
	struct prefix p = { .addr = *a, .len = (uint8_t)addr_bits(a->family) };

	return p;
}

int addr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, addr_bits(a->family) / 8);
}

int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c = addr_cmp(&a->addr, &b->addr);

	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

/* Whether the first len bits of a and b are equal. */
static bool leading_bits_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(a, b, full))
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		return (a[full] & m) == (b[full] & m);
	}
	return true;
}

bool prefix_contains(const struct prefix *p, const struct ipaddr *a)
{
	return p->addr.family == a->family &&
	       leading_bits_equal(p->addr.bytes, a->bytes, p->len);
}

bool prefix_within(const struct prefix *inner, const struct prefix *outer)
{
	return inner->addr.family == outer->addr.family && inner->len >= outer->len &&
	       leading_bits_equal(inner->addr.bytes, outer->addr.bytes, outer->len);
}

bool prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	return prefix_within(a, b) || prefix_within(b, a);
}

struct ipaddr prefix_map(const struct ipaddr *a, const struct prefix *to)
{
	struct ipaddr r = to->addr;
	unsigned i, bits = addr_bits(a->family);

	for (i = to->len; i < bits; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i % 8));

		r.bytes[i / 8] = (uint8_t)((r.bytes[i / 8] & ~m) | (a->bytes[i / 8] & m));
	}
	return r;
}

const char *addr_str(const struct ipaddr *a, char buf[ADDR_STRLEN])
{
	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->bytes, buf, ADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

const char *prefix_str(const struct prefix *p, char buf[PREFIX_STRLEN])
{
	char a[ADDR_STRLEN];

	snprintf(buf, PREFIX_STRLEN, "%s/%u", addr_str(&p->addr, a), p->len);
	return buf;
}
