/* Starts tests/unit/scripted_server.py (a loopback HTTP(S) server answering
 * from a JSON script) for the C unit tests, and reads its request log.
 *
 * The child gets a pipe as stdin and exits when it closes, so a crashed test
 * leaves no server behind. */
#ifndef SW_SCRIPTED_SERVER_H
#define SW_SCRIPTED_SERVER_H

#include "lib/json.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct sw_srv {
  pid_t pid;
  int port;
  int stdin_fd; /* closing it stops the server */
  char dir[128];
  char log[192];
};

/* Loopback tests must not go through a proxy or trust anchors from the
 * environment. Call once at the start of main. */
static inline void sw_srv_isolate_env(void) {
  static const char *const vars[] = {
      "http_proxy", "HTTP_PROXY", "https_proxy",  "HTTPS_PROXY",
      "all_proxy",  "ALL_PROXY",  "AWS_CA_BUNDLE"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
    unsetenv(vars[i]);
}

/* Writes script (a JSON list of steps) to a temp dir and starts the server;
 * cert/key (PEM paths) make it HTTPS; verify_secret (or NULL) makes it check
 * every request's SigV4 signature with botocore (log field "sig_ok").
 * 0, or -1 with a message on stderr. */
static inline int sw_srv_start(struct sw_srv *s, const char *script,
                               const char *cert, const char *key,
                               const char *verify_secret) {
  char script_path[192], server[1024], line[32];
  const char *src = getenv("SW_SOURCE_DIR");
  int out[2], in[2];
  FILE *f;
  memset(s, 0, sizeof(*s));
  s->pid = -1;
  s->stdin_fd = -1;
  if (src == NULL) {
    fprintf(stderr, "SW_SOURCE_DIR not set\n");
    return -1;
  }
  snprintf(server, sizeof(server), "%s/tests/unit/scripted_server.py", src);
  snprintf(s->dir, sizeof(s->dir), "/tmp/sw-srv-XXXXXX");
  if (mkdtemp(s->dir) == NULL)
    return -1;
  snprintf(script_path, sizeof(script_path), "%s/script.json", s->dir);
  snprintf(s->log, sizeof(s->log), "%s/requests.log", s->dir);
  f = fopen(script_path, "w");
  if (f == NULL)
    return -1;
  fputs(script, f);
  fclose(f);
  if (pipe(out) != 0)
    return -1;
  if (pipe(in) != 0) {
    close(out[0]);
    close(out[1]);
    return -1;
  }
  s->pid = fork();
  if (s->pid == 0) {
    dup2(out[1], 1);
    dup2(in[0], 0);
    close(out[0]);
    close(out[1]);
    close(in[0]);
    close(in[1]);
    const char *argv[16];
    int n = 0;
    argv[n++] = "python3";
    argv[n++] = server;
    argv[n++] = "--script";
    argv[n++] = script_path;
    argv[n++] = "--log";
    argv[n++] = s->log;
    if (cert) {
      argv[n++] = "--cert";
      argv[n++] = cert;
      argv[n++] = "--key";
      argv[n++] = key;
    }
    if (verify_secret) {
      argv[n++] = "--verify-secret";
      argv[n++] = verify_secret;
    }
    argv[n] = NULL;
    execv("/usr/bin/python3", (char *const *)argv);
    _exit(127);
  }
  close(out[1]);
  close(in[0]);
  s->stdin_fd = in[1];
  fcntl(s->stdin_fd, F_SETFD, FD_CLOEXEC);
  {
    struct pollfd p = {out[0], POLLIN, 0};
    size_t n = 0;
    /* The port line, within 10 s. */
    while (n < sizeof(line) - 1 && poll(&p, 1, 10000) == 1) {
      ssize_t r = read(out[0], line + n, 1);
      if (r <= 0 || line[n] == '\n')
        break;
      n++;
    }
    line[n] = '\0';
  }
  close(out[0]);
  s->port = atoi(line);
  if (s->pid < 0 || s->port <= 0) {
    fprintf(stderr, "scripted server did not start (%s)\n", server);
    return -1;
  }
  return 0;
}

/* Removes a temp dir of ours (bounded path, no shell metacharacters). */
static inline void sw_srv_remove_dir(const char *dir) {
  char cmd[256];
  if (strncmp(dir, "/tmp/sw-", 8) != 0 || strchr(dir, '\'') != NULL)
    return;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
}

/* Makes in dir (made by the caller) a CA (ca.pem), a server certificate for
 * DNS:localhost only, not 127.0.0.1 (server.pem, server.key), signed by it,
 * and an unrelated second CA (other.pem). 0, or non-zero when openssl
 * failed. */
static inline int sw_srv_make_pki(const char *dir) {
  char cmd[2048];
  snprintf(cmd, sizeof(cmd),
           "(cd '%s' && "
           "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
           "-nodes -days 2 -subj /CN=sw-ca -keyout ca.key -out ca.pem && "
           "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
           "-nodes -days 2 -subj /CN=sw-other-ca -keyout other.key "
           "-out other.pem && "
           "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
           "-nodes -subj /CN=localhost -keyout server.key -out server.csr && "
           "printf 'subjectAltName=DNS:localhost\\n' > ext.cnf && "
           "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
           "-CAcreateserial -days 2 -extfile ext.cnf -out server.pem) "
           ">/dev/null 2>&1",
           dir);
  return system(cmd);
}

static inline void sw_srv_stop(struct sw_srv *s) {
  if (s->stdin_fd >= 0)
    close(s->stdin_fd);
  if (s->pid > 0) {
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
  }
  s->pid = -1;
  s->stdin_fd = -1;
  if (s->dir[0]) {
    sw_srv_remove_dir(s->dir);
    s->dir[0] = '\0';
  }
}

/* The logged requests as a JSON array (json_object_put it); never NULL. */
static inline struct json_object *sw_srv_requests(struct sw_srv *s) {
  struct json_object *arr = json_object_new_array();
  FILE *f = fopen(s->log, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  if (f == NULL)
    return arr;
  while ((n = getline(&line, &cap, f)) > 0) {
    struct json_object *o = sw_json_parse(line, (size_t)n, NULL);
    if (o)
      json_object_array_add(arr, o);
  }
  free(line);
  fclose(f);
  return arr;
}

/* The value of header name in logged request i, or NULL (borrowed). */
static inline const char *sw_srv_header(struct json_object *reqs, size_t i,
                                        const char *name) {
  struct json_object *r = json_object_array_get_idx(reqs, i);
  struct json_object *h = sw_json_arr(r, "headers");
  for (size_t j = 0; h && j < json_object_array_length(h); j++) {
    struct json_object *pair = json_object_array_get_idx(h, j);
    const char *n = json_object_get_string(json_object_array_get_idx(pair, 0));
    if (n && strcasecmp(n, name) == 0)
      return json_object_get_string(json_object_array_get_idx(pair, 1));
  }
  return NULL;
}

#endif
