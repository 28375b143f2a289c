#include "lib/profile.h"
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/text.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void sw_profile_file_init(struct sw_profile_file *f) {
  memset(f, 0, sizeof(*f));
}

static void free_secret_str(char *s) {
  if (s == NULL)
    return;
  sw_wipe(s, strlen(s));
  free(s);
}

static void section_clean_up(struct sw_profile_section *s) {
  for (size_t i = 0; i < s->count; i++) {
    free(s->entries[i].key);
    free_secret_str(s->entries[i].value);
  }
  free(s->entries);
  free(s->name);
  memset(s, 0, sizeof(*s));
}

void sw_profile_file_clean_up(struct sw_profile_file *f) {
  if (f == NULL)
    return;
  for (size_t i = 0; i < f->count; i++)
    section_clean_up(&f->sections[i]);
  free(f->sections);
  free(f->path);
  memset(f, 0, sizeof(*f));
}

/* Parser state: where we are and what the last key was, so indented lines
 * can continue it. */
struct parse_state {
  const char *path;
  enum sw_profile_kind kind;
  struct sw_profile_file *f;
  struct sw_error *err;
  unsigned long line_no;
  struct sw_profile_section *cur; /* NULL before the first header */
  size_t last_key;                /* index into cur->entries */
  int have_last_key;
  int nested; /* the last key had an empty value: sub-settings follow */
  char parent[128];
};

static int fail(struct parse_state *st, const char *what) {
  return sw_error_set(st->err, SW_ERR_CONFIG, "%s:%lu: %s",
                      st->path[0] ? st->path : "(memory)", st->line_no, what);
}

static int is_blank(char c) {
  return c == ' ' || c == '\t';
}

/* Trims blanks (and a CR) from both ends of [*b, *e). */
static void trim(const char **b, const char **e) {
  while (*b < *e && (is_blank(**b) || **b == '\r'))
    (*b)++;
  while (*e > *b && (is_blank((*e)[-1]) || (*e)[-1] == '\r'))
    (*e)--;
}

static char *dup_range(const char *b, const char *e) {
  char *s = malloc((size_t)(e - b) + 1);
  if (s) {
    memcpy(s, b, (size_t)(e - b));
    s[e - b] = '\0';
  }
  return s;
}

static struct sw_profile_section *
find_section(struct sw_profile_file *f, const char *name, int is_profile) {
  for (size_t i = 0; i < f->count; i++)
    if (f->sections[i].is_profile == is_profile &&
        strcmp(f->sections[i].name, name) == 0)
      return &f->sections[i];
  return NULL;
}

/* Works out what a header names: a profile (and which) or something else. */
static void classify_header(enum sw_profile_kind kind, const char *b,
                            const char *e, const char **nb, const char **ne,
                            int *is_profile) {
  *nb = b;
  *ne = e;
  *is_profile = 1;
  if (kind == SW_PROFILE_CREDENTIALS)
    return;
  if ((size_t)(e - b) == 7 && memcmp(b, "default", 7) == 0)
    return;
  if ((size_t)(e - b) > 8 && memcmp(b, "profile", 7) == 0 && is_blank(b[7])) {
    const char *p = b + 8;
    while (p < e && is_blank(*p))
      p++;
    *nb = p;
    return;
  }
  *is_profile = 0;
}

static int parse_header(struct parse_state *st, const char *b, const char *e) {
  const char *close = NULL, *nb, *ne;
  int is_profile;
  char *name;
  /* As configparser: the header runs to the last ']' on the line; text
   * after it (a comment) is ignored. */
  for (const char *p = b + 1; p < e; p++)
    if (*p == ']')
      close = p;
  if (close == NULL)
    return fail(st, "section header without closing ']'");
  b++;
  e = close;
  trim(&b, &e);
  if (b == e)
    return fail(st, "empty section name");
  classify_header(st->kind, b, e, &nb, &ne, &is_profile);
  name = dup_range(nb, ne);
  if (name == NULL)
    return fail(st, "out of memory");
  st->have_last_key = 0;
  st->cur = find_section(st->f, name, is_profile);
  if (st->cur) {
    free(name);
    return 0;
  }
  if (st->f->count >= SW_PROFILE_MAX_SECTIONS) {
    free(name);
    return fail(st, "too many sections");
  }
  if (st->f->count == st->f->cap) {
    size_t cap = st->f->cap ? st->f->cap * 2 : 8;
    struct sw_profile_section *s = realloc(st->f->sections, cap * sizeof(*s));
    if (s == NULL) {
      free(name);
      return fail(st, "out of memory");
    }
    st->f->sections = s;
    st->f->cap = cap;
  }
  st->cur = &st->f->sections[st->f->count++];
  memset(st->cur, 0, sizeof(*st->cur));
  st->cur->name = name;
  st->cur->is_profile = is_profile;
  return 0;
}

/* Sets key (already lowercased) to value in the current section; takes
 * ownership of value. */
