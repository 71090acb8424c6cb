/*
 * zsec_creds: the certificates, keys and secrets of one plan snapshot.
 *
 * Built once per apply and never changed afterwards, so lookups take no
 * lock.  Unlike mem_cred it does not search for duplicates on every add:
 * the config loads each file once, and a 10,000-partner plan must not cost
 * a quadratic number of certificate comparisons.  Certificates are
 * borrowed: the snapshot's peer_cfgs hold them (their auth_cfgs), so
 * rebuilding the set for a one-link change touches no certificate.
 */
#ifndef ZSEC_CREDS_H_
#define ZSEC_CREDS_H_

#include <credentials/credential_set.h>
#include <credentials/certificates/certificate.h>
#include <credentials/keys/private_key.h>
#include <credentials/keys/shared_key.h>
#include <utils/identification.h>

typedef struct zsec_creds_t zsec_creds_t;

struct zsec_creds_t {

	/** Implements credential_set_t */
	credential_set_t set;

	/**
	 * Add a certificate.
	 *
	 * @param cert		certificate, borrowed: it must outlive the set
	 * @param trusted	TRUE for a trust anchor (a CA)
	 */
	void (*add_cert)(zsec_creds_t *this, certificate_t *cert, bool trusted);

	/**
	 * Add a private key, a reference is taken.
	 */
	void (*add_key)(zsec_creds_t *this, private_key_t *key);

	/**
	 * Add a pre-shared key for a pair of identities (cloned).
	 */
	void (*add_shared)(zsec_creds_t *this, shared_key_t *key,
					   identification_t *me, identification_t *other);

	/**
	 * Destroy the set and release its references.
	 */
	void (*destroy)(zsec_creds_t *this);
};

/**
 * The CA to answer a request for every trusted CA with.  charon asks so for
 * the CERTREQ of an IKE_SA_INIT response, before it knows the peer's
 * configuration; the answer is the CA of the link the IKE_SA is with, not
 * every partner's: 10,000 key identifiers are 200 kB, far more than an
 * IKE_SA_INIT can carry, and each CA would be parsed in full for it.
 *
 * @param ctx		the context given to zsec_creds_create()
 * @param ca		the link's CA, NULL for none (a PSK link, no link)
 * @return			FALSE if the request comes from no IKE_SA: every CA
 */
typedef bool (*zsec_request_ca_t)(void *ctx, certificate_t **ca);

/**
 * @param request_ca	the CA for a request of every trusted CA, or NULL
 * @param ctx			its context
 */
zsec_creds_t *zsec_creds_create(zsec_request_ca_t request_ca, void *ctx);

/**
 * Load credentials from files; NULL with a reason on failure.
 */
certificate_t *zsec_load_cert(const char *path, char *err, size_t len);

/**
 * A CA certificate, parsed in full at its first use (zsec_lazy_ca.h); one
 * the light walk does not read is parsed at once.
 */
certificate_t *zsec_load_ca(const char *path, char *err, size_t len);
private_key_t *zsec_load_key(const char *path, char *err, size_t len);
shared_key_t *zsec_load_psk(const char *path, char *err, size_t len);

#endif /** ZSEC_CREDS_H_ @}*/
