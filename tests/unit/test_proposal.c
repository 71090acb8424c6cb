/* proposal: the NDS/IP algorithm rules on strongSwan proposal strings:
 * what is allowed, what each forbidden class says, the AEAD and IKE/ESP
 * structure rules, and the confidentiality/integrity flags. */
#include "unit.h"

#define IKE PROPOSAL_IKE
#define ESP PROPOSAL_ESP

static const char *proto_name(enum proposal_proto proto)
{
	return proto == IKE ? "IKE" : "ESP";
}

/* Accepted, with exactly these flags. */
static void expect_ok(const char *text, enum proposal_proto proto, bool conf, bool integ, bool dh)
{
	struct proposal_info info;
	char err[256] = "";

	memset(&info, 0x55, sizeof(info));
	if (!proposal_check(text, proto, &info, err, sizeof(err)))
		fail_msg("%s '%s' refused: %s", proto_name(proto), text, err);
	if (info.confidentiality != conf || info.integrity != integ || info.has_dh != dh)
		fail_msg("%s '%s': confidentiality %d integrity %d dh %d, expected %d %d %d",
		         proto_name(proto), text, info.confidentiality, info.integrity, info.has_dh,
		         conf, integ, dh);
}

/* Refused with exactly msg (NULL: any message); info comes back zeroed. */
static void expect_refused(const char *text, enum proposal_proto proto, const char *msg)
{
	struct proposal_info info;
	char err[512] = "";

	memset(&info, 0x55, sizeof(info));
	if (proposal_check(text, proto, &info, err, sizeof(err)))
		fail_msg("%s '%s' accepted", proto_name(proto), text);
	if (!*err)
		fail_msg("%s '%s' refused without a message", proto_name(proto), text);
	if (msg && strcmp(err, msg))
		fail_msg("%s '%s':\n  got      %s\n  expected %s", proto_name(proto), text, err, msg);
	assert_false(info.confidentiality);
	assert_false(info.integrity);
	assert_false(info.has_dh);
}

/* Refused in both protocols with the same message. */
static void expect_refused_both(const char *ike, const char *esp, const char *msg_fmt_tok)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s in proposal '%s'", msg_fmt_tok, ike);
	expect_refused(ike, IKE, msg);
	snprintf(msg, sizeof(msg), "%s in proposal '%s'", msg_fmt_tok, esp);
	expect_refused(esp, ESP, msg);
}

static void test_defaults_allowed(void **state)
{
	(void)state;
	/* the defaults of profiles: Za, Zb and IKE */
	expect_ok("aes256gcm16-prfsha384-ecp384", IKE, true, true, true);
	expect_ok("aes256gcm16-ecp384", ESP, true, true, true);
	expect_ok("null-sha256", ESP, false, true, false);
}

static void test_esp_allowed(void **state)
{
	(void)state;
	/* integrity, no confidentiality */
	expect_ok("null-sha256", ESP, false, true, false);
	expect_ok("null-sha384", ESP, false, true, false);
	expect_ok("null-sha512-noesn", ESP, false, true, false);
	expect_ok("null-aesxcbc", ESP, false, true, false);
	expect_ok("aes256gmac", ESP, false, true, false);       /* AEAD integrity, no encryption */
	expect_ok("aes128gmac", ESP, false, true, false);
	expect_ok("aes192gmac-esn", ESP, false, true, false);
	expect_ok("aes256gmac-ecp384", ESP, false, true, true);
	/* both */
	expect_ok("aes256gcm16", ESP, true, true, false);
	expect_ok("aes128gcm8", ESP, true, true, false);
	expect_ok("aes256gcm", ESP, true, true, false);
	expect_ok("aes256gcm128", ESP, true, true, false);
	expect_ok("aes192ccm12", ESP, true, true, false);
	expect_ok("camellia256ccm16", ESP, true, true, false);
	expect_ok("chacha20poly1305", ESP, true, true, false);
	expect_ok("chacha20poly1305-x25519", ESP, true, true, true);
	expect_ok("aes256gcm16-chacha20poly1305", ESP, true, true, false);
	expect_ok("aes256-sha256", ESP, true, true, false);
	expect_ok("aes256-sha256-modp3072", ESP, true, true, true);
	expect_ok("aes128ctr-sha384-curve25519-esn", ESP, true, true, true);
	expect_ok("aes256-aes128-sha256-sha512", ESP, true, true, false);
	expect_ok("camellia256-aescmac", ESP, true, true, false);
	expect_ok("twofish256-sha2_512", ESP, true, true, false);
	expect_ok("aes256-sha256-none", ESP, true, true, false); /* 'none' is no key exchange */
	expect_ok("aes256-sha256-modpnone", ESP, true, true, false);
	/* one null cipher among others: not every cipher encrypts */
	expect_ok("null-aes256-sha256", ESP, false, true, false);
}

