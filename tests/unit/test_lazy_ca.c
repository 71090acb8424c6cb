/* test_lazy_ca: the plugin's lazy CA certificate (plugin/zsec_lazy_ca.c)
 * against the x509 plugin's, in libstrongswan with Debian's plugins: the
 * same answers to what charon asks, no full parse for a look-up, and a CA
 * that does not parse in full vouches for nobody. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <library.h>
#include <credentials/certificates/x509.h>

#include "zsec_creds.h"
#include "zsec_lazy_ca.h"

/* the sanitizers' build: the openssl plugin loads OpenSSL's default
 * provider and never unloads it, which is no leak of ours */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcrypto.so\n";
}

/* what the test's certificates are made with, once */
static private_key_t *ca_key, *other_key, *end_key;

static private_key_t *ecdsa_key(void)
{
	return lib->creds->create(lib->creds, CRED_PRIVATE_KEY, KEY_ECDSA,
							  BUILD_KEY_SIZE, 256, BUILD_END);
}

/* a self-signed certificate with these flags; with a subjectAltName if san */
static certificate_t *make_self(private_key_t *key, const char *dn, const char *san,
								x509_flag_t flags)
{
	identification_t *subject = identification_create_from_string((char*)dn);
	identification_t *alt = san ? identification_create_from_string((char*)san) : NULL;
	linked_list_t *sans = linked_list_create();
	public_key_t *public = key->get_public_key(key);
	certificate_t *cert;

	if (alt)
	{
		sans->insert_last(sans, alt);
	}
	cert = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
							  BUILD_SIGNING_KEY, key, BUILD_PUBLIC_KEY, public,
							  BUILD_SUBJECT, subject, BUILD_SUBJECT_ALTNAMES, sans,
							  BUILD_X509_FLAG, flags, BUILD_END);
	sans->destroy(sans);
	DESTROY_IF(alt);
	public->destroy(public);
	subject->destroy(subject);
	assert_non_null(cert);
	return cert;
}

/* a CA certificate, self-signed; with a subjectAltName if san */
static certificate_t *make_ca(private_key_t *key, const char *dn, const char *san)
{
	return make_self(key, dn, san, X509_CA);
}

/* a gateway's certificate issued by ca */
static certificate_t *make_end(certificate_t *ca, private_key_t *ca_priv)
{
	identification_t *subject = identification_create_from_string(
										"C=XX, O=operator-b, CN=seg-b1");
	public_key_t *public = end_key->get_public_key(end_key);
	certificate_t *cert;

	cert = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
							  BUILD_SIGNING_KEY, ca_priv, BUILD_SIGNING_CERT, ca,
							  BUILD_PUBLIC_KEY, public, BUILD_SUBJECT, subject,
							  BUILD_END);
	public->destroy(public);
	subject->destroy(subject);
	assert_non_null(cert);
	return cert;
}

static chunk_t der_of(certificate_t *cert)
{
	chunk_t der;

	assert_true(cert->get_encoding(cert, CERT_ASN1_DER, &der));
	return der;
}

static certificate_t *lazy_of(certificate_t *cert)
{
	return zsec_lazy_ca_create(der_of(cert));
}

/* the CA with a byte of its public key changed: a point off the curve,
 * which the light walk reads and OpenSSL refuses */
static chunk_t broken_key_der(certificate_t *ca)
{
	public_key_t *public = ca->get_public_key(ca);
	chunk_t der = der_of(ca), key;
	u_char *at;

	assert_true(public->get_encoding(public, PUBKEY_SPKI_ASN1_DER, &key));
	at = memmem(der.ptr, der.len, key.ptr, key.len);
	assert_non_null(at);
	at[key.len - 1] ^= 0x01;
	free(key.ptr);
	public->destroy(public);
	return der;
}

static identification_t *key_id(chunk_t id)
{
	return identification_create_from_encoding(ID_KEY_ID, id);
}

/* has_subject() of both, for one identity */
static void same_match(certificate_t *lazy, certificate_t *full,
					   identification_t *id, id_match_t want)
{
	assert_int_equal(lazy->has_subject(lazy, id), want);
	assert_int_equal(full->has_subject(full, id), want);
	id->destroy(id);
}

/* the CA as charon would have it: parsed from its DER by the x509 plugin
 * (a certificate just made keeps its serial without the DER's padding) */
static certificate_t *parsed(certificate_t *cert)
{
	chunk_t der = der_of(cert);
	certificate_t *full;

	full = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
							  BUILD_BLOB_ASN1_DER, der, BUILD_END);
	free(der.ptr);
	cert->destroy(cert);
	assert_non_null(full);
	return full;
}

