/* proposal: the algorithm rules of NDS/IP on strongSwan proposal strings.
 * An allowlist: every keyword strongSwan knows is classified, and the ones
 * TS 33.210 and current guidance forbid are refused with the reason. */
#include <string.h>

#include "policy.h"

enum kind { ENCR, INTEG, PRF, KE, ESN };

#define AEAD 0x1
#define NOCONF 0x2              /* no confidentiality: null, GMAC */
#define IKE_NO 0x4              /* not usable in IKE */
#define HAS_PRF 0x8             /* integrity with a PRF of the same hash */

struct algo {
	const char *name;
	enum kind kind;
	unsigned flags;
	const char *forbidden;   /* why, or NULL */
};

#define FORBID(n, k, why) { n, k, 0, why }

static const struct algo algos[] = {
	{ "null", ENCR, NOCONF | IKE_NO, NULL },
	FORBID("des", ENCR, "DES is forbidden (broken 56-bit key)"),
	FORBID("3des", ENCR, "3DES is forbidden (64-bit block, Sweet32)"),
	FORBID("blowfish", ENCR, "Blowfish is forbidden (64-bit block, Sweet32)"),
	FORBID("blowfish128", ENCR, "Blowfish is forbidden (64-bit block, Sweet32)"),
	FORBID("blowfish192", ENCR, "Blowfish is forbidden (64-bit block, Sweet32)"),
	FORBID("blowfish256", ENCR, "Blowfish is forbidden (64-bit block, Sweet32)"),
	FORBID("cast128", ENCR, "CAST-128 is forbidden (64-bit block, Sweet32)"),
	{ "aes", ENCR, 0, NULL }, { "aes128", ENCR, 0, NULL },
	{ "aes192", ENCR, 0, NULL }, { "aes256", ENCR, 0, NULL },
	{ "aes128ctr", ENCR, 0, NULL }, { "aes192ctr", ENCR, 0, NULL },
	{ "aes256ctr", ENCR, 0, NULL },
	{ "camellia", ENCR, 0, NULL }, { "camellia128", ENCR, 0, NULL },
	{ "camellia192", ENCR, 0, NULL }, { "camellia256", ENCR, 0, NULL },
	{ "camellia128ctr", ENCR, 0, NULL }, { "camellia192ctr", ENCR, 0, NULL },
	{ "camellia256ctr", ENCR, 0, NULL },
	{ "serpent", ENCR, 0, NULL }, { "serpent128", ENCR, 0, NULL },
	{ "serpent192", ENCR, 0, NULL }, { "serpent256", ENCR, 0, NULL },
	{ "twofish", ENCR, 0, NULL }, { "twofish128", ENCR, 0, NULL },
	{ "twofish192", ENCR, 0, NULL }, { "twofish256", ENCR, 0, NULL },
	{ "chacha20poly1305", ENCR, AEAD, NULL },
	{ "chacha20poly1305compat", ENCR, AEAD, NULL },
	{ "aes128gmac", ENCR, AEAD | NOCONF | IKE_NO, NULL },
	{ "aes192gmac", ENCR, AEAD | NOCONF | IKE_NO, NULL },
	{ "aes256gmac", ENCR, AEAD | NOCONF | IKE_NO, NULL },
	FORBID("sha", INTEG, "SHA-1 integrity is forbidden"),
	FORBID("sha1", INTEG, "SHA-1 integrity is forbidden"),
	FORBID("sha1_160", INTEG, "SHA-1 integrity is forbidden"),
	FORBID("md5", INTEG, "MD5 is forbidden"),
	FORBID("md5_128", INTEG, "MD5 is forbidden"),
	{ "sha256", INTEG, HAS_PRF, NULL }, { "sha2_256", INTEG, HAS_PRF, NULL },
	{ "sha256_96", INTEG, 0, NULL }, { "sha2_256_96", INTEG, 0, NULL },
	{ "sha384", INTEG, HAS_PRF, NULL }, { "sha2_384", INTEG, HAS_PRF, NULL },
	{ "sha512", INTEG, HAS_PRF, NULL }, { "sha2_512", INTEG, HAS_PRF, NULL },
	{ "aesxcbc", INTEG, HAS_PRF, NULL }, { "aescmac", INTEG, HAS_PRF, NULL },
	{ "camelliaxcbc", INTEG, 0, NULL },
	FORBID("prfsha1", PRF, "a SHA-1 PRF is forbidden"),
	FORBID("prfmd5", PRF, "an MD5 PRF is forbidden"),
	{ "prfsha256", PRF, 0, NULL }, { "prfsha384", PRF, 0, NULL },
	{ "prfsha512", PRF, 0, NULL }, { "prfaesxcbc", PRF, 0, NULL },
	{ "prfaescmac", PRF, 0, NULL }, { "prfcamelliaxcbc", PRF, 0, NULL },
	{ "none", KE, IKE_NO, NULL }, { "modpnone", KE, IKE_NO, NULL },
	FORBID("modpnull", KE, "the NULL key exchange is forbidden"),
	FORBID("modp768", KE, "MODP groups below 2048 bits are forbidden"),
	FORBID("modp1024", KE, "MODP groups below 2048 bits are forbidden"),
	FORBID("modp1536", KE, "MODP groups below 2048 bits are forbidden"),
	FORBID("modp1024s160", KE, "MODP groups below 2048 bits are forbidden"),
	FORBID("ecp192", KE, "ECP-192 is weaker than MODP-2048 and forbidden"),
	{ "modp2048", KE, 0, NULL }, { "modp3072", KE, 0, NULL },
	{ "modp4096", KE, 0, NULL }, { "modp6144", KE, 0, NULL },
	{ "modp8192", KE, 0, NULL }, { "modp2048s224", KE, 0, NULL },
	{ "modp2048s256", KE, 0, NULL },
	{ "ecp224", KE, 0, NULL }, { "ecp256", KE, 0, NULL },
	{ "ecp384", KE, 0, NULL }, { "ecp521", KE, 0, NULL },
	{ "ecp224bp", KE, 0, NULL }, { "ecp256bp", KE, 0, NULL },
	{ "ecp384bp", KE, 0, NULL }, { "ecp512bp", KE, 0, NULL },
	{ "curve25519", KE, 0, NULL }, { "x25519", KE, 0, NULL },
	{ "curve448", KE, 0, NULL }, { "x448", KE, 0, NULL },
	{ "esn", ESN, IKE_NO, NULL }, { "noesn", ESN, IKE_NO, NULL },
};