static int set_entry(struct parse_state *st, char *key, char *value) {
  struct sw_profile_section *s = st->cur;
  for (size_t i = 0; i < s->count; i++) {
    if (strcmp(s->entries[i].key, key) == 0) {
      free(key);
      free_secret_str(s->entries[i].value);
      s->entries[i].value = value;
      st->last_key = i;
      return 0;
    }
  }
  if (s->count >= SW_PROFILE_MAX_KEYS) {
    free(key);
    free_secret_str(value);
    return fail(st, "too many keys in section");
  }
  if (s->count == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 8;
    struct sw_profile_entry *n = realloc(s->entries, cap * sizeof(*n));
    if (n == NULL) {
      free(key);
      free_secret_str(value);
      return fail(st, "out of memory");
    }
    s->entries = n;
    s->cap = cap;
  }
  s->entries[s->count].key = key;
  s->entries[s->count].value = value;
  st->last_key = s->count++;
  return 0;
}

/* Splits "key = value" (or "key: value"). */
static int split_kv(struct parse_state *st, const char *b, const char *e,
                    const char **kb, const char **ke, const char **vb,
                    const char **ve) {
  const char *d = b;
  while (d < e && *d != '=' && *d != ':')
    d++;
  if (d == e)
    return fail(st, "expected \"key = value\", a [section] or a comment");
  *kb = b;
  *ke = d;
  *vb = d + 1;
  *ve = e;
  trim(kb, ke);
  trim(vb, ve);
  if (*kb == *ke)
    return fail(st, "empty key before '='");
  return 0;
}

static char *lower_key(const char *prefix, const char *b, const char *e) {
  size_t plen = prefix ? strlen(prefix) + 1 : 0;
  char *k = malloc(plen + (size_t)(e - b) + 1);
  if (k == NULL)
    return NULL;
  if (prefix) {
    memcpy(k, prefix, plen - 1);
    k[plen - 1] = '.';
  }
  for (size_t i = 0; i < (size_t)(e - b); i++)
    k[plen + i] = (char)tolower((unsigned char)b[i]);
  k[plen + (size_t)(e - b)] = '\0';
  return k;
}

static int parse_kv(struct parse_state *st, const char *b, const char *e,
                    const char *prefix) {
  const char *kb = NULL, *ke = NULL, *vb = NULL, *ve = NULL;
  char *key, *value;
  if (st->cur == NULL)
    return fail(st, "setting before the first [section] header");
  if (split_kv(st, b, e, &kb, &ke, &vb, &ve) != 0)
    return -1;
  key = lower_key(prefix, kb, ke);
  value = dup_range(vb, ve);
  if (key == NULL || value == NULL) {
    free(key);
    free(value);
    return fail(st, "out of memory");
  }
  if (prefix == NULL) {
    if ((size_t)(ke - kb) >= sizeof(st->parent)) {
      free(key);
      free_secret_str(value);
      return fail(st, "key too long");
    }
    memcpy(st->parent, key, (size_t)(ke - kb) + 1);
    st->nested = (vb == ve);
  }
  if (set_entry(st, key, value) != 0)
    return -1;
  st->have_last_key = 1;
  return 0;
}

/* An indented line after a key: a nested sub-setting or a continuation. */
static int parse_continuation(struct parse_state *st, const char *b,
                              const char *e) {
  struct sw_profile_entry *ent;
  size_t old_len, add;
  char *v;
  trim(&b, &e);
  if (st->nested)
    return parse_kv(st, b, e, st->parent);
  ent = &st->cur->entries[st->last_key];
  old_len = strlen(ent->value);
  add = (size_t)(e - b);
  if (old_len + add + 2 > SW_PROFILE_MAX_LINE * 4)
    return fail(st, "continued value too long");
  v = malloc(old_len + add + 2);
  if (v == NULL)
    return fail(st, "out of memory");
  memcpy(v, ent->value, old_len);
  v[old_len] = '\n';
  memcpy(v + old_len + 1, b, add);
  v[old_len + 1 + add] = '\0';
  free_secret_str(ent->value);
  ent->value = v;
  return 0;
}

static int parse_line(struct parse_state *st, const char *b, const char *e) {
  const char *tb = b, *te = e;
  trim(&tb, &te);
  if (tb == te || *tb == '#' || *tb == ';')
    return 0;
  if (is_blank(*b) && st->cur && st->have_last_key)
    return parse_continuation(st, b, e);
  if (*tb == '[')
    return parse_header(st, tb, te);
  return parse_kv(st, tb, te, NULL);
}

