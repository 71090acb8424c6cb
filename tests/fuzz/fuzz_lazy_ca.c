/* fuzz_lazy_ca: any bytes as a CA certificate's DER, the plugin's light
 * walk (plugin/zsec_lazy_ca.c).  What it accepts must answer look-ups and
 * then the full parse's questions without crashing; the full parse here
 * has no OpenSSL (x509 and sha1 only), so it fails on the public key of
 * anything and takes the path of a CA that does not parse. */
#include <stdint.h>
#include <stdlib.h>

#include <library.h>

#include "zsec_lazy_ca.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!library_init(NULL, "fuzz_lazy_ca") ||
		!lib->plugins->load(lib->plugins, "sha1 x509"))
	{
		abort();
	}
	dbg_default_set_level(-1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	certificate_t *cert;
	identification_t *subject, *keyid;
	x509_t *x509;

	cert = zsec_lazy_ca_create(chunk_clone(chunk_create((u_char*)data, size)));
	if (!cert)
	{
		return 0;
	}
	x509 = (x509_t*)cert;
	subject = cert->get_subject(cert);
	keyid = identification_create_from_encoding(ID_KEY_ID, x509->get_serial(x509));
	if (x509->get_serial(x509).len &&
		cert->has_subject(cert, keyid) != ID_MATCH_PERFECT)
	{
		abort();        /* a CA that does not match its own serial */
	}
	cert->has_subject(cert, subject);
	/* the full parse's questions */
	x509->get_flags(x509);
	cert->issued_by(cert, cert, NULL);
	DESTROY_IF(cert->get_public_key(cert));
	cert->has_subject(cert, subject);
	keyid->destroy(keyid);
	cert->destroy(cert);
	return 0;
}