static const char *const ccm_gcm[] = { "gcm", "ccm" };
static const char *const icv[] = { "8", "64", "12", "96", "16", "128", "" };

/* aes128gcm16, camellia256ccm12, ...: AEAD ciphers named by family, key and ICV size. */
static bool is_aead_name(const char *t)
{
	static const char *const fam[] = { "aes", "camellia" };
	static const char *const key[] = { "128", "192", "256" };
	size_t f, k, m, i;
	char buf[40];

	for (f = 0; f < 2; f++)
		for (k = 0; k < 3; k++)
			for (m = 0; m < 2; m++)
				for (i = 0; i < sizeof(icv) / sizeof(*icv); i++) {
					if (f == 1 && m == 0)
						continue;       /* no camellia GCM */
					snprintf(buf, sizeof(buf), "%s%s%s%s", fam[f], key[k], ccm_gcm[m], icv[i]);
					if (!strcmp(buf, t))
						return true;
				}
	return false;
}

static const struct algo *lookup(const char *t)
{
	static const struct algo aead = { "aead", ENCR, AEAD, NULL };
	size_t i;

	for (i = 0; i < sizeof(algos) / sizeof(*algos); i++)
		if (!strcmp(algos[i].name, t))
			return &algos[i];
	return is_aead_name(t) ? &aead : NULL;
}

