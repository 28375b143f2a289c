/* The collectd mock (see mock_collectd.h). */
#include "mock_collectd.h"
#include "collectd/core/daemon/utils_complain.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mock_value mock_values[MOCK_MAX];
int mock_values_num;
struct mock_notif mock_notifs[MOCK_MAX];
int mock_notifs_num;
char mock_log[65536];
int mock_reads_registered;
int mock_dispatch_fail;
const char *mock_base_dir;

char *hostname_g = "mockhost";
cdtime_t interval_g = TIME_T_TO_CDTIME_T_STATIC(10);

void mock_reset(void) {
  mock_values_num = 0;
  mock_notifs_num = 0;
  mock_log[0] = '\0';
  mock_reads_registered = 0;
  mock_dispatch_fail = 0;
  mock_base_dir = NULL;
}

static void log_append(const char *line) {
  size_t used = strlen(mock_log), n = strlen(line);
  if (used + n + 2 >= sizeof(mock_log))
    return;
  memcpy(mock_log + used, line, n);
  mock_log[used + n] = '\n';
  mock_log[used + n + 1] = '\0';
}

void plugin_log(int level, const char *format, ...) {
  char line[2048];
  va_list ap;
  va_start(ap, format);
  vsnprintf(line, sizeof(line), format, ap);
  va_end(ap);
  (void)level;
  if (getenv("MOCK_LOG_STDERR"))
    fprintf(stderr, "log: %s\n", line);
  log_append(line);
}

void c_complain(int level, c_complain_t *c, const char *format, ...) {
  char line[2048];
  va_list ap;
  va_start(ap, format);
  vsnprintf(line, sizeof(line), format, ap);
  va_end(ap);
  if (c->interval == 0) /* only the first of a series, as the daemon */
    plugin_log(level, "%s", line);
  c->interval = 1;
}

void c_do_release(int level, c_complain_t *c, const char *format, ...) {
  char line[2048];
  va_list ap;
  va_start(ap, format);
  vsnprintf(line, sizeof(line), format, ap);
  va_end(ap);
  c->interval = 0;
  plugin_log(level, "%s", line);
}

cdtime_t cdtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return TIMESPEC_TO_CDTIME_T(&ts);
}

cdtime_t plugin_get_interval(void) {
  return interval_g;
}

const char *global_option_get(const char *option) {
  if (strcasecmp(option, "BaseDir") == 0)
    return mock_base_dir ? mock_base_dir : "/var/lib/collectd";
  return NULL;
}

int plugin_dispatch_values(value_list_t const *vl) {
  struct mock_value *v;
  if (mock_dispatch_fail)
    return -1;
  if (mock_values_num >= MOCK_MAX)
    return -1;
  v = &mock_values[mock_values_num++];
  memset(v, 0, sizeof(*v));
  snprintf(v->host, sizeof(v->host), "%s", vl->host);
  snprintf(v->plugin, sizeof(v->plugin), "%s", vl->plugin);
  snprintf(v->plugin_instance, sizeof(v->plugin_instance), "%s",
           vl->plugin_instance);
  snprintf(v->type, sizeof(v->type), "%s", vl->type);
  snprintf(v->type_instance, sizeof(v->type_instance), "%s", vl->type_instance);
  /* Which union member depends on the type; the plugin only uses gauge
   * for count/gauge/response_time and derive for the rest. */
  if (!strcmp(vl->type, "count") || !strcmp(vl->type, "gauge") ||
      !strcmp(vl->type, "response_time"))
    v->value = vl->values[0].gauge;
  else
    v->value = (double)vl->values[0].derive;
  v->time = vl->time;
  v->interval = vl->interval;
  return 0;
}

