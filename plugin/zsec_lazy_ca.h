/*
 * zsec_lazy_ca: a partner's CA certificate, parsed in full at its first use.
 *
 * A gateway of 10,000 partners holds 10,000 CA certificates.  Parsing one
 * in full decodes its public key through OpenSSL 3.0's decoders and checks
 * its self-signature: 0.2 ms, which does not get faster on two threads, so
 * it was 90 % of applying 10,000 links (2 of 2.4 s), and the decoded keys
 * a good part of charon's memory.  A link needs its CA only when its peer
 * authenticates.
 *
 * So an apply reads the file and walks the certificate's DER for what
 * charon's look-ups ask of every CA they pass over: its subject and issuer
 * (the same identities the x509 plugin makes of the same bytes), and the
 * key identifiers and serial an authority key identifier may name.
 * Everything else (the public key, issued_by(), the flags, validity,
 * constraints) comes from the certificate that charon's x509 plugin parses
 * in full on the first such call: trust is never decided on the light
 * walk.  A certificate that does not parse in full then is no CA at all (no
 * key, no flags, issues nothing, matches nothing): the peers it would
 * vouch for are refused, and charon's log says why.
 *
 * Of the parsed certificate, a self-signed one without the extensions x509_t
 * lists (URIs, name constraints, policies, address blocks) keeps only what
 * the x509 plugin answered: its public key, flags, validity, constraints,
 * key identifiers and the self-signature's scheme.  The x509 plugin's object
 * goes, 3 KB of the 5.4 a parsed CA takes: a CA in use costs 3.7 KB, one
 * not yet used 1.4 KB (bench_lazy_ca).  Any other is kept whole.
 */
#ifndef ZSEC_LAZY_CA_H_
#define ZSEC_LAZY_CA_H_

#include <credentials/certificates/x509.h>

/**
 * A CA certificate from its DER encoding.
 *
 * @param der		the encoding, owned from now on (freed on failure too)
 * @return			the certificate, or NULL if the DER holds no certificate
 *					the light walk understands (a subject alternative name,
 *					say): load it in full instead
 */
certificate_t *zsec_lazy_ca_create(chunk_t der);

#endif /** ZSEC_LAZY_CA_H_ @}*/