/* whether an enumerator yields nothing */
static bool none_of(enumerator_t *enumerator)
{
	void *item;
	bool empty = !enumerator->enumerate(enumerator, &item);

	enumerator->destroy(enumerator);
	return empty;
}

static void test_lookups_match_as_the_x509_plugin(void **state)
{
	certificate_t *full = parsed(make_ca(ca_key, "C=XX, O=operator-b, CN=operator-b CA", NULL));
	certificate_t *lazy = lazy_of(full);
	public_key_t *public = full->get_public_key(full);
	x509_t *x509 = (x509_t*)full;
	chunk_t fp;
	int type;

	assert_non_null(lazy);
	/* before and after the full parse */
	for (int pass = 0; pass < 2; pass++)
	{
		same_match(lazy, full, identification_create_from_string(
				"C=XX, O=operator-b, CN=operator-b CA"), ID_MATCH_PERFECT);
		same_match(lazy, full, identification_create_from_string(
				"C=XX, O=operator-b, CN=*"), ID_MATCH_ONE_WILDCARD);
		same_match(lazy, full, identification_create_from_string(
				"C=XX, O=operator-c, CN=operator-c CA"), ID_MATCH_NONE);
		same_match(lazy, full, key_id(x509->get_subjectKeyIdentifier(x509)),
				   ID_MATCH_PERFECT);
		for (type = KEYID_PUBKEY_INFO_SHA1; type <= KEYID_PUBKEY_SHA1; type++)
		{
			assert_true(public->get_fingerprint(public, type, &fp));
			same_match(lazy, full, key_id(fp), ID_MATCH_PERFECT);
		}
		same_match(lazy, full, key_id(x509->get_serial(x509)), ID_MATCH_PERFECT);
		same_match(lazy, full, key_id(chunk_from_chars(0x01, 0x02, 0x03)),
				   ID_MATCH_NONE);
		assert_true(lazy->get_subject(lazy)->equals(lazy->get_subject(lazy),
													full->get_subject(full)));
		assert_int_equal(((x509_t*)lazy)->get_flags((x509_t*)lazy),
						 x509->get_flags(x509));
	}
	assert_true(lazy->equals(lazy, full));
	assert_true(full->equals(full, lazy));
	public->destroy(public);
	lazy->destroy(lazy);
	full->destroy(full);
}

/* no extensions at all: subjectPublicKeyInfo ends the TBSCertificate (the
 * light walk once read past it, found by fuzz_lazy_ca) */
static void test_no_extensions(void **state)
{
	certificate_t *full = parsed(make_self(ca_key, "C=XX, O=operator-b, CN=v1", NULL,
										   X509_NONE));
	certificate_t *lazy = lazy_of(full);
	public_key_t *public = full->get_public_key(full);
	chunk_t fp;

	assert_non_null(lazy);
	assert_true(public->get_fingerprint(public, KEYID_PUBKEY_INFO_SHA1, &fp));
	same_match(lazy, full, key_id(fp), ID_MATCH_PERFECT);
	assert_true(public->get_fingerprint(public, KEYID_PUBKEY_SHA1, &fp));
	same_match(lazy, full, key_id(fp), ID_MATCH_PERFECT);
	assert_true(lazy->issued_by(lazy, lazy, NULL));
	public->destroy(public);
	lazy->destroy(lazy);
	full->destroy(full);
}

static void test_trust_comes_from_the_full_parse(void **state)
{
	certificate_t *ca = make_ca(ca_key, "C=XX, O=operator-b, CN=operator-b CA", NULL);
	certificate_t *other = make_ca(other_key, "C=XX, O=operator-c, CN=operator-c CA", NULL);
	certificate_t *end = make_end(ca, ca_key);
	certificate_t *lazy = lazy_of(ca), *lazy_other = lazy_of(other);
	public_key_t *public;
	time_t not_after;

	assert_true(lazy->issued_by(lazy, lazy, NULL));         /* self-signed */
	assert_true(((x509_t*)lazy)->get_flags((x509_t*)lazy) & X509_CA);
	assert_true(end->issued_by(end, lazy, NULL));
	assert_false(end->issued_by(end, lazy_other, NULL));
	assert_false(lazy->issued_by(lazy, lazy_other, NULL));
	assert_true(lazy->get_validity(lazy, NULL, NULL, &not_after));
	assert_true(not_after > time(NULL));
	public = lazy->get_public_key(lazy);
	assert_non_null(public);
	public->destroy(public);
	end->destroy(end);
	lazy->destroy(lazy);
	lazy_other->destroy(lazy_other);
	other->destroy(other);
	ca->destroy(ca);
}

