/*
 * zsec_status: one line per link with the state of its SAs, for zsecd's
 * `zsecctl status`.  Runs in the socket's job thread, never in a hook.
 *
 *   link=za:operator-b:seg-b1 ike=ESTABLISHED child=INSTALLED reqid=1
 *   spi_in=c1a2b3c4 spi_out=cf00ba12 bytes_in=840 packets_in=10 bytes_out=840
 *   packets_out=10 age=12 ts=10.1.1.0/24===10.2.0.0/16
 *
 * A link without an SA is "link=NAME ike=NONE".
 */
#include "zsec_socket.h"

#include <inttypes.h>

#include <daemon.h>
#include <collections/hashtable.h>

static void child_line(FILE *fp, ike_sa_t *ike_sa, child_sa_t *child_sa)
{
	uint64_t bytes_in = 0, packets_in = 0, bytes_out = 0, packets_out = 0;
	char local[512], remote[512];
	time_t used, now = time_monotonic(NULL);

	child_sa->get_usestats(child_sa, TRUE, &used, &bytes_in, &packets_in);
	child_sa->get_usestats(child_sa, FALSE, &used, &bytes_out, &packets_out);
	fprintf(fp, "link=%s ike=%N child=%N reqid=%u spi_in=%.8x spi_out=%.8x "
			"bytes_in=%"PRIu64" packets_in=%"PRIu64" bytes_out=%"PRIu64
			" packets_out=%"PRIu64" age=%ld ts=%s===%s\n",
			child_sa->get_name(child_sa), ike_sa_state_names,
			ike_sa->get_state(ike_sa), child_sa_state_names,
			child_sa->get_state(child_sa), child_sa->get_reqid(child_sa),
			ntohl(child_sa->get_spi(child_sa, TRUE)),
			ntohl(child_sa->get_spi(child_sa, FALSE)), bytes_in, packets_in,
			bytes_out, packets_out,
			(long)(now - child_sa->get_installtime(child_sa)),
			zsec_ts_str(child_sa, TRUE, local, sizeof(local)),
			zsec_ts_str(child_sa, FALSE, remote, sizeof(remote)));
}

/*
 * Described in header
 */
char *zsec_status(zsec_config_t *config)
{
	zsec_snapshot_t *snapshot = config->get_snapshot(config);
	hashtable_t *seen = hashtable_create(hashtable_hash_str, hashtable_equals_str, 64);
	enumerator_t *enumerator, *children;
	ike_sa_t *ike_sa;
	child_sa_t *child_sa;
	peer_cfg_t *peer;
	zsec_link_t *link;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
	{
		seen->destroy(seen);
		DESTROY_IF(snapshot);
		return strdup("");
	}
	enumerator = charon->ike_sa_manager->create_enumerator(charon->ike_sa_manager,
														   TRUE);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		peer = ike_sa->get_peer_cfg(ike_sa);
		link = peer && snapshot ? snapshot->get_link(snapshot, peer->get_name(peer))
								: NULL;
		if (!link)
		{
			continue;
		}
		seen->put(seen, link->plan->name, link);
		children = ike_sa->create_child_sa_enumerator(ike_sa);
		if (!children->enumerate(children, &child_sa))
		{
			fprintf(fp, "link=%s ike=%N child=NONE\n", link->plan->name,
					ike_sa_state_names, ike_sa->get_state(ike_sa));
		}
		else
		{
			do
			{
				child_line(fp, ike_sa, child_sa);
			}
			while (children->enumerate(children, &child_sa));
		}
		children->destroy(children);
	}
	enumerator->destroy(enumerator);
	if (snapshot)
	{
		enumerator = snapshot->create_link_enumerator(snapshot);
		while (enumerator->enumerate(enumerator, &link))
		{
			if (!seen->get(seen, link->plan->name))
			{
				fprintf(fp, "link=%s ike=NONE\n", link->plan->name);
			}
		}
		enumerator->destroy(enumerator);
		snapshot->destroy(snapshot);
	}
	seen->destroy(seen);
	fclose(fp);
	return buf;
}
