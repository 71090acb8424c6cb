/*
 * zsec_rules: TS 33.210 and current guidance on what an SA may use.
 */
#include "zsec_rules.h"

/**
 * Ciphers that encrypt nothing
 */
static bool no_confidentiality(uint16_t alg)
{
	return alg == ENCR_NULL || alg == ENCR_NULL_AUTH_AES_GMAC;
}

/**
 * Why a cipher is forbidden, or NULL
 */
static const char *forbidden_cipher(uint16_t alg)
{
	switch (alg)
	{
		case ENCR_DES:
		case ENCR_DES_IV32:
		case ENCR_DES_IV64:
		case ENCR_DES_ECB:
			return "DES is forbidden";
		case ENCR_3DES:
			return "3DES is forbidden";
		case ENCR_BLOWFISH:
		case ENCR_CAST:
		case ENCR_IDEA:
		case ENCR_3IDEA:
		case ENCR_RC5:
		case ENCR_RC2_CBC:
			return "64-bit block ciphers are forbidden";
		default:
			return NULL;
	}
}

/**
 * Why an integrity algorithm or PRF is forbidden, or NULL
 */
static const char *forbidden_integrity(uint16_t alg)
{
	switch (alg)
	{
		case AUTH_HMAC_MD5_96:
		case AUTH_HMAC_MD5_128:
		case AUTH_KPDK_MD5:
			return "MD5 is forbidden";
		case AUTH_HMAC_SHA1_96:
		case AUTH_HMAC_SHA1_128:
		case AUTH_HMAC_SHA1_160:
			return "SHA-1 integrity is forbidden";
		case AUTH_DES_MAC:
			return "DES-MAC is forbidden";
		default:
			return NULL;
	}
}

static const char *forbidden_prf(uint16_t alg)
{
	switch (alg)
	{
		case PRF_HMAC_MD5:
			return "an MD5 PRF is forbidden";
		case PRF_HMAC_SHA1:
		case PRF_KEYED_SHA1:
		case PRF_FIPS_SHA1_160:
			return "a SHA-1 PRF is forbidden";
		default:
			return NULL;
	}
}

static const char *forbidden_ke(uint16_t alg)
{
	switch (alg)
	{
		case MODP_768_BIT:
		case MODP_1024_BIT:
		case MODP_1536_BIT:
		case MODP_1024_160:
			return "MODP groups below 2048 bits are forbidden";
		case ECP_192_BIT:
			return "ECP-192 is forbidden";
		case MODP_NULL:
			return "the NULL key exchange is forbidden";
		default:
			return NULL;
	}
}

/**
 * The first forbidden algorithm of one transform type, or NULL
 */
static const char *forbidden(proposal_t *proposal, transform_type_t type,
							 const char *(*check)(uint16_t alg))
{
	enumerator_t *enumerator;
	uint16_t alg, ks;
	const char *why = NULL;

	enumerator = proposal->create_enumerator(proposal, type);
	while (!why && enumerator->enumerate(enumerator, &alg, &ks))
	{
		why = check(alg);
	}
	enumerator->destroy(enumerator);
	return why;
}

/*
 * Described in header
 */
bool zsec_rules_check(proposal_t *proposal, bool confidentiality, char *reason,
					  size_t len)
{
	enumerator_t *enumerator;
	uint16_t alg, ks;
	const char *why;
	bool aead = FALSE, integrity = FALSE, encrypts = TRUE, cipher = FALSE;

	why = forbidden(proposal, ENCRYPTION_ALGORITHM, forbidden_cipher);
	why = why ?: forbidden(proposal, INTEGRITY_ALGORITHM, forbidden_integrity);
	why = why ?: forbidden(proposal, PSEUDO_RANDOM_FUNCTION, forbidden_prf);
	why = why ?: forbidden(proposal, KEY_EXCHANGE_METHOD, forbidden_ke);

	enumerator = proposal->create_enumerator(proposal, ENCRYPTION_ALGORITHM);
	while (enumerator->enumerate(enumerator, &alg, &ks))
	{
		cipher = TRUE;
		aead |= encryption_algorithm_is_aead(alg);
		encrypts &= !no_confidentiality(alg);
	}
	enumerator->destroy(enumerator);
	enumerator = proposal->create_enumerator(proposal, INTEGRITY_ALGORITHM);
	while (enumerator->enumerate(enumerator, &alg, &ks))
	{
		integrity |= alg != AUTH_UNDEFINED;
	}
	enumerator->destroy(enumerator);

	if (!why && !cipher)
	{
		why = "no cipher";
	}
	if (!why && !aead && !integrity)
	{
		why = "no integrity protection (NULL integrity is forbidden)";
	}
	if (!why && confidentiality && !encrypts)
	{
		why = "no confidentiality, which this link requires (TS 33.210)";
	}
	if (why)
	{
		snprintf(reason, len, "%s: %P", why, proposal);
		return FALSE;
	}
	return TRUE;
}
