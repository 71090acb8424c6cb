/*
 * zsec_creds: an immutable credential set per plan snapshot.
 */
#include "zsec_creds.h"
#include "zsec_lazy_ca.h"

#include <ctype.h>
#include <errno.h>

#include <library.h>
#include <collections/array.h>

typedef struct private_zsec_creds_t private_zsec_creds_t;

/**
 * A pre-shared key with the two identities it is for
 */
typedef struct {
	shared_key_t *key;
	identification_t *me;
	identification_t *other;
} shared_entry_t;

struct private_zsec_creds_t {

	/** Public interface */
	zsec_creds_t public;

	/** certificate_t*, every certificate, borrowed */
	array_t *certs;

	/** certificate_t*, the trust anchors, borrowed */
	array_t *trusted;

	/** private_key_t* */
	array_t *keys;

	/** shared_entry_t* */
	array_t *shared;

	/** the CA for a request of every trusted CA, and its context */
	zsec_request_ca_t request_ca;
	void *ctx;
};

typedef struct {
	certificate_type_t cert;
	key_type_t key;
	identification_t *id;
} cert_filter_t;

/**
 * certificate_matches() without asking for the public key unless a key
 * type is asked for: has_subject() matches the key's identifiers too, and a
 * look-up must not parse every lazy CA it passes over (zsec_lazy_ca.h)
 */
static bool cert_matches(certificate_t *cert, certificate_type_t type,
						 key_type_t key, identification_t *id)
{
	if (key != KEY_ANY)
	{
		return certificate_matches(cert, type, key, id);
	}
	if (type != CERT_ANY && type != cert->get_type(cert))
	{
		return FALSE;
	}
	return !id || cert->has_subject(cert, id);
}

CALLBACK(cert_filter, bool,
	cert_filter_t *data, enumerator_t *orig, va_list args)
{
	certificate_t *cert, **out;

	VA_ARGS_VGET(args, out);
	while (orig->enumerate(orig, &cert))
	{
		if (cert_matches(cert, data->cert, data->key, data->id))
		{
			*out = cert;
			return TRUE;
		}
	}
	return FALSE;
}

METHOD(credential_set_t, create_cert_enumerator, enumerator_t*,
	private_zsec_creds_t *this, certificate_type_t cert, key_type_t key,
	identification_t *id, bool trusted)
{
	cert_filter_t *data;
	certificate_t *ca;

	if (trusted && !id && this->request_ca && this->request_ca(this->ctx, &ca))
	{
		return ca && cert_matches(ca, cert, key, NULL) ?
			enumerator_create_single(ca, NULL) : enumerator_create_empty();
	}
	INIT(data,
		.cert = cert,
		.key = key,
		.id = id,
	);
	return enumerator_create_filter(
				array_create_enumerator(trusted ? this->trusted : this->certs),
				cert_filter, data, free);
}

typedef struct {
	key_type_t type;
	identification_t *id;
} key_filter_t;

CALLBACK(key_filter, bool,
	key_filter_t *data, enumerator_t *orig, va_list args)
{
	private_key_t *key, **out;

	VA_ARGS_VGET(args, out);
	while (orig->enumerate(orig, &key))
	{
		if ((data->type == KEY_ANY || data->type == key->get_type(key)) &&
			(!data->id ||
			 key->has_fingerprint(key, data->id->get_encoding(data->id))))
		{
			*out = key;
			return TRUE;
		}
	}
	return FALSE;
}

METHOD(credential_set_t, create_private_enumerator, enumerator_t*,
	private_zsec_creds_t *this, key_type_t type, identification_t *id)
{
	key_filter_t *data;

	INIT(data,
		.type = type,
		.id = id,
	);
	return enumerator_create_filter(array_create_enumerator(this->keys),
									key_filter, data, free);
}

typedef struct {
	shared_key_type_t type;
	identification_t *me;
	identification_t *other;
} shared_filter_t;

static id_match_t owner_match(identification_t *owner, identification_t *id)
{
	return id ? owner->matches(owner, id) : ID_MATCH_NONE;
}

CALLBACK(shared_filter, bool,
	shared_filter_t *data, enumerator_t *orig, va_list args)
{
	shared_entry_t *entry;
	shared_key_t **out;
	id_match_t *me, *other, m, o;

	VA_ARGS_VGET(args, out, me, other);
	while (orig->enumerate(orig, &entry))
	{
		if (data->type != SHARED_ANY &&
			entry->key->get_type(entry->key) != data->type)
		{
			continue;
		}
		m = owner_match(entry->me, data->me);
		o = owner_match(entry->other, data->other);
		if ((data->me || data->other) && !m && !o)
		{
			continue;
		}
		*out = entry->key;
		if (me)
		{
			*me = m;
		}
		if (other)
		{
			*other = o;
		}
		return TRUE;
	}
	return FALSE;
}

METHOD(credential_set_t, create_shared_enumerator, enumerator_t*,
	private_zsec_creds_t *this, shared_key_type_t type,
	identification_t *me, identification_t *other)
{
	shared_filter_t *data;

	INIT(data,
		.type = type,
		.me = me,
		.other = other,
	);
	return enumerator_create_filter(array_create_enumerator(this->shared),
									shared_filter, data, free);
}

METHOD(zsec_creds_t, add_cert, void,
	private_zsec_creds_t *this, certificate_t *cert, bool trusted)
{
	array_insert(this->certs, ARRAY_TAIL, cert);
	if (trusted)
	{
		array_insert(this->trusted, ARRAY_TAIL, cert);
	}
}

