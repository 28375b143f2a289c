/* The state file: JSON (de)serialization and safe, atomic file handling. */
#include "plugin/state.h"
#include "plugin/log.h"

#include "lib/buf.h"
#include "lib/json.h"
#include "lib/text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int swp_state_init(struct swp_state *st, size_t secrets_num) {
  memset(st, 0, sizeof(*st));
  if (swp_cursor_init(&st->cursor) != 0)
    return -1;
  st->secrets = calloc(secrets_num ? secrets_num : 1, sizeof(*st->secrets));
  if (st->secrets == NULL) {
    swp_cursor_clean_up(&st->cursor);
    return -1;
  }
  st->secrets_num = secrets_num;
  return 0;
}

void swp_state_clean_up(struct swp_state *st) {
  if (st == NULL)
    return;
  swp_cursor_clean_up(&st->cursor);
  free(st->secrets);
  memset(st, 0, sizeof(*st));
}

static int add_double(struct json_object *o, const char *k, double v) {
  struct json_object *d = json_object_new_double(v);
  if (d == NULL)
    return -1;
  if (json_object_object_add(o, k, d) != 0) {
    json_object_put(d);
    return -1;
  }
  return 0;
}

static int seen_to_json(const char *id, double t, void *ctx) {
  return add_double(ctx, id, t);
}

static struct json_object *secret_to_json(const struct swp_secret_state *ss,
                                          const struct swp_secret_conf *sc) {
  struct json_object *o = json_object_new_object();
  int rc = o ? 0 : -1;
  if (rc == 0)
    rc = add_double(o, "metric_ts", ss->metric_ts_s);
  if (rc == 0)
    rc = sw_json_add_int64(o, "reads", ss->reads);
  if (rc == 0)
    rc = sw_json_add_int64(o, "denied", ss->denied);
  if (rc == 0)
    rc = sw_json_add_int64(o, "unexpected", ss->unexpected);
  if (rc == 0)
    rc = sw_json_add_str(o, "alarm_name", sc->alarm_name);
  if (rc == 0)
    rc = sw_json_add_str(o, "alarm_state", ss->alarm_state);
  if (rc != 0) {
    json_object_put(o);
    return NULL;
  }
  return o;
}

/* The pending re-read walk: {"start":..,"end":..,"key":..,"value":..,
 * "token":..}, strings only when set. NULL when out of memory. */
static struct json_object *walk_to_json(const struct swp_walk *w) {
  struct json_object *o = json_object_new_object();
  int rc = o ? 0 : -1;
  if (rc == 0)
    rc = add_double(o, "start", w->start_s);
  if (rc == 0)
    rc = add_double(o, "end", w->end_s);
  if (rc == 0 && w->key)
    rc = sw_json_add_str(o, "key", w->key);
  if (rc == 0 && w->value)
    rc = sw_json_add_str(o, "value", w->value);
  if (rc == 0 && w->token)
    rc = sw_json_add_str(o, "token", w->token);
  if (rc != 0) {
    json_object_put(o);
    return NULL;
  }
  return o;
}

static int add_walk(struct json_object *root, const char *name,
                    const struct swp_walk *walk) {
  struct json_object *w = walk_to_json(walk);
  if (w == NULL || json_object_object_add(root, name, w) != 0) {
    json_object_put(w);
    return -1;
  }
  return 0;
}

char *swp_state_to_json(const struct swp_state *st,
                        const struct swp_account_conf *a) {
  struct json_object *root = json_object_new_object();
  struct json_object *seen = json_object_new_object();
  struct json_object *secrets = json_object_new_object();
  char *out = NULL;
  int rc = (root && seen && secrets) ? 0 : -1;
  if (rc == 0)
    rc = sw_json_add_int64(root, "version", SWP_STATE_VERSION);
  if (rc == 0)
    rc = sw_json_add_str(root, "account", a->name);
  if (rc == 0)
    rc = add_double(root, "last_end", st->cursor.last_end_s);
  if (rc == 0)
    rc = add_double(root, "hole_start", st->cursor.hole_start_s);
  if (rc == 0)
    rc = add_double(root, "hole_end", st->cursor.hole_end_s);
  if (rc == 0 && st->cursor.walk.end_s > 0)
    rc = add_walk(root, "walk", &st->cursor.walk);
  if (rc == 0 && st->cursor.hole_walk.end_s > 0)
    rc = add_walk(root, "hole_walk", &st->cursor.hole_walk);
  if (rc == 0)
    rc = swp_seen_foreach(st->cursor.seen, seen_to_json, seen);
  for (size_t i = 0; rc == 0 && i < st->secrets_num && i < a->secrets_num;
       i++) {
    struct json_object *o = secret_to_json(&st->secrets[i], &a->secrets[i]);
    if (o == NULL || json_object_object_add(secrets, a->secrets[i].label, o)) {
      json_object_put(o);
      rc = -1;
    }
  }
  if (rc == 0 && json_object_object_add(root, "seen", seen) == 0) {
    seen = NULL;
    if (json_object_object_add(root, "secrets", secrets) == 0) {
      secrets = NULL;
      out = sw_json_dump(root);
    }
  }
  json_object_put(seen);
  json_object_put(secrets);
  json_object_put(root);
  return out;
}

