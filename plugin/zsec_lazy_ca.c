/*
 * zsec_lazy_ca: a partner's CA certificate, parsed in full at its first use.
 */
#include "zsec_lazy_ca.h"

#include <pthread.h>

#include <library.h>
#include <utils/debug.h>
#include <asn1/asn1.h>
#include <asn1/oid.h>

typedef struct private_zsec_lazy_ca_t private_zsec_lazy_ca_t;

/** What became of the full parse */
typedef enum {
	FULL_NOT_YET,
	/** the x509 plugin's certificate is kept: it answers */
	FULL_DONE,
	/** the parsed certificate went; what trust asks of it is kept (slim_t) */
	FULL_SLIM,
	FULL_FAILED,
} full_state_t;

/**
 * What trust asks of a parsed CA certificate, kept when it is self-signed
 * and has none of the extensions the x509 plugin enumerates: then the
 * x509 plugin's object (3 KB beside its public key's 2 KB) can go
 */
typedef struct {
	public_key_t *key;
	x509_flag_t flags;
	time_t not_before;
	time_t not_after;
	/** get_subjectKeyIdentifier(): in the DER, or the key's fingerprint */
	chunk_t skid;
	/** get_authKeyIdentifier(), owned */
	chunk_t akid;
	/** by x509_constraint_t */
	u_int constraints[X509_INHIBIT_ANY_POLICY + 1];
	/** the self-signature's scheme */
	signature_params_t *scheme;
} slim_t;

struct private_zsec_lazy_ca_t {

	/** Public interface: an X.509 certificate */
	x509_t public;

	/** DER encoding, owned */
	chunk_t encoding;

	/** subject and issuer, as the x509 plugin makes them of the same DER */
	identification_t *subject;
	identification_t *issuer;

	/** serial number and subjectKeyIdentifier (empty if none), in encoding */
	chunk_t serial;
	chunk_t ski;

	/** SHA-1 of the encoding, of subjectPublicKeyInfo and of the key in it:
	 * with the two above, what the x509 plugin's has_subject() matches a
	 * key identifier against */
	chunk_t hashes[3];

	/** the x509 plugin's certificate, once parsed (FULL_DONE), or what
	 * trust asks of it (FULL_SLIM): set once, under lock */
	certificate_t *full;
	slim_t slim;

	/** full_state_t, read without the lock */
	int state;

	refcount_t ref;
};

/** One full parse at a time: OpenSSL's decoders do not go faster on two */
static pthread_mutex_t full_lock = PTHREAD_MUTEX_INITIALIZER;

/**
 * Whether an enumerator of the certificate's yields nothing
 */
static bool none(enumerator_t *enumerator)
{
	void *item;
	bool empty = !enumerator->enumerate(enumerator, &item);

	enumerator->destroy(enumerator);
	return empty;
}

/**
 * Keep what trust asks of the parsed certificate, if that is all it has:
 * self-signed, and no extension that one of x509_t's enumerators lists
 */
static bool slim_down(private_zsec_lazy_ca_t *this, certificate_t *cert)
{
	x509_t *x509 = (x509_t*)cert;
	slim_t *slim = &this->slim;
	x509_constraint_t c;

	if (!(x509->get_flags(x509) & X509_SELF_SIGNED) ||
		!none(x509->create_subjectAltName_enumerator(x509)) ||
		!none(x509->create_crl_uri_enumerator(x509)) ||
		!none(x509->create_ocsp_uri_enumerator(x509)) ||
		!none(x509->create_ipAddrBlock_enumerator(x509)) ||
		!none(x509->create_name_constraint_enumerator(x509, TRUE)) ||
		!none(x509->create_name_constraint_enumerator(x509, FALSE)) ||
		!none(x509->create_cert_policy_enumerator(x509)) ||
		!none(x509->create_policy_mapping_enumerator(x509)) ||
		!cert->issued_by(cert, cert, &slim->scheme))
	{
		return FALSE;
	}
	slim->key = cert->get_public_key(cert);
	slim->flags = x509->get_flags(x509);
	cert->get_validity(cert, NULL, &slim->not_before, &slim->not_after);
	slim->akid = chunk_clone(x509->get_authKeyIdentifier(x509));
	for (c = 0; c < countof(slim->constraints); c++)
	{
		slim->constraints[c] = x509->get_constraint(x509, c);
	}
	/* the key's fingerprint, if so, lives as long as the key */
	slim->skid = this->ski.len ? this->ski :
				 x509->get_subjectKeyIdentifier(x509);
	return slim->key != NULL;
}

