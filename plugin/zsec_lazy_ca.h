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
