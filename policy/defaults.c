/* defaults: the profiles a file gets where it says nothing, conformant to
 * TS 33.210 (IKEv2, ESP tunnel mode; Za encrypts, Zb at least protects
 * integrity) and to current algorithm guidance (AES-GCM, ECP-384). */
#include "internal.h"

static const char *const default_ike = "aes256gcm16-prfsha384-ecp384";
const char *const default_za_esp = "aes256gcm16-ecp384";
static const char *const default_zb_esp = "null-sha256";

static void fill(struct arena *a, struct tprofile *p, const char *esp)
{
	if (!p->ike.n) {
		p->ike.v = arena_alloc(a, sizeof(*p->ike.v));
		p->ike.v[0].s = default_ike;
		p->ike.n = 1;
	}
	if (!p->esp.n) {
		p->esp.v = arena_alloc(a, sizeof(*p->esp.v));
		p->esp.v[0].s = esp;
		p->esp.n = 1;
	}
	if (!p->version.pos.line)
		p->version.v = 2;
	if (!p->mode.pos.line)
		p->mode.v = ESP_TUNNEL;
}

void profile_defaults(struct arena *a, struct tprofile *za, struct tprofile *zb)
{
	fill(a, za, default_za_esp);
	fill(a, zb, default_zb_esp);
}