/**
 * Parse the certificate in full, once: FULL_DONE, FULL_SLIM or FULL_FAILED
 */
static full_state_t full(private_zsec_lazy_ca_t *this)
{
	full_state_t state;
	certificate_t *cert;

	state = __atomic_load_n(&this->state, __ATOMIC_ACQUIRE);
	if (state != FULL_NOT_YET)
	{
		return state;
	}
	pthread_mutex_lock(&full_lock);
	state = this->state;
	if (state == FULL_NOT_YET)
	{
		cert = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
								  BUILD_BLOB_ASN1_DER, this->encoding, BUILD_END);
		if (cert && !cert->get_subject(cert)->equals(cert->get_subject(cert),
													 this->subject))
		{	/* the light walk read another DER than the parser did */
			cert->destroy(cert);
			cert = NULL;
		}
		if (!cert)
		{
			DBG1(DBG_CFG, "zsec: CA certificate \"%Y\" does not parse: it "
				 "vouches for nobody", this->subject);
			state = FULL_FAILED;
		}
		else if (slim_down(this, cert))
		{
			cert->destroy(cert);
			state = FULL_SLIM;
		}
		else
		{
			this->full = cert;
			state = FULL_DONE;
		}
		__atomic_store_n(&this->state, state, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&full_lock);
	return state;
}

METHOD(certificate_t, get_type, certificate_type_t,
	private_zsec_lazy_ca_t *this)
{
	return CERT_X509;
}

METHOD(certificate_t, get_subject, identification_t*,
	private_zsec_lazy_ca_t *this)
{
	return this->subject;
}

METHOD(certificate_t, get_issuer, identification_t*,
	private_zsec_lazy_ca_t *this)
{
	return this->issuer;
}

/**
 * The x509 plugin's has_subject() on what the light walk read: a CA
 * without subjectAltNames (else it is not lazy) matches on its subject, or
 * on a key identifier
 */
static id_match_t light_has_subject(private_zsec_lazy_ca_t *this,
									identification_t *id)
{
	chunk_t encoding;
	int i;

	if (id->get_type(id) == ID_KEY_ID)
	{
		encoding = id->get_encoding(id);
		if ((this->ski.len && chunk_equals(this->ski, encoding)) ||
			chunk_equals(this->serial, encoding))
		{
			return ID_MATCH_PERFECT;
		}
		for (i = 0; i < countof(this->hashes); i++)
		{
			if (chunk_equals(this->hashes[i], encoding))
			{
				return ID_MATCH_PERFECT;
			}
		}
	}
	return this->subject->matches(this->subject, id);
}

METHOD(certificate_t, has_subject, id_match_t,
	private_zsec_lazy_ca_t *this, identification_t *id)
{
	switch (__atomic_load_n(&this->state, __ATOMIC_ACQUIRE))
	{
		case FULL_DONE:
			return this->full->has_subject(this->full, id);
		case FULL_FAILED:
			return ID_MATCH_NONE;
		default:	/* slim: no subjectAltName, the key's are the hashes */
			return light_has_subject(this, id);
	}
}

METHOD(certificate_t, has_issuer, id_match_t,
	private_zsec_lazy_ca_t *this, identification_t *issuer)
{
	return this->issuer->matches(this->issuer, issuer);
}

METHOD(certificate_t, issued_by, bool,
	private_zsec_lazy_ca_t *this, certificate_t *issuer,
	signature_params_t **scheme)
{
	certificate_t *cert;
	bool issued;

	switch (full(this))
	{
		case FULL_DONE:
			/* self-signed: the parsed certificate asks itself */
			if (issuer == &this->public.interface)
			{
				issuer = this->full;
			}
			return this->full->issued_by(this->full, issuer, scheme);
		case FULL_SLIM:
			if (issuer == &this->public.interface)
			{	/* the x509 plugin's answer for a self-signed certificate */
				if (scheme)
				{
					*scheme = signature_params_clone(this->slim.scheme);
				}
				return TRUE;
			}
			/* another issuer, which charon does not ask of a root: the x509
			 * plugin checks it on a parse of its own */
			cert = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
								BUILD_BLOB_ASN1_DER, this->encoding, BUILD_END);
			issued = cert && cert->issued_by(cert, issuer, scheme);
			DESTROY_IF(cert);
			return issued;
		default:
			return FALSE;
	}
}

