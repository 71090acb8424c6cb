/* fuzz_lazy_ca: any bytes as a CA certificate's DER, the plugin's light
 * walk (plugin/zsec_lazy_ca.c).  What it accepts must answer look-ups and
 * then the full parse's questions without crashing, whether the full
 * parse fails, is kept, or goes slim (the seeds are real CAs). */
#include <stdint.h>
#include <stdlib.h>

#include <library.h>

#include "zsec_lazy_ca.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!library_init(NULL, "fuzz_lazy_ca") ||
		!lib->plugins->load(lib->plugins, "sha1 x509 pkcs1 openssl"))
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
	public_key_t *key;
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
	/* the full parse's questions, kept in full or slim */
	x509->get_flags(x509);
	cert->issued_by(cert, cert, NULL);
	key = cert->get_public_key(cert);
	DESTROY_IF(key);        /* not of the call: the macro evaluates it twice */
	cert->get_validity(cert, NULL, NULL, NULL);
	x509->get_constraint(x509, X509_PATH_LEN);
	x509->get_subjectKeyIdentifier(x509);
	x509->get_authKeyIdentifier(x509);
	cert->has_subject(cert, subject);
	keyid->destroy(keyid);
	cert->destroy(cert);
	return 0;
}
