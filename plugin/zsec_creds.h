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

zsec_creds_t *zsec_creds_create();

/**
 * Load credentials from files; NULL with a reason on failure.
 */
certificate_t *zsec_load_cert(const char *path, char *err, size_t len);
private_key_t *zsec_load_key(const char *path, char *err, size_t len);
shared_key_t *zsec_load_psk(const char *path, char *err, size_t len);

#endif /** ZSEC_CREDS_H_ @}*/