static int bad(char *why, size_t size, const char *what) {
  snprintf(why, size, "%s", what);
  return -1;
}

static int time_ok(double t) {
  /* Epoch seconds between 2000 and 2200, or 0 for "never". */
  return isfinite(t) && (t == 0 || (t >= 946684800.0 && t <= 7258118400.0));
}

static int secrets_from_json(struct swp_state *st, struct json_object *secrets,
                             const struct swp_account_conf *a, char *why,
                             size_t why_size) {
  for (size_t i = 0; i < a->secrets_num && i < st->secrets_num; i++) {
    struct swp_secret_state *ss = &st->secrets[i];
    struct json_object *o = sw_json_obj(secrets, a->secrets[i].label);
    const char *alarm, *state;
    int64_t n;
    if (o == NULL)
      continue;
    if (sw_json_double(o, "metric_ts", &ss->metric_ts_s) != 0 ||
        !time_ok(ss->metric_ts_s))
      return bad(why, why_size, "secrets.metric_ts is not a time");
    if (sw_json_int64(o, "reads", &n) == 0 && n >= 0)
      ss->reads = n;
    if (sw_json_int64(o, "denied", &n) == 0 && n >= 0)
      ss->denied = n;
    if (sw_json_int64(o, "unexpected", &n) == 0 && n >= 0)
      ss->unexpected = n;
    alarm = sw_json_str(o, "alarm_name");
    state = sw_json_str(o, "alarm_state");
    if (alarm && state && strcmp(alarm, a->secrets[i].alarm_name) == 0 &&
        strlen(state) < sizeof(ss->alarm_state))
      memcpy(ss->alarm_state, state, strlen(state) + 1);
  }
  return 0;
}

/* A pagination token or attribute is short printable text. */
static int walk_str_ok(const char *v) {
  if (v == NULL)
    return 1;
  if (strlen(v) > 8192)
    return 0;
  for (const char *q = v; *q; q++)
    if ((unsigned char)*q < 0x20 || *q == 0x7f)
      return 0;
  return 1;
}

/* The pending re-read walk, when there is one. A walk that does not make
 * sense is forgotten rather than failing the file: the next re-read starts
 * over (records are never lost, at worst read once more). */
static void walk_from_json(struct swp_walk *to, struct json_object *root,
                           const char *name) {
  struct json_object *w = sw_json_obj(root, name);
  double ws, we;
  const char *key, *value, *token;
  if (w == NULL || sw_json_double(w, "start", &ws) != 0 ||
      sw_json_double(w, "end", &we) != 0 || !time_ok(ws) || !time_ok(we) ||
      we <= 0 || ws > we)
    return;
  key = sw_json_str(w, "key");
  value = sw_json_str(w, "value");
  token = sw_json_str(w, "token");
  if (!walk_str_ok(key) || !walk_str_ok(value) || !walk_str_ok(token) ||
      (key == NULL) != (value == NULL))
    return;
  (void)swp_walk_set(to, ws, we, key, value, token);
}