int sw_profile_parse(const char *text, size_t len, const char *path,
                     enum sw_profile_kind kind, struct sw_profile_file *f,
                     struct sw_error *err) {
  struct parse_state st;
  size_t pos = 0;
  memset(&st, 0, sizeof(st));
  st.path = path ? path : "";
  st.kind = kind;
  st.f = f;
  st.err = err;
  f->present = 1;
  f->path = strdup(st.path);
  if (f->path == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  if (len > SW_PROFILE_MAX_FILE) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: file of %zu bytes exceeds %zu",
                 st.path, len, SW_PROFILE_MAX_FILE);
    goto fail;
  }
  while (pos < len) {
    const char *b = text + pos;
    const char *nl = memchr(b, '\n', len - pos);
    const char *e = nl ? nl : text + len;
    st.line_no++;
    if ((size_t)(e - b) > SW_PROFILE_MAX_LINE) {
      fail(&st, "line too long");
      goto fail;
    }
    if (memchr(b, '\0', (size_t)(e - b)) != NULL) {
      fail(&st, "NUL byte in line");
      goto fail;
    }
    if (st.line_no == 1 && e - b >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
      b += 3; /* a UTF-8 byte order mark, as some editors write */
    if (parse_line(&st, b, e) != 0)
      goto fail;
    pos = (size_t)(e - text) + 1;
  }
  return 0;
fail:
  sw_profile_file_clean_up(f);
  return -1;
}

/* Reads at most max bytes of path into b. 0, 1 when absent, -1 on error. */
static int read_file(const char *path, struct sw_buf *b, struct sw_error *err) {
  char chunk[4096];
  ssize_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return 1;
    return sw_error_set(err, SW_ERR_CONFIG, "%s: cannot open: %s", path,
                        strerror(errno));
  }
  while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      sw_error_set(err, SW_ERR_CONFIG, "%s: read failed: %s", path,
                   strerror(errno));
      break;
    }
    if (sw_buf_append(b, chunk, (size_t)n) != 0) {
      sw_error_set(err, SW_ERR_CONFIG, "%s: larger than %zu bytes", path,
                   SW_PROFILE_MAX_FILE);
      n = -1;
      break;
    }
  }
  sw_wipe(chunk, sizeof(chunk));
  close(fd);
  return n == 0 ? 0 : -1;
}

int sw_profile_load(const char *path, enum sw_profile_kind kind,
                    struct sw_profile_file *f, struct sw_error *err) {
  struct sw_buf b;
  int rc;
  sw_profile_file_init(f);
  sw_buf_init(&b, SW_PROFILE_MAX_FILE);
  rc = read_file(path, &b, err);
  if (rc == 1) {
    f->path = strdup(path);
    rc = f->path ? 0 : sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  } else if (rc == 0) {
    rc = sw_profile_parse(sw_buf_cstr(&b), b.len, path, kind, f, err);
  }
  sw_buf_clean_up_secure(&b);
  return rc;
}

const struct sw_profile_section *
sw_profile_find(const struct sw_profile_file *f, const char *name) {
  if (f == NULL || name == NULL)
    return NULL;
  for (size_t i = 0; i < f->count; i++)
    if (f->sections[i].is_profile && strcmp(f->sections[i].name, name) == 0)
      return &f->sections[i];
  return NULL;
}

const char *sw_profile_get(const struct sw_profile_file *f, const char *name,
                           const char *key) {
  const struct sw_profile_section *s = sw_profile_find(f, name);
  if (s == NULL)
    return NULL;
  for (size_t i = 0; i < s->count; i++)
    if (strcasecmp(s->entries[i].key, key) == 0)
      return s->entries[i].value;
  return NULL;
}

/* $HOME, or the password database's home when HOME is unset (daemons). */
static int home_dir(char *out, size_t out_size, struct sw_error *err) {
  const char *h = getenv("HOME");
  if (h == NULL || h[0] == '\0') {
    struct passwd pw, *res = NULL;
    char pwbuf[4096];
    if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) != 0 ||
        res == NULL || pw.pw_dir == NULL)
      return sw_error_set(err, SW_ERR_CONFIG,
                          "no home directory (HOME unset, uid %u unknown)",
                          (unsigned)getuid());
    return sw_strlcpy(out, pw.pw_dir, out_size) == 0
               ? 0
               : sw_error_set(err, SW_ERR_CONFIG, "home directory too long");
  }
  return sw_strlcpy(out, h, out_size) == 0
             ? 0
             : sw_error_set(err, SW_ERR_CONFIG, "home directory too long");
}

static int file_path(const char *env, const char *rel, char *out,
                     size_t out_size, struct sw_error *err) {
  const char *v = getenv(env);
  char home[1024];
  int n;
  if (v && v[0] != '\0' && !(v[0] == '~' && v[1] == '/')) {
    if ((size_t)snprintf(out, out_size, "%s", v) >= out_size)
      return sw_error_set(err, SW_ERR_CONFIG, "%s too long", env);
    return 0;
  }
  if (home_dir(home, sizeof(home), err) != 0)
    return -1;
  if (v && v[0] != '\0')
    n = snprintf(out, out_size, "%s/%s", home, v + 2);
  else
    n = snprintf(out, out_size, "%s/%s", home, rel);
  if (n < 0 || (size_t)n >= out_size)
    return sw_error_set(err, SW_ERR_CONFIG, "path for %s too long", env);
  return 0;
}

int sw_profile_config_path(char *out, size_t out_size, struct sw_error *err) {
  return file_path("AWS_CONFIG_FILE", ".aws/config", out, out_size, err);
}

int sw_profile_credentials_path(char *out, size_t out_size,
                                struct sw_error *err) {
  return file_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", out,
                   out_size, err);
}