/* a CA with a path length: parsed, it goes slim (the x509 plugin's object is
 * not kept) and answers every question of trust as the x509 plugin does */
static void test_slim_answers_as_the_x509_plugin(void **state)
{
	identification_t *dn = identification_create_from_string(
										"C=XX, O=operator-b, CN=operator-b CA");
	public_key_t *public = ca_key->get_public_key(ca_key), *a, *b;
	certificate_t *ca, *full, *lazy, *end;
	x509_t *fx, *lx;
	signature_params_t *fs = NULL, *ls = NULL;
	time_t fb, fa, lb, la, when;
	x509_constraint_t c;

	ca = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
							BUILD_SIGNING_KEY, ca_key, BUILD_PUBLIC_KEY, public,
							BUILD_SUBJECT, dn, BUILD_X509_FLAG, X509_CA,
							BUILD_PATHLEN, 1, BUILD_END);
	assert_non_null(ca);
	end = make_end(ca, ca_key);
	full = parsed(ca);
	lazy = lazy_of(full);
	fx = (x509_t*)full;
	lx = (x509_t*)lazy;
	assert_non_null(lazy);

	assert_true(lazy->issued_by(lazy, lazy, &ls));
	assert_true(full->issued_by(full, full, &fs));
	assert_true(signature_params_equal(ls, fs));
	assert_int_equal(lx->get_flags(lx), fx->get_flags(fx));
	assert_true(lx->get_flags(lx) & X509_SELF_SIGNED);
	for (c = X509_PATH_LEN; c <= X509_INHIBIT_ANY_POLICY; c++)
	{
		assert_int_equal(lx->get_constraint(lx, c), fx->get_constraint(fx, c));
	}
	assert_int_equal(lx->get_constraint(lx, X509_PATH_LEN), 1);
	assert_true(chunk_equals(lx->get_subjectKeyIdentifier(lx),
							 fx->get_subjectKeyIdentifier(fx)));
	assert_int_equal(chunk_compare(lx->get_authKeyIdentifier(lx),
								   fx->get_authKeyIdentifier(fx)), 0);
	assert_int_equal(lazy->get_validity(lazy, NULL, &lb, &la),
					 full->get_validity(full, NULL, &fb, &fa));
	assert_int_equal(lb, fb);
	assert_int_equal(la, fa);
	when = fa + 1;
	assert_false(lazy->get_validity(lazy, &when, NULL, NULL));
	a = lazy->get_public_key(lazy);
	b = full->get_public_key(full);
	assert_true(a->equals(a, b));
	a->destroy(a);
	b->destroy(b);
	/* what it issued, and what it did not */
	assert_true(end->issued_by(end, lazy, NULL));
	assert_false(lazy->issued_by(lazy, end, NULL));
	assert_true(none_of(lx->create_crl_uri_enumerator(lx)));
	same_match(lazy, full, identification_create_from_string(
			"C=XX, O=operator-b, CN=operator-b CA"), ID_MATCH_PERFECT);
	same_match(lazy, full, key_id(fx->get_subjectKeyIdentifier(fx)),
			   ID_MATCH_PERFECT);

	signature_params_destroy(ls);
	signature_params_destroy(fs);
	end->destroy(end);
	lazy->destroy(lazy);
	full->destroy(full);
	public->destroy(public);
	dn->destroy(dn);
}

/* a CA with an extension x509_t enumerates (an OCSP URI) keeps the x509
 * plugin's object, which answers */
static void test_extensions_keep_the_full_parse(void **state)
{
	identification_t *dn = identification_create_from_string(
										"C=XX, O=operator-b, CN=operator-b CA");
	public_key_t *public = ca_key->get_public_key(ca_key);
	linked_list_t *uris = linked_list_create();
	certificate_t *ca, *lazy, *end;
	enumerator_t *enumerator;
	x509_t *lx;
	char *uri;

	uris->insert_last(uris, "http://ocsp.operator-b.example");
	ca = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
							BUILD_SIGNING_KEY, ca_key, BUILD_PUBLIC_KEY, public,
							BUILD_SUBJECT, dn, BUILD_X509_FLAG, X509_CA,
							BUILD_OCSP_ACCESS_LOCATIONS, uris, BUILD_END);
	assert_non_null(ca);
	end = make_end(ca, ca_key);
	lazy = lazy_of(ca);
	lx = (x509_t*)lazy;
	assert_non_null(lazy);
	assert_true(lazy->issued_by(lazy, lazy, NULL));
	enumerator = lx->create_ocsp_uri_enumerator(lx);
	assert_true(enumerator->enumerate(enumerator, &uri));
	assert_string_equal(uri, "http://ocsp.operator-b.example");
	enumerator->destroy(enumerator);
	assert_true(end->issued_by(end, lazy, NULL));

	end->destroy(end);
	lazy->destroy(lazy);
	ca->destroy(ca);
	uris->destroy(uris);
	public->destroy(public);
	dn->destroy(dn);
}

