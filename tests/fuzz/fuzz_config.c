/* Fuzzes the plugin's configuration handler (plugin/config.h) with a fake
 * oconfig tree built from the input, read as a small collectd.conf dialect:
 * the input is the inside of <Plugin secretwatch>; "<Key values>" opens a
 * block, "</Key>" closes it, "Key values" is an option; values are "quoted
 * strings" (\" and \\ escapes), true/false (booleans), numbers, or bare
 * words (kept as strings, which collectd itself would refuse). Invariants:
 * a refused configuration leaves cfg empty; an accepted one has every
 * derived name set and fit for a collectd identifier. */
#include "fuzz_common.h"
#include "fuzz_plugin_stub.h"

#include "plugin/config.h"

#include <ctype.h>

#define TREE_MAX_DEPTH 8
#define TREE_MAX_ITEMS 2000
#define TREE_MAX_VALUES 32

struct reader {
  const uint8_t *p;
  size_t n;
  size_t items;
};

static char *take_token(const char **s) {
  const char *p = *s;
  char *out, *o;
  if (*p == '"') {
    out = o = malloc(strlen(p) + 1);
    FUZZ_ASSERT(out != NULL);
    for (p++; *p && *p != '"'; p++) {
      if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
        p++;
      *o++ = *p;
    }
    *o = '\0';
    *s = *p ? p + 1 : p;
    return out;
  }
  size_t len = strcspn(p, " \t>");
  out = fuzz_strndup((const uint8_t *)p, len);
  *s = p + len;
  return out;
}

static void add_value(oconfig_item_t *ci, const char *raw, char *tok) {
  oconfig_value_t *v;
  char *end;
  if (ci->values_num >= TREE_MAX_VALUES) {
    free(tok);
    return;
  }
  ci->values = realloc(ci->values, (ci->values_num + 1) * sizeof(*v));
  FUZZ_ASSERT(ci->values != NULL);
  v = &ci->values[ci->values_num++];
  if (raw[0] != '"' &&
      (strcasecmp(tok, "true") == 0 || strcasecmp(tok, "false") == 0)) {
    v->type = OCONFIG_TYPE_BOOLEAN;
    v->value.boolean = strcasecmp(tok, "true") == 0;
    free(tok);
  } else if (raw[0] != '"' && tok[0] && (strtod(tok, &end), *end == '\0')) {
    v->type = OCONFIG_TYPE_NUMBER;
    v->value.number = strtod(tok, NULL);
    free(tok);
  } else {
    v->type = OCONFIG_TYPE_STRING;
    v->value.string = tok;
  }
}

/* Fills ci from "Key v1 v2 ..." (s points after a '<' for blocks). */
static void parse_item(oconfig_item_t *ci, const char *s) {
  memset(ci, 0, sizeof(*ci));
  ci->key = take_token(&s);
  for (;;) {
    while (*s == ' ' || *s == '\t')
      s++;
    if (*s == '\0' || *s == '>')
      break;
    const char *raw = s;
    add_value(ci, raw, take_token(&s));
  }
}

static void read_children(struct reader *r, oconfig_item_t *parent, int depth) {
  while (r->n > 0 && r->items < TREE_MAX_ITEMS) {
    char *line = fuzz_take_line(&r->p, &r->n);
    const char *s = line;
    while (*s == ' ' || *s == '\t')
      s++;
    if (*s == '\0' || *s == '#') {
      free(line);
      continue;
    }
    if (s[0] == '<' && s[1] == '/') {
      free(line);
      if (depth > 0)
        return;
      continue;
    }
    parent->children = realloc(parent->children, (parent->children_num + 1) *
                                                     sizeof(oconfig_item_t));
    FUZZ_ASSERT(parent->children != NULL);
    oconfig_item_t *ci = &parent->children[parent->children_num++];
    r->items++;
    int block = s[0] == '<';
    parse_item(ci, block ? s + 1 : s);
    free(line);
    if (block && depth < TREE_MAX_DEPTH)
      read_children(r, ci, depth + 1);
  }
}

/* Children arrays moved while growing: point every child at its parent. */
static void link_parents(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    ci->children[i].parent = ci;
    link_parents(&ci->children[i]);
  }
}

static void free_tree(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++)
    free_tree(&ci->children[i]);
  for (int i = 0; i < ci->values_num; i++)
    if (ci->values[i].type == OCONFIG_TYPE_STRING)
      free(ci->values[i].value.string);
  free(ci->children);
  free(ci->values);
  free(ci->key);
}

/* A collectd identifier field: terminated, at most SWP_LABEL_MAX bytes,
 * no '/' or control characters. */
static void check_identifier(const char *s) {
  FUZZ_ASSERT(s != NULL && strlen(s) <= SWP_LABEL_MAX);
  for (const char *c = s; *c; c++)
    FUZZ_ASSERT(*c != '/' && (unsigned char)*c >= 0x20 && *c != 0x7f);
  FUZZ_ASSERT(s[0] != '.');
}

static void check_config(const struct swp_config *cfg) {
  for (size_t i = 0; i < cfg->accounts_num; i++) {
    const struct swp_account_conf *a = &cfg->accounts[i];
    FUZZ_ASSERT(a->name != NULL && a->state_file != NULL);
    check_identifier(a->instance);
    FUZZ_ASSERT(a->secrets_num <= SWP_MAX_SECRETS);
    for (size_t k = 0; k < a->secrets_num; k++) {
      const struct swp_secret_conf *s = &a->secrets[k];
      FUZZ_ASSERT(s->label && s->secret_id && s->metric_namespace &&
                  s->metric_name && s->alarm_name);
      check_identifier(s->instance);
      FUZZ_ASSERT(s->allow_num <= SWP_MAX_ALLOW);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct reader r = {data, size, 0};
  char *plugin_value = strdup("secretwatch");
  oconfig_item_t root;
  struct swp_config cfg;
  memset(&root, 0, sizeof(root));
  memset(&cfg, 0, sizeof(cfg));
  root.key = strdup("Plugin");
  FUZZ_ASSERT(root.key && plugin_value);
  add_value(&root, "\"", plugin_value);
  read_children(&r, &root, 0);
  link_parents(&root);

  if (swp_config_parse(&root, &cfg) == 0) {
    if (swp_config_finish(&cfg, "/var/lib/collectd") == 0)
      check_config(&cfg);
  } else {
    FUZZ_ASSERT(cfg.accounts_num == 0);
  }
  swp_config_clean_up(&cfg);

  /* The identifier maker alone, on the first line of the input. */
  size_t first = fuzz_line_len(data, size);
  char *label = fuzz_strndup(data, first);
  char *inst = swp_config_instance_name(label);
  FUZZ_ASSERT(inst != NULL);
  check_identifier(inst);
  /* Valid UTF-8 stays valid: cutting must not split a character. (Build
   * with -DFUZZ_CONFIG_NO_UTF8_CHECK to explore past this check.) */
#ifndef FUZZ_CONFIG_NO_UTF8_CHECK
  if (fuzz_text_is_safe(label, strlen(label) + 1))
    FUZZ_ASSERT(fuzz_text_is_safe(inst, strlen(inst) + 1));
#endif
  free(inst);
  free(label);
  free_tree(&root);
  return 0;
}