int plugin_dispatch_notification(const notification_t *n) {
  struct mock_notif *m;
  if (mock_dispatch_fail)
    return -1;
  if (mock_notifs_num >= MOCK_MAX)
    return -1;
  m = &mock_notifs[mock_notifs_num++];
  memset(m, 0, sizeof(*m));
  m->severity = n->severity;
  m->time = n->time;
  memcpy(m->message, n->message, sizeof(m->message));
  snprintf(m->host, sizeof(m->host), "%s", n->host);
  snprintf(m->plugin, sizeof(m->plugin), "%s", n->plugin);
  snprintf(m->plugin_instance, sizeof(m->plugin_instance), "%s",
           n->plugin_instance);
  snprintf(m->type, sizeof(m->type), "%s", n->type);
  snprintf(m->type_instance, sizeof(m->type_instance), "%s", n->type_instance);
  for (notification_meta_t *x = n->meta; x && m->meta_num < 32; x = x->next) {
    struct mock_meta *mm = &m->meta[m->meta_num++];
    snprintf(mm->name, sizeof(mm->name), "%s", x->name);
    if (x->type == NM_TYPE_STRING)
      snprintf(mm->value, sizeof(mm->value), "%s", x->nm_value.nm_string);
    else if (x->type == NM_TYPE_BOOLEAN)
      snprintf(mm->value, sizeof(mm->value), "%s",
               x->nm_value.nm_boolean ? "true" : "false");
  }
  return 0;
}

static notification_meta_t *meta_append(notification_t *n, const char *name) {
  notification_meta_t *m = calloc(1, sizeof(*m)), **tail = &n->meta;
  if (m == NULL)
    return NULL;
  snprintf(m->name, sizeof(m->name), "%s", name);
  while (*tail)
    tail = &(*tail)->next;
  *tail = m;
  return m;
}

int plugin_notification_meta_add_string(notification_t *n, const char *name,
                                        const char *value) {
  notification_meta_t *m = meta_append(n, name);
  if (m == NULL)
    return -1;
  m->type = NM_TYPE_STRING;
  m->nm_value.nm_string = strdup(value);
  return m->nm_value.nm_string ? 0 : -1;
}

int plugin_notification_meta_add_boolean(notification_t *n, const char *name,
                                         bool value) {
  notification_meta_t *m = meta_append(n, name);
  if (m == NULL)
    return -1;
  m->type = NM_TYPE_BOOLEAN;
  m->nm_value.nm_boolean = value;
  return 0;
}

int plugin_notification_meta_free(notification_meta_t *n) {
  while (n) {
    notification_meta_t *next = n->next;
    if (n->type == NM_TYPE_STRING)
      free((char *)n->nm_value.nm_string);
    free(n);
    n = next;
  }
  return 0;
}

int plugin_register_complex_config(const char *type,
                                   int (*callback)(oconfig_item_t *)) {
  return 0;
}
int plugin_register_init(const char *name, plugin_init_cb callback) {
  return 0;
}
int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback) {
  return 0;
}
int plugin_register_complex_read(const char *group, const char *name,
                                 plugin_read_cb callback, cdtime_t interval,
                                 user_data_t const *user_data) {
  mock_reads_registered++;
  return 0;
}

const struct mock_value *mock_find_value(const char *plugin_instance,
                                         const char *type,
                                         const char *type_instance) {
  for (int i = mock_values_num - 1; i >= 0; i--) {
    const struct mock_value *v = &mock_values[i];
    if (!strcmp(v->plugin_instance, plugin_instance) &&
        !strcmp(v->type, type) && !strcmp(v->type_instance, type_instance))
      return v;
  }
  return NULL;
}

const char *mock_meta(const struct mock_notif *n, const char *name) {
  for (int i = 0; i < n->meta_num; i++)
    if (!strcmp(n->meta[i].name, name))
      return n->meta[i].value;
  return NULL;
}

/* ---- the mini config parser ---- */

static void skip_space(const char **p) {
  while (**p == ' ' || **p == '\t')
    (*p)++;
}