static void test_a_ca_that_does_not_parse_vouches_for_nobody(void **state)
{
	certificate_t *ca = make_ca(ca_key, "C=XX, O=operator-b, CN=operator-b CA", NULL);
	certificate_t *end = make_end(ca, ca_key);
	chunk_t der = broken_key_der(ca);
	certificate_t *lazy, *full;
	identification_t *dn = ca->get_subject(ca);

	full = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
							  BUILD_BLOB_ASN1_DER, der, BUILD_END);
	assert_null(full);                         /* the x509 plugin refuses it */
	lazy = zsec_lazy_ca_create(der);
	assert_non_null(lazy);                     /* the light walk does not */
	/* a look-up is no full parse: it matches on the subject still */
	assert_int_equal(lazy->has_subject(lazy, dn), ID_MATCH_PERFECT);
	/* and trust is: nothing */
	assert_false(end->issued_by(end, lazy, NULL));
	assert_null(lazy->get_public_key(lazy));
	assert_int_equal(((x509_t*)lazy)->get_flags((x509_t*)lazy), X509_NONE);
	assert_false(lazy->issued_by(lazy, lazy, NULL));
	assert_false(lazy->get_validity(lazy, NULL, NULL, NULL));
	assert_int_equal(lazy->has_subject(lazy, dn), ID_MATCH_NONE);
	lazy->destroy(lazy);
	end->destroy(end);
	ca->destroy(ca);
}

/* charon looks a peer's issuer up in the credential set by key identifier
 * and by subject, through every CA: no look-up may parse them all */
static void test_set_lookups_parse_nothing(void **state)
{
	certificate_t *ca = make_ca(ca_key, "C=XX, O=operator-b, CN=operator-b CA", NULL);
	certificate_t *lazy = zsec_lazy_ca_create(broken_key_der(ca)), *found;
	zsec_creds_t *creds = zsec_creds_create(NULL, NULL);
	identification_t *ski = key_id(((x509_t*)ca)->get_subjectKeyIdentifier((x509_t*)ca));
	identification_t *ids[] = { ca->get_subject(ca), ski };
	enumerator_t *enumerator;
	int i;

	creds->add_cert(creds, lazy, TRUE);
	for (i = 0; i < countof(ids); i++)
	{
		enumerator = creds->set.create_cert_enumerator(&creds->set, CERT_X509,
													   KEY_ANY, ids[i], TRUE);
		/* found by the light walk: a full parse would have failed it */
		assert_true(enumerator->enumerate(enumerator, &found));
		assert_ptr_equal(found, lazy);
		enumerator->destroy(enumerator);
	}
	assert_null(lazy->get_public_key(lazy));
	creds->destroy(creds);
	ski->destroy(ski);
	lazy->destroy(lazy);
	ca->destroy(ca);
}

/* a request for every trusted CA (the CERTREQ of an IKE_SA_INIT response)
 * is answered with the CA of the IKE_SA's link only */
static certificate_t *request_answer;
static bool request_known;

static bool request_ca(void *ctx, certificate_t **ca)
{
	*ca = request_answer;
	return request_known;
}

static int count_trusted(zsec_creds_t *creds, certificate_t *want)
{
	enumerator_t *enumerator;
	certificate_t *cert;
	int n = 0;

	enumerator = creds->set.create_cert_enumerator(&creds->set, CERT_ANY,
												   KEY_ANY, NULL, TRUE);
	while (enumerator->enumerate(enumerator, &cert))
	{
		n++;
		assert_true(!want || cert == want);
	}
	enumerator->destroy(enumerator);
	return n;
}

static void test_every_ca_request_names_the_links(void **state)
{
	certificate_t *made_b = make_ca(ca_key, "C=XX, O=operator-b, CN=operator-b CA", NULL);
	certificate_t *made_c = make_ca(other_key, "C=XX, O=operator-c, CN=operator-c CA", NULL);
	certificate_t *b = lazy_of(made_b), *c = lazy_of(made_c);
	zsec_creds_t *creds = zsec_creds_create(request_ca, NULL);

	creds->add_cert(creds, b, TRUE);
	creds->add_cert(creds, c, TRUE);
	request_known = TRUE;
	request_answer = c;
	assert_int_equal(count_trusted(creds, c), 1);
	request_answer = NULL;                     /* a PSK link, or no link */
	assert_int_equal(count_trusted(creds, NULL), 0);
	request_known = FALSE;                     /* no IKE_SA: all of them */
	assert_int_equal(count_trusted(creds, NULL), 2);
	creds->destroy(creds);
	b->destroy(b);
	c->destroy(c);
	made_b->destroy(made_b);
	made_c->destroy(made_c);
}