static void test_ike_allowed(void **state)
{
	(void)state;
	expect_ok("aes256gcm16-prfsha384-ecp384", IKE, true, true, true);
	expect_ok("aes256-sha256-modp2048", IKE, true, true, true);
	expect_ok("aes256-sha384-prfsha384-x448", IKE, true, true, true);
	expect_ok("chacha20poly1305-prfsha256-curve25519", IKE, true, true, true);
	expect_ok("aes128-aescmac-prfaescmac-ecp256bp", IKE, true, true, true);
	expect_ok("aes256gcm16-aes128gcm16-prfsha512-ecp521-modp4096", IKE, true, true, true);
	expect_ok("camellia256-sha512-modp8192", IKE, true, true, true);
	expect_ok("aes256ctr-aesxcbc-ecp384", IKE, true, true, true);
}

static void test_forbidden_classes(void **state)
{
	(void)state;
	expect_refused_both("des-sha256-ecp384", "des-sha256", "DES is forbidden (broken 56-bit key) ('des')");
	expect_refused_both("3des-sha256-ecp384", "3des-sha256",
	                    "3DES is forbidden (64-bit block, Sweet32) ('3des')");
	expect_refused_both("blowfish-sha256-ecp384", "blowfish-sha256",
	                    "Blowfish is forbidden (64-bit block, Sweet32) ('blowfish')");
	expect_refused_both("blowfish256-sha256-ecp384", "blowfish256-sha256",
	                    "Blowfish is forbidden (64-bit block, Sweet32) ('blowfish256')");
	expect_refused("blowfish128-sha256", ESP,
	               "Blowfish is forbidden (64-bit block, Sweet32) ('blowfish128') in proposal "
	               "'blowfish128-sha256'");
	expect_refused("blowfish192-sha256", ESP,
	               "Blowfish is forbidden (64-bit block, Sweet32) ('blowfish192') in proposal "
	               "'blowfish192-sha256'");
	expect_refused_both("cast128-sha256-ecp384", "cast128-sha256",
	                    "CAST-128 is forbidden (64-bit block, Sweet32) ('cast128')");
	expect_refused_both("aes256-sha1-ecp384", "aes256-sha1", "SHA-1 integrity is forbidden ('sha1')");
	expect_refused_both("aes256-sha-ecp384", "aes256-sha", "SHA-1 integrity is forbidden ('sha')");
	expect_refused_both("aes256-sha1_160-ecp384", "null-sha1_160",
	                    "SHA-1 integrity is forbidden ('sha1_160')");
	expect_refused_both("aes256-md5-ecp384", "aes256-md5", "MD5 is forbidden ('md5')");
	expect_refused_both("aes256-md5_128-ecp384", "null-md5_128", "MD5 is forbidden ('md5_128')");
	expect_refused("aes256-sha256-prfsha1-ecp384", IKE,
	               "a SHA-1 PRF is forbidden ('prfsha1') in proposal 'aes256-sha256-prfsha1-ecp384'");
	expect_refused("aes256-sha256-prfmd5-ecp384", IKE,
	               "an MD5 PRF is forbidden ('prfmd5') in proposal 'aes256-sha256-prfmd5-ecp384'");
	expect_refused_both("aes256-sha256-modpnull", "aes256-sha256-modpnull",
	                    "the NULL key exchange is forbidden ('modpnull')");
	expect_refused_both("aes256-sha256-modp768", "aes256-sha256-modp768",
	                    "MODP groups below 2048 bits are forbidden ('modp768')");
	expect_refused_both("aes256-sha256-modp1024", "aes256gcm16-modp1024",
	                    "MODP groups below 2048 bits are forbidden ('modp1024')");
	expect_refused_both("aes256-sha256-modp1536", "aes256gcm16-modp1536",
	                    "MODP groups below 2048 bits are forbidden ('modp1536')");
	expect_refused_both("aes256-sha256-modp1024s160", "aes256gcm16-modp1024s160",
	                    "MODP groups below 2048 bits are forbidden ('modp1024s160')");
	expect_refused_both("aes256-sha256-ecp192", "aes256gcm16-ecp192",
	                    "ECP-192 is weaker than MODP-2048 and forbidden ('ecp192')");
	/* no integrity at all: NULL integrity */
	expect_refused("aes256", ESP, "proposal 'aes256' has no integrity protection (NULL integrity is forbidden)");
	expect_refused("null", ESP, "proposal 'null' has no integrity protection (NULL integrity is forbidden)");
	expect_refused("aes256-modp2048", IKE,
	               "proposal 'aes256-modp2048' has no integrity protection (NULL integrity is forbidden)");
}