METHOD(certificate_t, get_public_key, public_key_t*,
	private_zsec_lazy_ca_t *this)
{
	switch (full(this))
	{
		case FULL_DONE:
			return this->full->get_public_key(this->full);
		case FULL_SLIM:
			return this->slim.key->get_ref(this->slim.key);
		default:
			return NULL;
	}
}

METHOD(certificate_t, get_validity, bool,
	private_zsec_lazy_ca_t *this, time_t *when, time_t *not_before,
	time_t *not_after)
{
	time_t t = when ? *when : time(NULL);
	bool valid = FALSE;

	switch (full(this))
	{
		case FULL_DONE:
			return this->full->get_validity(this->full, when, not_before,
											not_after);
		case FULL_SLIM:
			valid = t >= this->slim.not_before && t <= this->slim.not_after;
			break;
		default:	/* no validity: slim is all 0 */
			break;
	}
	if (not_before)
	{
		*not_before = this->slim.not_before;
	}
	if (not_after)
	{
		*not_after = this->slim.not_after;
	}
	return valid;
}

/* the x509 plugin's get_encoding() and equals(), on the same DER */
METHOD(certificate_t, get_encoding, bool,
	private_zsec_lazy_ca_t *this, cred_encoding_type_t type, chunk_t *encoding)
{
	if (type == CERT_ASN1_DER)
	{
		*encoding = chunk_clone(this->encoding);
		return TRUE;
	}
	return lib->encoding->encode(lib->encoding, type, NULL, encoding,
					CRED_PART_X509_ASN1_DER, this->encoding, CRED_PART_END);
}

METHOD(certificate_t, equals, bool,
	private_zsec_lazy_ca_t *this, certificate_t *other)
{
	chunk_t encoding;
	bool equal;

	if (other == &this->public.interface)
	{
		return TRUE;
	}
	if (other->get_type(other) != CERT_X509 ||
		!other->get_encoding(other, CERT_ASN1_DER, &encoding))
	{
		return FALSE;
	}
	equal = chunk_equals(this->encoding, encoding);
	free(encoding.ptr);
	return equal;
}

METHOD(certificate_t, get_ref, certificate_t*,
	private_zsec_lazy_ca_t *this)
{
	ref_get(&this->ref);
	return &this->public.interface;
}

METHOD(certificate_t, destroy, void,
	private_zsec_lazy_ca_t *this)
{
	int i;

	if (ref_put(&this->ref))
	{
		DESTROY_IF(this->full);
		DESTROY_IF(this->slim.key);
		signature_params_destroy(this->slim.scheme);
		chunk_free(&this->slim.akid);
		DESTROY_IF(this->subject);
		DESTROY_IF(this->issuer);
		for (i = 0; i < countof(this->hashes); i++)
		{
			chunk_free(&this->hashes[i]);
		}
		chunk_free(&this->encoding);
		free(this);
	}
}

/** The parsed certificate's x509_t if it is kept, else NULL: slim then
 * answers, which is all zero if the certificate does not parse */
static x509_t *full_x509(private_zsec_lazy_ca_t *this)
{
	return full(this) == FULL_DONE ? (x509_t*)this->full : NULL;
}

METHOD(x509_t, get_flags, x509_flag_t,
	private_zsec_lazy_ca_t *this)
{
	x509_t *x509 = full_x509(this);

	return x509 ? x509->get_flags(x509) : this->slim.flags;
}

METHOD(x509_t, get_serial, chunk_t,
	private_zsec_lazy_ca_t *this)
{
	return this->serial;
}