static void test_not_lazy(void **state)
{
	certificate_t *san = make_ca(ca_key, "C=XX, O=operator-b, CN=operator-b CA",
								 "ca.operator-b.example");

	/* subjectAltNames: the light walk does not match them, so no */
	assert_null(lazy_of(san));
	assert_null(zsec_lazy_ca_create(chunk_clone(chunk_from_str("not DER"))));
	assert_null(zsec_lazy_ca_create(chunk_clone(chunk_from_chars(0x30, 0x03, 0x30, 0x01))));
	san->destroy(san);
}

/* zsec_load_ca() on files: PEM and DER lazily, the rest by the x509 plugin */
static void write_file(const char *path, chunk_t data)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data.ptr, 1, data.len, f), data.len);
	fclose(f);
}

static void test_load_ca_files(void **state)
{
	certificate_t *ca = make_ca(ca_key, "C=XX, O=operator-b, CN=operator-b CA", NULL);
	certificate_t *san = make_ca(ca_key, "C=XX, O=operator-b, CN=operator-b CA",
								 "ca.operator-b.example");
	char dir[] = "/tmp/test_lazy_ca.XXXXXX", path[64], err[256] = "";
	chunk_t broken = broken_key_der(ca), pem;
	certificate_t *loaded;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ca", dir);

	/* a CA whose key OpenSSL refuses, in PEM: loaded, so lazily */
	assert_true(lib->encoding->encode(lib->encoding, CERT_PEM, NULL, &pem,
					CRED_PART_X509_ASN1_DER, broken, CRED_PART_END));
	write_file(path, pem);
	loaded = zsec_load_ca(path, err, sizeof(err));
	assert_non_null(loaded);
	assert_null(loaded->get_public_key(loaded));
	loaded->destroy(loaded);
	/* and in DER */
	write_file(path, broken);
	loaded = zsec_load_ca(path, err, sizeof(err));
	assert_non_null(loaded);
	loaded->destroy(loaded);
	/* the same, parsed at once: refused at once */
	assert_null(zsec_load_cert(path, err, sizeof(err)));
	/* a CA with subjectAltNames, parsed at once: it works */
	chunk_free(&pem);
	assert_true(san->get_encoding(san, CERT_PEM, &pem));
	write_file(path, pem);
	loaded = zsec_load_ca(path, err, sizeof(err));
	assert_non_null(loaded);
	assert_true(loaded->equals(loaded, san));
	assert_true(loaded->issued_by(loaded, loaded, NULL));
	loaded->destroy(loaded);
	/* what is no certificate: the reason */
	write_file(path, chunk_from_str("-----BEGIN CERTIFICATE-----\nnot base64!\n"
									"-----END CERTIFICATE-----\n"));
	assert_null(zsec_load_ca(path, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot load certificate"));

	unlink(path);
	rmdir(dir);
	chunk_free(&pem);
	chunk_free(&broken);
	san->destroy(san);
	ca->destroy(ca);
}

static int setup(void **state)
{
	if (!library_init(NULL, "test_lazy_ca") ||
		!lib->plugins->load(lib->plugins,
							"random nonce x509 pem pkcs1 pkcs8 openssl sha1 sha2"))
	{
		return -1;
	}
	dbg_default_set_level(-1);        /* the refusals are the tests' own */
	ca_key = ecdsa_key();
	other_key = ecdsa_key();
	end_key = ecdsa_key();
	return ca_key && other_key && end_key ? 0 : -1;
}

static int teardown(void **state)
{
	ca_key->destroy(ca_key);
	other_key->destroy(other_key);
	end_key->destroy(end_key);
	library_deinit();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups_match_as_the_x509_plugin),
		cmocka_unit_test(test_no_extensions),
		cmocka_unit_test(test_trust_comes_from_the_full_parse),
		cmocka_unit_test(test_slim_answers_as_the_x509_plugin),
		cmocka_unit_test(test_extensions_keep_the_full_parse),
		cmocka_unit_test(test_a_ca_that_does_not_parse_vouches_for_nobody),
		cmocka_unit_test(test_set_lookups_parse_nothing),
		cmocka_unit_test(test_every_ca_request_names_the_links),
		cmocka_unit_test(test_not_lazy),
		cmocka_unit_test(test_load_ca_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
