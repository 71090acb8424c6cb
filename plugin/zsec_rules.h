/*
 * zsec_rules: the Za/Zb algorithm rules on a negotiated proposal.
 *
 * The validator checks the same rules on proposal strings (policy/proposal.c);
 * this is the independent second check on what charon actually negotiated.
 */
#ifndef ZSEC_RULES_H_
#define ZSEC_RULES_H_

#include <crypto/proposal/proposal.h>

/**
 * Check a negotiated IKE or ESP proposal.
 *
 * @param proposal		the selected proposal
 * @param confidentiality	TRUE if the SA must encrypt (Za, or a Zb link asking for it)
 * @param reason		buffer for the reason of a refusal
 * @param len			size of reason
 * @return				TRUE if the proposal is acceptable
 */
bool zsec_rules_check(proposal_t *proposal, bool confidentiality, char *reason,
					  size_t len);

#endif /** ZSEC_RULES_H_ @}*/