METHOD(zsec_creds_t, add_key, void,
	private_zsec_creds_t *this, private_key_t *key)
{
	array_insert(this->keys, ARRAY_TAIL, key->get_ref(key));
}

METHOD(zsec_creds_t, add_shared, void,
	private_zsec_creds_t *this, shared_key_t *key, identification_t *me,
	identification_t *other)
{
	shared_entry_t *entry;

	INIT(entry,
		.key = key->get_ref(key),
		.me = me->clone(me),
		.other = other->clone(other),
	);
	array_insert(this->shared, ARRAY_TAIL, entry);
}

CALLBACK(destroy_shared, void,
	shared_entry_t *entry, int idx, void *user)
{
	entry->key->destroy(entry->key);
	entry->me->destroy(entry->me);
	entry->other->destroy(entry->other);
	free(entry);
}

METHOD(zsec_creds_t, destroy, void,
	private_zsec_creds_t *this)
{
	array_destroy(this->certs);
	array_destroy(this->trusted);
	array_destroy_offset(this->keys, offsetof(private_key_t, destroy));
	array_destroy_function(this->shared, destroy_shared, NULL);
	free(this);
}

/*
 * Described in header
 */
zsec_creds_t *zsec_creds_create(zsec_request_ca_t request_ca, void *ctx)
{
	private_zsec_creds_t *this;

	INIT(this,
		.public = {
			.set = {
				.create_cert_enumerator = _create_cert_enumerator,
				.create_private_enumerator = _create_private_enumerator,
				.create_shared_enumerator = _create_shared_enumerator,
				.create_cdp_enumerator = (void*)enumerator_create_empty,
				.cache_cert = (void*)nop,
			},
			.add_cert = _add_cert,
			.add_key = _add_key,
			.add_shared = _add_shared,
			.destroy = _destroy,
		},
		.certs = array_create(0, 0),
		.trusted = array_create(0, 0),
		.keys = array_create(0, 0),
		.shared = array_create(0, 0),
		.request_ca = request_ca,
		.ctx = ctx,
	);
	return &this->public;
}

/*
 * Described in header
 */
certificate_t *zsec_load_cert(const char *path, char *err, size_t len)
{
	certificate_t *cert;

	cert = lib->creds->create(lib->creds, CRED_CERTIFICATE, CERT_X509,
							  BUILD_FROM_FILE, path, BUILD_END);
	if (!cert)
	{
		snprintf(err, len, "cannot load certificate %s", path);
	}
	return cert;
}

/**
 * The DER of a file holding one certificate, in DER or in PEM without
 * headers; FALSE for anything else
 */
static bool cert_der(chunk_t file, chunk_t *der)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	char *pos, *stop, *b64;
	size_t n = 0;

	if (file.len && file.ptr[0] == 0x30)
	{
		*der = chunk_clone(file);
		return TRUE;
	}
	pos = memstr(file.ptr, begin, file.len);
	stop = pos ? memstr(pos, end, file.len - ((u_char*)pos - file.ptr)) : NULL;
	if (!stop || memstr(stop, "-----BEGIN", file.len - ((u_char*)stop - file.ptr)))
	{
		return FALSE;
	}
	b64 = malloc(stop - pos);
	for (pos += strlen(begin); pos < stop; pos++)
	{
		u_char c = *pos;

		if (isalnum(c) || c == '+' || c == '/' || c == '=')
		{
			b64[n++] = c;
		}
		else if (!isspace(c))
		{
			free(b64);
			return FALSE;
		}
	}
	if (!n || n % 4)
	{
		free(b64);
		return FALSE;
	}
	*der = chunk_from_base64(chunk_create(b64, n), NULL);
	free(b64);
	return TRUE;
}

/*
 * Described in header
 */
certificate_t *zsec_load_ca(const char *path, char *err, size_t len)
{
	certificate_t *cert = NULL;
	chunk_t *file, der;

	file = chunk_map((char*)path, FALSE);
	if (file)
	{
		if (cert_der(*file, &der))
		{
			cert = zsec_lazy_ca_create(der);
		}
		chunk_unmap(file);
	}
	/* what the light walk does not read, the x509 plugin does, at once */
	return cert ?: zsec_load_cert(path, err, len);
}

/*
 * Described in header
 */
private_key_t *zsec_load_key(const char *path, char *err, size_t len)
{
	private_key_t *key;

	key = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, KEY_ANY,
							 BUILD_FROM_FILE, path, BUILD_END);
	if (!key)
	{
		snprintf(err, len, "cannot load private key %s", path);
	}
	return key;
}

/*
 * Described in header
 */
shared_key_t *zsec_load_psk(const char *path, char *err, size_t len)
{
	chunk_t *file, secret;

	file = chunk_map((char*)path, FALSE);
	if (!file)
	{
		snprintf(err, len, "cannot read secret %s: %s", path, strerror(errno));
		return NULL;
	}
	secret = *file;
	/* one line: the trailing newline is not part of the secret */
	while (secret.len && (secret.ptr[secret.len - 1] == '\n' ||
						  secret.ptr[secret.len - 1] == '\r'))
	{
		secret.len--;
	}
	if (secret.len < 20)
	{
		snprintf(err, len, "secret %s is shorter than 20 bytes", path);
		chunk_unmap(file);
		return NULL;
	}
	secret = chunk_clone(secret);
	chunk_unmap(file);
	return shared_key_create(SHARED_IKE, secret);
}