METHOD(x509_t, get_subjectKeyIdentifier, chunk_t,
	private_zsec_lazy_ca_t *this)
{
	x509_t *x509 = full_x509(this);

	return x509 ? x509->get_subjectKeyIdentifier(x509) : this->slim.skid;
}

METHOD(x509_t, get_authKeyIdentifier, chunk_t,
	private_zsec_lazy_ca_t *this)
{
	x509_t *x509 = full_x509(this);

	return x509 ? x509->get_authKeyIdentifier(x509) : this->slim.akid;
}

METHOD(x509_t, get_constraint, u_int,
	private_zsec_lazy_ca_t *this, x509_constraint_t type)
{
	switch (full(this))
	{
		case FULL_DONE:
			return ((x509_t*)this->full)->get_constraint((x509_t*)this->full,
														 type);
		case FULL_SLIM:
			if (type < countof(this->slim.constraints))
			{
				return this->slim.constraints[type];
			}
			/* fall through */
		default:
			return X509_NO_CONSTRAINT;
	}
}

/* the parameters of a method as one macro argument: COMMA separates them */
#define COMMA ,

/** An enumerator of the parsed certificate's; empty if it does not parse,
 * or if slim (slim_down() saw it empty) */
#define FULL_ENUMERATOR(method, params, args) \
METHOD(x509_t, method, enumerator_t*, private_zsec_lazy_ca_t *this params) \
{ \
	x509_t *x509 = full_x509(this); \
	return x509 ? x509->method(x509 args) : enumerator_create_empty(); \
}

FULL_ENUMERATOR(create_subjectAltName_enumerator, , )
FULL_ENUMERATOR(create_crl_uri_enumerator, , )
FULL_ENUMERATOR(create_ocsp_uri_enumerator, , )
FULL_ENUMERATOR(create_ipAddrBlock_enumerator, , )
FULL_ENUMERATOR(create_name_constraint_enumerator, COMMA bool perm, COMMA perm)
FULL_ENUMERATOR(create_cert_policy_enumerator, , )
FULL_ENUMERATOR(create_policy_mapping_enumerator, , )

/**
 * The TLV at the start of *blob, whole and its contents, if its tag is
 * this one: *blob moves past it; else *blob stays
 */
static bool take(chunk_t *blob, asn1_t tag, chunk_t *tlv, chunk_t *inner)
{
	chunk_t rest = *blob, content;

	if (!blob->len || blob->ptr[0] != tag ||
		asn1_unwrap(&rest, &content) != tag)
	{
		return FALSE;
	}
	if (tlv)
	{	/* rest is chunk_empty, no pointer, if the TLV was the last */
		*tlv = chunk_create(blob->ptr, rest.ptr ? rest.ptr - blob->ptr : blob->len);
	}
	*blob = rest;
	if (inner)
	{	/* last: inner may be blob */
		*inner = content;
	}
	return TRUE;
}

/**
 * An optional TLV: FALSE only if it is there and malformed
 */
static bool take_optional(chunk_t *blob, asn1_t tag, chunk_t *inner)
{
	return !blob->len || blob->ptr[0] != tag || take(blob, tag, NULL, inner);
}

/**
 * The extensions the light walk needs: the subjectKeyIdentifier; FALSE if
 * there are subjectAltNames, which has_subject() would have to match too
 */
static bool walk_extensions(private_zsec_lazy_ca_t *this, chunk_t exts)
{
	chunk_t ext, oid, value;

	if (!take(&exts, ASN1_SEQUENCE, NULL, &exts))
	{
		return FALSE;
	}
	while (exts.len)
	{
		if (!take(&exts, ASN1_SEQUENCE, NULL, &ext) ||
			!take(&ext, ASN1_OID, NULL, &oid))
		{
			return FALSE;
		}
		if (!take_optional(&ext, ASN1_BOOLEAN, NULL) ||
			!take(&ext, ASN1_OCTET_STRING, NULL, &value))
		{
			return FALSE;
		}
		switch (asn1_known_oid(oid))
		{
			case OID_SUBJECT_KEY_ID:
				if (!take(&value, ASN1_OCTET_STRING, NULL, &this->ski))
				{
					return FALSE;
				}
				break;
			case OID_SUBJECT_ALT_NAME:
				return FALSE;
			default:
				break;
		}
	}
	return TRUE;
}