static int from_root(struct swp_state *st, struct json_object *root,
                     const struct swp_account_conf *a, char *why,
                     size_t why_size) {
  struct json_object *seen, *secrets;
  int64_t version;
  struct swp_cursor *c = &st->cursor;
  if (!json_object_is_type(root, json_type_object))
    return bad(why, why_size, "not a JSON object");
  if (sw_json_int64(root, "version", &version) != 0)
    return bad(why, why_size, "no version");
  if (version != SWP_STATE_VERSION)
    return bad(why, why_size,
               "unsupported version (written by a newer "
               "secretwatch?)");
  if (sw_json_double(root, "last_end", &c->last_end_s) != 0 ||
      !time_ok(c->last_end_s))
    return bad(why, why_size, "last_end is not a time");
  if (sw_json_double(root, "hole_start", &c->hole_start_s) != 0 ||
      sw_json_double(root, "hole_end", &c->hole_end_s) != 0 ||
      !time_ok(c->hole_start_s) || !time_ok(c->hole_end_s) ||
      c->hole_end_s < c->hole_start_s)
    return bad(why, why_size, "hole_start/hole_end are not a time range");
  walk_from_json(&c->walk, root, "walk");
  walk_from_json(&c->hole_walk, root, "hole_walk");
  if ((seen = sw_json_obj(root, "seen")) == NULL)
    return bad(why, why_size, "no seen object");
  if ((secrets = sw_json_obj(root, "secrets")) == NULL)
    return bad(why, why_size, "no secrets object");
  json_object_object_foreach(seen, id, tv) {
    double t;
    if (!json_object_is_type(tv, json_type_double) &&
        !json_object_is_type(tv, json_type_int))
      return bad(why, why_size, "a seen entry is not a number");
    t = json_object_get_double(tv);
    if (!time_ok(t) || swp_seen_add(c->seen, id, t) < 0)
      return bad(why, why_size, "a seen entry is malformed");
  }
  return secrets_from_json(st, secrets, a, why, why_size);
}

/* Resets st to a fresh state for a (after a failed parse). */
static void reset(struct swp_state *st) {
  size_t n = st->secrets_num;
  swp_walk_clear(&st->cursor.walk);
  swp_walk_clear(&st->cursor.hole_walk);
  swp_seen_free(st->cursor.seen);
  memset(&st->cursor, 0, sizeof(st->cursor));
  st->cursor.seen = swp_seen_new();
  memset(st->secrets, 0, (n ? n : 1) * sizeof(*st->secrets));
}

int swp_state_from_json(struct swp_state *st, const char *text, size_t len,
                        const struct swp_account_conf *a, char *why,
                        size_t why_size) {
  struct sw_error err;
  struct json_object *root;
  int rc;
  sw_error_clear(&err);
  root = sw_json_parse(text, len, &err);
  if (root == NULL)
    return bad(why, why_size, err.message[0] ? err.message : "not JSON");
  rc = from_root(st, root, a, why, why_size);
  json_object_put(root);
  if (rc != 0 || st->cursor.seen == NULL) {
    reset(st);
    return -1;
  }
  return 0;
}

/* Reads at most SWP_STATE_MAX_BYTES from fd. 0 or -1 (errno kept). */
static int read_all(int fd, struct sw_buf *b) {
  char chunk[8192];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      return 0;
    if (sw_buf_append(b, chunk, (size_t)n) != 0) {
      errno = EFBIG;
      return -1;
    }
  }
}

/* Refuses what must never be read or replaced. 0 ok, 1 absent, -1 refused
 * (logged). */
/* Whether path may be read or replaced: 1 missing, 0 a regular file of
 * ours, -1 refused with the reason in why (never a symlink, a non-regular
 * file or another user's file). */
static int check_file_why(const char *path, const char *doing, char *why,
                          size_t why_size) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno == ENOENT)
      return 1;
    snprintf(why, why_size, "state file %s: cannot %s it: %s", path, doing,
             strerror(errno));
    return -1;
  }
  if (S_ISLNK(st.st_mode)) {
    snprintf(why, why_size,
             "state file %s is a symbolic link; refusing to %s it "
             "(remove the link or point StateFile at a real file)",
             path, doing);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(why, why_size,
             "state file %s is not a regular file; refusing to %s it", path,
             doing);
    return -1;
  }
  if (st.st_uid != geteuid()) {
    snprintf(why, why_size,
             "state file %s is owned by uid %ld, not by collectd's "
             "uid %ld; refusing to %s it",
             path, (long)st.st_uid, (long)geteuid(), doing);
    return -1;
  }
  return 0;
}

/* check_file_why that logs the reason (loading happens once per start). */
static int check_file(const char *path, const char *doing) {
  char why[4400];
  int rc = check_file_why(path, doing, why, sizeof(why));
  if (rc < 0)
    swp_log(SWP_ERR, "%s", why);
  return rc;
}