static void test_every_forbidden_named(void **state)
{
	(void)state;
	expect_refused("3des-md5-modp1024", IKE,
	               "3DES is forbidden (64-bit block, Sweet32) ('3des'); MD5 is forbidden ('md5'); "
	               "MODP groups below 2048 bits are forbidden ('modp1024') in proposal '3des-md5-modp1024'");
	expect_refused("aes256-sha1-prfsha1-modp1536", IKE,
	               "SHA-1 integrity is forbidden ('sha1'); a SHA-1 PRF is forbidden ('prfsha1'); MODP "
	               "groups below 2048 bits are forbidden ('modp1536') in proposal "
	               "'aes256-sha1-prfsha1-modp1536'");
	/* a forbidden algorithm wins over a missing integrity algorithm */
	expect_refused("des", ESP, "DES is forbidden (broken 56-bit key) ('des') in proposal 'des'");
}

static void test_unknown_and_malformed(void **state)
{
	char long_tok[64], text[96];

	(void)state;
	expect_refused("aes256-sha256-foo", ESP, "unknown algorithm 'foo' in proposal 'aes256-sha256-foo'");
	expect_refused("foo", IKE, "unknown algorithm 'foo' in proposal 'foo'");
	/* strongSwan's keywords are lower case */
	expect_refused("AES256-sha256", ESP, "unknown algorithm 'AES256' in proposal 'AES256-sha256'");
	expect_refused("aes257gcm16", ESP, "unknown algorithm 'aes257gcm16' in proposal 'aes257gcm16'");
	expect_refused("aes256gcm24", ESP, "unknown algorithm 'aes256gcm24' in proposal 'aes256gcm24'");
	expect_refused("camellia256gcm16", ESP,
	               "unknown algorithm 'camellia256gcm16' in proposal 'camellia256gcm16'");
	expect_refused("aes256 -sha256", ESP, "unknown algorithm 'aes256 ' in proposal 'aes256 -sha256'");
	expect_refused("", ESP, "empty proposal");
	expect_refused("", IKE, "empty proposal");
	expect_refused("aes256--sha256", ESP, "malformed proposal 'aes256--sha256'");
	expect_refused("aes256-sha256-", ESP, "malformed proposal 'aes256-sha256-'");
	expect_refused("-aes256-sha256", ESP, "malformed proposal '-aes256-sha256'");
	expect_refused("-", ESP, "malformed proposal '-'");
	memset(long_tok, 'a', 40);
	long_tok[40] = '\0';
	snprintf(text, sizeof(text), "%s-sha256", long_tok);
	{
		char msg[160];

		snprintf(msg, sizeof(msg), "malformed proposal '%s'", text);
		expect_refused(text, ESP, msg);
	}
	/* an unknown name reported before any forbidden one after it is looked at */
	expect_refused("3des-foo", ESP, "unknown algorithm 'foo' in proposal '3des-foo'");
}

static void test_aead_rules(void **state)
{
	(void)state;
	expect_refused("aes256gcm16-aes256-sha256", ESP,
	               "proposal 'aes256gcm16-aes256-sha256' mixes AEAD and non-AEAD ciphers");
	expect_refused("null-aes256gmac", ESP, "proposal 'null-aes256gmac' mixes AEAD and non-AEAD ciphers");
	expect_refused("aes256-chacha20poly1305-sha256", ESP,
	               "proposal 'aes256-chacha20poly1305-sha256' mixes AEAD and non-AEAD ciphers");
	expect_refused("aes256gcm16-sha256", ESP,
	               "proposal 'aes256gcm16-sha256' adds an integrity algorithm to an AEAD cipher");
	expect_refused("aes256gcm16-sha256-prfsha256-ecp384", IKE,
	               "proposal 'aes256gcm16-sha256-prfsha256-ecp384' adds an integrity algorithm to an "
	               "AEAD cipher");
	expect_refused("aes256gmac-sha256", ESP,
	               "proposal 'aes256gmac-sha256' adds an integrity algorithm to an AEAD cipher");
	expect_refused("sha256", ESP,
	               "proposal 'sha256' names no encryption algorithm (use null for integrity only)");
	expect_refused("sha256-prfsha256-ecp384", IKE,
	               "proposal 'sha256-prfsha256-ecp384' names no encryption algorithm (use null for "
	               "integrity only)");
	expect_refused("ecp384", ESP,
	               "proposal 'ecp384' names no encryption algorithm (use null for integrity only)");
}

