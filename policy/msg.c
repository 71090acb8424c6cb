/* msg: the framing shared by zsecd, zsecctl and the plugin (policy.h). */
#include "policy.h"

void msg_header(uint8_t hdr[MSG_HEADER], enum msg_type type, size_t len)
{
	uint32_t total = (uint32_t)(len + MSG_HEADER);

	hdr[0] = (uint8_t)(total >> 24);
	hdr[1] = (uint8_t)(total >> 16);
	hdr[2] = (uint8_t)(total >> 8);
	hdr[3] = (uint8_t)total;
	hdr[4] = (uint8_t)type;
}

long msg_parse_header(const uint8_t hdr[MSG_HEADER], uint8_t *type)
{
	uint32_t total = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	                 (uint32_t)hdr[2] << 8 | hdr[3];

	*type = hdr[4];
	if (total < MSG_HEADER || total > MSG_MAX || !*type || *type > MSG_PLAN_CHECK)
		return -1;
	return (long)(total - MSG_HEADER);
}