static void move_aside(const char *path, const char *why) {
  char aside[4200];
  snprintf(aside, sizeof(aside), "%s.corrupt-%ld", path, (long)time(NULL));
  if (rename(path, aside) == 0)
    swp_log(SWP_ERR,
            "state file %s is unusable (%s); moved it to %s and "
            "starting from now - Lookback",
            path, why, aside);
  else
    swp_log(SWP_ERR,
            "state file %s is unusable (%s) and could not be moved "
            "aside (%s); starting from now - Lookback",
            path, why, strerror(errno));
}

enum swp_state_load_result swp_state_load(struct swp_state *st,
                                          const char *path,
                                          const struct swp_account_conf *a) {
  struct sw_buf b;
  char why[600] = "";
  int fd, rc = check_file(path, "read");
  if (rc != 0)
    return rc > 0 ? SWP_STATE_FRESH : SWP_STATE_REFUSED;
  fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    swp_log(SWP_ERR, "state file %s: cannot open it: %s", path,
            strerror(errno));
    return SWP_STATE_REFUSED;
  }
  sw_buf_init(&b, SWP_STATE_MAX_BYTES);
  rc = read_all(fd, &b);
  close(fd);
  if (rc != 0 && errno != EFBIG) {
    swp_log(SWP_ERR, "state file %s: cannot read it: %s", path,
            strerror(errno));
    sw_buf_clean_up(&b);
    return SWP_STATE_REFUSED;
  }
  if (rc != 0)
    snprintf(why, sizeof(why), "larger than %zu bytes", SWP_STATE_MAX_BYTES);
  else if (b.len == 0)
    snprintf(why, sizeof(why), "empty");
  else
    rc = swp_state_from_json(st, b.data, b.len, a, why, sizeof(why));
  sw_buf_clean_up(&b);
  /* why is set for every unusable file (the empty one included) */
  if (rc == 0 && why[0] == '\0')
    return SWP_STATE_LOADED;
  move_aside(path, why);
  return SWP_STATE_MOVED_ASIDE;
}

/* Creates dir and missing parents; the last component gets mode 0700. */
static int make_dirs(const char *dir) {
  char tmp[4096];
  size_t n = strlen(dir);
  if (n == 0 || n >= sizeof(tmp))
    return -1;
  memcpy(tmp, dir, n + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
      return -1;
    *p = '/';
  }
  if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
    return -1;
  return 0;
}

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static int fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int rc;
  if (fd < 0)
    return -1;
  rc = fsync(fd);
  close(fd);
  return rc;
}

int swp_state_save(const struct swp_state *st, const char *path,
                   const struct swp_account_conf *a, char *why,
                   size_t why_size) {
  char dir[4096], tmp[4200];
  char *text, *slash;
  int fd, rc = -1, saved;
  const char *step = "serialize";
  char scratch[8];
  if (why == NULL || why_size == 0) {
    why = scratch; /* the caller does not want the reason */
    why_size = sizeof(scratch);
  }
  why[0] = '\0';
  if (strlen(path) >= sizeof(dir) || (slash = strrchr(path, '/')) == NULL) {
    snprintf(why, why_size, "state file path is not absolute or too long");
    return -1;
  }
  if (check_file_why(path, "replace", why, why_size) < 0)
    return -1;
  memcpy(dir, path, (size_t)(slash - path));
  dir[slash - path] = '\0';
  if (dir[0] == '\0')
    strcpy(dir, "/");
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  if ((text = swp_state_to_json(st, a)) == NULL) {
    snprintf(why, why_size,
             "state file %.4000s: out of memory while writing it", path);
    return -1;
  }
  step = "create its directory";
  if (make_dirs(dir) != 0)
    goto out;
  step = "create the temporary file";
  /* A leftover from a crash is ours to replace; anything planted there is
   * not followed (O_NOFOLLOW | O_EXCL). */
  unlink(tmp);
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    goto out;
  step = "write";
  if (write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0) {
    saved = errno;
    close(fd);
    unlink(tmp);
    errno = saved;
    goto out;
  }
  if (close(fd) != 0) {
    saved = errno;
    unlink(tmp);
    errno = saved;
    goto out;
  }
  step = "rename the temporary file over it";
  if (rename(tmp, path) != 0) {
    saved = errno;
    unlink(tmp);
    errno = saved;
    goto out;
  }
  step = "sync its directory";
  if (fsync_dir(dir) != 0)
    goto out;
  rc = 0;
out:
  if (rc != 0)
    snprintf(why, why_size, "state file %.4000s: cannot %s: %s", path, step,
             strerror(errno));
  free(text);
  return rc;
}