/**
 * What has_subject() needs, from the DER: Certificate, TBSCertificate and
 * SubjectPublicKeyInfo as RFC 5280 lays them out
 */
static bool walk(private_zsec_lazy_ca_t *this)
{
	chunk_t blob = this->encoding, tbs, x, issuer, subject, spki, key;
	chunk_t exts = chunk_empty;
	hasher_t *hasher;
	bool ok;

	if (!take(&blob, ASN1_SEQUENCE, NULL, &blob) ||
		!take(&blob, ASN1_SEQUENCE, NULL, &tbs) ||
		!take_optional(&tbs, ASN1_CONTEXT_C_0, NULL) ||      /* version */
		!take(&tbs, ASN1_INTEGER, NULL, &this->serial) ||
		!take(&tbs, ASN1_SEQUENCE, NULL, NULL) ||            /* signature */
		!take(&tbs, ASN1_SEQUENCE, &issuer, NULL) ||
		!take(&tbs, ASN1_SEQUENCE, NULL, NULL) ||            /* validity */
		!take(&tbs, ASN1_SEQUENCE, &subject, NULL) ||
		!take(&tbs, ASN1_SEQUENCE, &spki, &x) ||
		!take(&x, ASN1_SEQUENCE, NULL, NULL) ||              /* algorithm */
		!take(&x, ASN1_BIT_STRING, NULL, &key) || !key.len)
	{
		return FALSE;
	}
	key = chunk_skip(key, 1);                                /* unused bits */
	if (!take_optional(&tbs, ASN1_CONTEXT_C_1, NULL) ||      /* issuerUID */
		!take_optional(&tbs, ASN1_CONTEXT_C_2, NULL) ||      /* subjectUID */
		!take_optional(&tbs, ASN1_CONTEXT_C_3, &exts) ||
		(exts.len && !walk_extensions(this, exts)))
	{
		return FALSE;
	}
	this->subject = identification_create_from_encoding(ID_DER_ASN1_DN, subject);
	this->issuer = identification_create_from_encoding(ID_DER_ASN1_DN, issuer);

	hasher = lib->crypto->create_hasher(lib->crypto, HASH_SHA1);
	ok = hasher &&
		 hasher->allocate_hash(hasher, this->encoding, &this->hashes[0]) &&
		 hasher->allocate_hash(hasher, spki, &this->hashes[1]) &&
		 hasher->allocate_hash(hasher, key, &this->hashes[2]);
	DESTROY_IF(hasher);
	return ok;
}

/*
 * Described in header
 */
certificate_t *zsec_lazy_ca_create(chunk_t der)
{
	private_zsec_lazy_ca_t *this;

	INIT(this,
		.public = {
			.interface = {
				.get_type = _get_type,
				.get_subject = _get_subject,
				.has_subject = _has_subject,
				.get_issuer = _get_issuer,
				.has_issuer = _has_issuer,
				.issued_by = _issued_by,
				.get_public_key = _get_public_key,
				.get_validity = _get_validity,
				.get_encoding = _get_encoding,
				.equals = _equals,
				.get_ref = _get_ref,
				.destroy = _destroy,
			},
			.get_flags = _get_flags,
			.get_serial = _get_serial,
			.get_subjectKeyIdentifier = _get_subjectKeyIdentifier,
			.get_authKeyIdentifier = _get_authKeyIdentifier,
			.get_constraint = _get_constraint,
			.create_subjectAltName_enumerator = _create_subjectAltName_enumerator,
			.create_crl_uri_enumerator = _create_crl_uri_enumerator,
			.create_ocsp_uri_enumerator = _create_ocsp_uri_enumerator,
			.create_ipAddrBlock_enumerator = _create_ipAddrBlock_enumerator,
			.create_name_constraint_enumerator = _create_name_constraint_enumerator,
			.create_cert_policy_enumerator = _create_cert_policy_enumerator,
			.create_policy_mapping_enumerator = _create_policy_mapping_enumerator,
		},
		.encoding = der,
		.ref = 1,
	);
	if (!walk(this))
	{
		destroy(this);
		return NULL;
	}
	return &this->public.interface;
}