bool proposal_check(const char *text, enum proposal_proto proto, struct proposal_info *info,
                    char *err, size_t errlen)
{
	const char *p = text, *dash;
	unsigned n_encr = 0, n_aead = 0, n_noconf = 0, n_integ = 0, n_ke = 0, n_prf = 0;
	unsigned n_prf_of_integ = 0;
	char tok[40], why[512] = "";

	memset(info, 0, sizeof(*info));
	if (!*p) {
		snprintf(err, errlen, "empty proposal");
		return false;
	}
	for (; p; p = dash ? dash + 1 : NULL) {
		const struct algo *a;
		size_t n;

		dash = strchr(p, '-');
		n = dash ? (size_t)(dash - p) : strlen(p);
		if (!n || n >= sizeof(tok)) {
			snprintf(err, errlen, "malformed proposal '%s'", text);
			return false;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		a = lookup(tok);
		if (!a) {
			snprintf(err, errlen, "unknown algorithm '%s' in proposal '%s'", tok, text);
			return false;
		}
		if (a->forbidden) {
			/* name every forbidden algorithm of the proposal at once */
			size_t used = strlen(why);

			snprintf(why + used, sizeof(why) - used, "%s%s ('%s')", used ? "; " : "",
			         a->forbidden, tok);
			continue;
		}
		if (proto == PROPOSAL_IKE && (a->flags & IKE_NO)) {
			snprintf(err, errlen, "'%s' cannot be used in an IKE proposal ('%s')", tok, text);
			return false;
		}
		if (proto == PROPOSAL_ESP && a->kind == PRF) {
			snprintf(err, errlen, "'%s' is a PRF and has no place in an ESP proposal ('%s')", tok, text);
			return false;
		}
		switch (a->kind) {
		case ENCR:
			n_encr++;
			n_aead += !!(a->flags & AEAD);
			n_noconf += !!(a->flags & NOCONF);
			break;
		case INTEG:
			n_integ++;
			n_prf_of_integ += !!(a->flags & HAS_PRF);
			break;
		case KE:
			n_ke += strcmp(tok, "none") && strcmp(tok, "modpnone");
			break;
		case PRF:
			n_prf++;
			break;
		case ESN:
			break;
		}
	}
	if (*why) {
		snprintf(err, errlen, "%s in proposal '%s'", why, text);
		return false;
	}
	if (!n_encr) {
		snprintf(err, errlen, "proposal '%s' names no encryption algorithm (use null for integrity only)", text);
		return false;
	}
	if (n_aead && n_aead != n_encr) {
		snprintf(err, errlen, "proposal '%s' mixes AEAD and non-AEAD ciphers", text);
		return false;
	}
	if (n_aead && n_integ) {
		snprintf(err, errlen, "proposal '%s' adds an integrity algorithm to an AEAD cipher", text);
		return false;
	}
	if (!n_aead && !n_integ) {
		snprintf(err, errlen, "proposal '%s' has no integrity protection (NULL integrity is forbidden)", text);
		return false;
	}
	if (proto == PROPOSAL_IKE && n_aead && !n_prf) {
		snprintf(err, errlen, "IKE proposal '%s' needs a PRF with an AEAD cipher (e.g. prfsha384)", text);
		return false;
	}
	/* without an explicit PRF, charon derives one from the integrity
	 * algorithm, which truncated ones (sha256_96) do not have */
	if (proto == PROPOSAL_IKE && !n_aead && !n_prf && !n_prf_of_integ) {
		snprintf(err, errlen, "IKE proposal '%s' needs a PRF (e.g. prfsha256): its integrity "
		         "algorithm has none of its own", text);
		return false;
	}
	if (proto == PROPOSAL_IKE && !n_ke) {
		snprintf(err, errlen, "IKE proposal '%s' needs a key exchange method (e.g. ecp384)", text);
		return false;
	}
	info->confidentiality = n_noconf == 0;
	info->integrity = true;
	info->has_dh = n_ke > 0;
	return true;
}