static int parse_value(const char **p, oconfig_value_t *v) {
  const char *s = *p;
  if (*s == '"') {
    char buf[8192];
    size_t n = 0;
    s++;
    while (*s && *s != '"' && n + 1 < sizeof(buf)) {
      if (*s == '\\' && s[1]) {
        s++;
        buf[n++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
      } else {
        buf[n++] = *s;
      }
      s++;
    }
    if (*s != '"')
      return -1;
    buf[n] = '\0';
    v->type = OCONFIG_TYPE_STRING;
    v->value.string = strdup(buf);
    *p = s + 1;
    return 0;
  }
  {
    char word[256];
    size_t n = 0;
    char *end;
    while (*s && !isspace((unsigned char)*s) && *s != '>' &&
           n + 1 < sizeof(word))
      word[n++] = *s++;
    word[n] = '\0';
    *p = s;
    if (n == 0)
      return -1;
    if (!strcasecmp(word, "true") || !strcasecmp(word, "false")) {
      v->type = OCONFIG_TYPE_BOOLEAN;
      v->value.boolean = !strcasecmp(word, "true");
      return 0;
    }
    v->value.number = strtod(word, &end);
    if (*end == '\0') {
      v->type = OCONFIG_TYPE_NUMBER;
      return 0;
    }
    v->type = OCONFIG_TYPE_STRING;
    v->value.string = strdup(word);
    return 0;
  }
}

static oconfig_item_t *add_child(oconfig_item_t *parent) {
  oconfig_item_t *c = realloc(parent->children,
                              (size_t)(parent->children_num + 1) * sizeof(*c));
  if (c == NULL)
    return NULL;
  parent->children = c;
  c = &parent->children[parent->children_num++];
  memset(c, 0, sizeof(*c));
  c->parent = parent;
  return c;
}

static int parse_line(const char *line, oconfig_item_t *item) {
  const char *p = line;
  char key[128];
  size_t n = 0;
  while (*p && (isalnum((unsigned char)*p) || *p == '_') && n + 1 < sizeof(key))
    key[n++] = *p++;
  key[n] = '\0';
  if (n == 0)
    return -1;
  item->key = strdup(key);
  for (;;) {
    oconfig_value_t *v;
    skip_space(&p);
    if (*p == '\0' || *p == '>' || *p == '#')
      break;
    v = realloc(item->values,
                (size_t)(item->values_num + 1) * sizeof(*item->values));
    if (v == NULL)
      return -1;
    item->values = v;
    memset(&v[item->values_num], 0, sizeof(*v));
    if (parse_value(&p, &v[item->values_num]) != 0)
      return -1;
    item->values_num++;
  }
  return 0;
}

oconfig_item_t *mock_config(const char *text) {
  oconfig_item_t *root = calloc(1, sizeof(*root)), *cur = root;
  const char *p = text;
  root->key = strdup("Plugin");
  while (*p) {
    char line[8192];
    size_t n = 0;
    const char *l;
    while (*p && *p != '\n' && n + 1 < sizeof(line))
      line[n++] = *p++;
    if (*p == '\n')
      p++;
    line[n] = '\0';
    l = line;
    skip_space(&l);
    if (*l == '\0' || *l == '#')
      continue;
    if (l[0] == '<' && l[1] == '/') {
      if (cur == root)
        goto fail;
      cur = cur->parent;
      continue;
    }
    {
      int block = l[0] == '<';
      oconfig_item_t *c = add_child(cur);
      if (c == NULL || parse_line(l + block, c) != 0)
        goto fail;
      if (block)
        cur = c;
    }
  }
  if (cur != root)
    goto fail;
  return root;
fail:
  mock_config_free(root);
  return NULL;
}

static void free_item(oconfig_item_t *ci) {
  free(ci->key);
  for (int i = 0; i < ci->values_num; i++)
    if (ci->values[i].type == OCONFIG_TYPE_STRING)
      free(ci->values[i].value.string);
  free(ci->values);
  for (int i = 0; i < ci->children_num; i++)
    free_item(&ci->children[i]);
  free(ci->children);
}

void mock_config_free(oconfig_item_t *ci) {
  if (ci == NULL)
    return;
  free_item(ci);
  free(ci);
}