static void test_ike_structure(void **state)
{
	(void)state;
	expect_refused("aes256gcm16-prfsha384", IKE,
	               "IKE proposal 'aes256gcm16-prfsha384' needs a key exchange method (e.g. ecp384)");
	expect_refused("aes256-sha256", IKE, "IKE proposal 'aes256-sha256' needs a key exchange method (e.g. ecp384)");
	expect_refused("aes256-sha256-none", IKE,
	               "'none' cannot be used in an IKE proposal ('aes256-sha256-none')");
	expect_refused("aes256-sha256-modpnone", IKE,
	               "'modpnone' cannot be used in an IKE proposal ('aes256-sha256-modpnone')");
	expect_refused("null-sha256-ecp384", IKE, "'null' cannot be used in an IKE proposal ('null-sha256-ecp384')");
	expect_refused("aes256gmac-prfsha256-ecp384", IKE,
	               "'aes256gmac' cannot be used in an IKE proposal ('aes256gmac-prfsha256-ecp384')");
	expect_refused("aes256-sha256-ecp384-esn", IKE,
	               "'esn' cannot be used in an IKE proposal ('aes256-sha256-ecp384-esn')");
	expect_refused("aes256-sha256-ecp384-noesn", IKE,
	               "'noesn' cannot be used in an IKE proposal ('aes256-sha256-ecp384-noesn')");
	/* and ESP takes no PRF */
	expect_refused("aes256gcm16-prfsha384", ESP,
	               "'prfsha384' is a PRF and has no place in an ESP proposal ('aes256gcm16-prfsha384')");
	expect_refused("aes256-sha256-prfsha256", ESP,
	               "'prfsha256' is a PRF and has no place in an ESP proposal ('aes256-sha256-prfsha256')");
}

/* strongSwan refuses an IKE proposal without a PRF it can name or derive
 * ("a PRF algorithm is mandatory in IKE proposals", check_proposal() in
 * libstrongswan/crypto/proposal/proposal.c).  A proposal that passes here
 * must load in charon. */
static void test_ike_needs_prf(void **state)
{
	(void)state;
	/* an AEAD cipher has no integrity algorithm to derive it from */
	expect_refused("aes256gcm16-ecp384", IKE,
	               "IKE proposal 'aes256gcm16-ecp384' needs a PRF with an AEAD cipher (e.g. prfsha384)");
	expect_refused("chacha20poly1305-x25519", IKE,
	               "IKE proposal 'chacha20poly1305-x25519' needs a PRF with an AEAD cipher (e.g. prfsha384)");
	expect_refused("aes128gcm16-aes256gcm16-modp3072", IKE, NULL);
	/* with a classic integrity algorithm strongSwan derives it: fine */
	expect_ok("aes256-sha384-ecp384", IKE, true, true, true);
	expect_ok("aes256-aesxcbc-ecp384", IKE, true, true, true);
	/* but not from the 96-bit truncated SHA-256 (AUTH_HMAC_SHA2_256_96 is
	 * not in strongSwan's integ_prf_map): charon refuses these */
	expect_refused("aes256-sha256_96-ecp384", IKE, NULL);
	expect_refused("aes256-sha2_256_96-ecp384", IKE, NULL);
	/* with the PRF named they load */
	expect_ok("aes256-sha256_96-prfsha256-ecp384", IKE, true, true, true);
	/* ESP has no PRF to need */
	expect_ok("aes256-sha256_96", ESP, true, true, false);
}

static void test_small_error_buffer(void **state)
{
	struct proposal_info info;
	char *err = malloc(10);
	char big[64 * 5 + 1] = "";
	size_t i;

	(void)state;
	/* truncated, terminated, never beyond errlen (ASan watches the malloc) */
	assert_false(proposal_check("3des-md5-modp1024", IKE, &info, err, 10));
	assert_string_equal(err, "3DES is f");
	assert_false(proposal_check("aes256-sha256-foo", ESP, &info, err, 10));
	assert_int_equal(strlen(err), 9);
	free(err);

	/* many forbidden tokens: the reasons are cut, not overflowed */
	for (i = 0; i < 64; i++)
		strcat(big, i ? "-3des" : "3des");
	{
		char e[1024];

		assert_false(proposal_check(big, ESP, &info, e, sizeof(e)));
		assert_true(!strncmp(e, "3DES is forbidden (64-bit block, Sweet32) ('3des'); ", 52));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_allowed),
		cmocka_unit_test(test_esp_allowed),
		cmocka_unit_test(test_ike_allowed),
		cmocka_unit_test(test_forbidden_classes),
		cmocka_unit_test(test_every_forbidden_named),
		cmocka_unit_test(test_unknown_and_malformed),
		cmocka_unit_test(test_aead_rules),
		cmocka_unit_test(test_ike_structure),
		cmocka_unit_test(test_ike_needs_prf),
		cmocka_unit_test(test_small_error_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
