/* internal: what the files of policy/ share among themselves; not an
 * interface (policy.h is). */
#ifndef ZSEC_POLICY_INTERNAL_H
#define ZSEC_POLICY_INTERNAL_H

#include <yaml.h>

#include "policy.h"

/* ---- yamlmap.c: walking a libyaml document into typed structs ---- */
struct ym {
	yaml_document_t *doc;
	struct diags *d;
	const struct source *src;
	struct arena *arena;
	size_t visits, max_visits;
	bool over_budget;
};
typedef void ym_handler(struct ym *y, yaml_node_t *n, void *field, const char *key);
struct ym_field {
	const char *key;
	bool required;
	ym_handler *handler;
	size_t offset;                  /* of the field in the object */
};
#define YM_FIELD(key, req, handler, type, member) \
	{ key, req, handler, offsetof(type, member) }

struct pos ym_pos(const yaml_node_t *n);
const char *ym_kind(const yaml_node_t *n);
bool ym_is_null(const yaml_node_t *n);
yaml_node_t *ym_node(struct ym *y, int index);
bool ym_expect(struct ym *y, const yaml_node_t *n, yaml_node_type_t type, const char *what);
const char *ym_scalar(struct ym *y, const yaml_node_t *n, const char *what);
void ym_map(struct ym *y, yaml_node_t *map, const char *ctx, const struct ym_field *fields,
            void *obj);
long ym_list(struct ym *y, yaml_node_t *n, const char *what);
yaml_node_t *ym_item(struct ym *y, yaml_node_t *list, long i);

/* ---- defaults.c: TS 33.210-conformant profiles ---- */
void profile_defaults(struct arena *a, struct tprofile *za, struct tprofile *zb);
extern const char *const default_za_esp;

#endif
