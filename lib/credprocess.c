#include "lib/credprocess.h"
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void sw_credprocess_argv_free(char **argv) {
  if (argv == NULL)
    return;
  for (size_t i = 0; argv[i]; i++)
    free(argv[i]);
  free(argv);
}

/* Appends the finished word in w to argv. */
static int push_word(char **argv, size_t *argc, struct sw_buf *w,
                     struct sw_error *err) {
  if (*argc >= SW_CREDPROCESS_MAX_ARGS)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credential_process: more than %d words",
                        SW_CREDPROCESS_MAX_ARGS);
  argv[*argc] = strdup(sw_buf_cstr(w));
  if (argv[*argc] == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  (*argc)++;
  sw_buf_reset(w);
  return 0;
}

/* The POSIX shell's quoting rules, without any expansion: inside double
 * quotes a backslash escapes only $ ` " \ and newline. */
static int split_words(const char *cmd, char **argv, size_t *argc,
                       struct sw_buf *w, struct sw_error *err) {
  int in_word = 0;
  char quote = 0;
  for (const char *p = cmd; *p; p++) {
    char c = *p;
    int rc = 0;
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        rc = sw_buf_append_char(w, c);
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else if (c == '\\' && p[1] && strchr("$`\"\\\n", p[1]))
        rc = sw_buf_append_char(w, *++p);
      else
        rc = sw_buf_append_char(w, c);
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word && push_word(argv, argc, w, err) != 0)
        return -1;
      in_word = 0;
    } else {
      in_word = 1;
      if (c == '\'' || c == '"')
        quote = c;
      else if (c == '\\' && p[1])
        rc = sw_buf_append_char(w, *++p);
      else
        rc = sw_buf_append_char(w, c);
    }
    if (rc != 0)
      return sw_error_set(err, SW_ERR_CONFIG,
                          "credential_process: word too long");
  }
  if (quote)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credential_process: unterminated %c quote", quote);
  if (in_word && push_word(argv, argc, w, err) != 0)
    return -1;
  return 0;
}

int sw_credprocess_split(const char *cmd, char ***argv_out,
                         struct sw_error *err) {
  struct sw_buf w;
  size_t argc = 0;
  char **argv;
  int rc;
  *argv_out = NULL;
  if (cmd == NULL || strlen(cmd) > SW_CREDPROCESS_MAX_COMMAND)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credential_process: command missing or longer than "
                        "%d bytes",
                        SW_CREDPROCESS_MAX_COMMAND);
  argv = calloc(SW_CREDPROCESS_MAX_ARGS + 1, sizeof(*argv));
  if (argv == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  sw_buf_init(&w, SW_CREDPROCESS_MAX_COMMAND);
  rc = split_words(cmd, argv, &argc, &w, err);
  sw_buf_clean_up_secure(&w);
  if (rc == 0 && argc == 0)
    rc = sw_error_set(err, SW_ERR_CONFIG, "credential_process: empty command");
  if (rc != 0) {
    sw_credprocess_argv_free(argv);
    return -1;
  }
  *argv_out = argv;
  return 0;
}

static int spawn(char **argv, int out_fd, pid_t *pid, struct sw_error *err) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t none, dflt;
  int rc;
  if (argv == NULL || argv[0] == NULL)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "credential_process: empty command");
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  sigemptyset(&none);
  sigemptyset(&dflt);
  sigaddset(&dflt, SIGPIPE);
  sigaddset(&dflt, SIGCHLD);
  sigaddset(&dflt, SIGTERM);
  sigaddset(&dflt, SIGINT);
  sigaddset(&dflt, SIGHUP);
  /* A daemon's blocked or ignored signals must not leak into the helper. */
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &dflt);
  /* Its own process group, so a timeout kills whatever it started too. */
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return sw_error_set(
        err, SW_ERR_CREDENTIALS, "credential_process: cannot run \"%s\": %s%s",
        argv[0], strerror(rc), rc == ENOENT ? " (program not found)" : "");
  return 0;
}

/* Reads the child's stdout until EOF, the cap or the deadline.
 * 0 at EOF, -1 with err otherwise. */
static int read_output(int fd, long long deadline_ms, struct sw_buf *out,
                       struct sw_error *err) {
  char chunk[4096];
  int rc = -1;
  for (;;) {
    long long left = deadline_ms - sw_time_mono_ms();
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ssize_t n;
    if (left <= 0) {
      sw_error_set(err, SW_ERR_CREDENTIALS, "credential_process: timed out");
      break;
    }
    if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR) {
      sw_error_set(err, SW_ERR_CREDENTIALS, "credential_process: poll: %s",
                   strerror(errno));
      break;
    }
    if (pfd.revents == 0)
      continue;
    n = read(fd, chunk, sizeof(chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n < 0) {
      sw_error_set(err, SW_ERR_CREDENTIALS, "credential_process: read: %s",
                   strerror(errno));
      break;
    }
    if (n == 0) {
      rc = 0;
      break;
    }
    if (sw_buf_append(out, chunk, (size_t)n) != 0) {
      sw_error_set(err, SW_ERR_CREDENTIALS,
                   "credential_process: output larger than %zu bytes",
                   SW_CREDPROCESS_MAX_OUTPUT);
      break;
    }
  }
  sw_wipe(chunk, sizeof(chunk));
  return rc;
}

/* Waits for the child until the deadline, then kills it. Returns the wait
 * status, or -1 if it had to be killed. */
static int reap(pid_t pid, long long deadline_ms, int kill_now) {
  int status = 0;
  struct timespec ts = {0, 10 * 1000 * 1000};
  while (!kill_now) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return status;
    /* A host that ignores SIGCHLD (older collectd daemons do) has its
     * children reaped by the kernel: the exit status is lost, so the output
     * alone decides. */
    if (r < 0 && errno == ECHILD)
      return 0;
    if (r < 0 && errno != EINTR)
      return -1;
    if (sw_time_mono_ms() >= deadline_ms)
      break;
    nanosleep(&ts, NULL);
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return -1;
}

static int check_status(int status, struct sw_error *err) {
  if (status == -1)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "credential_process: timed out waiting for exit");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "credential_process: exited with status 127 (program "
                        "not found or not executable?)");
  if (WIFEXITED(status))
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "credential_process: exited with status %d",
                        WEXITSTATUS(status));
  return sw_error_set(err, SW_ERR_CREDENTIALS,
                      "credential_process: killed by signal %d",
                      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int sw_credprocess_run(const char *cmd, long timeout_ms,
                       struct sw_credentials *out, struct sw_error *err) {
  char **argv = NULL;
  int fds[2] = {-1, -1};
  pid_t pid = -1;
  struct sw_buf buf;
  long long deadline_ms;
  int rc;
  sw_buf_init(&buf, SW_CREDPROCESS_MAX_OUTPUT);
  deadline_ms = sw_time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 60000);
  rc = sw_credprocess_split(cmd, &argv, err);
  if (rc == 0 && pipe2(fds, O_CLOEXEC) != 0)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "credential_process: pipe: %s",
                      strerror(errno));
  if (rc == 0)
    rc = spawn(argv, fds[1], &pid, err);
  if (fds[1] >= 0)
    close(fds[1]);
  if (rc == 0) {
    rc = read_output(fds[0], deadline_ms, &buf, err);
    /* On failure the child is killed at once rather than waited for. */
    int status = reap(pid, deadline_ms, rc != 0);
    if (rc == 0)
      rc = check_status(status, err);
  }
  if (rc == 0)
    rc = sw_credentials_parse_json(buf.data, buf.len, SW_CREDS_JSON_PROCESS,
                                   sw_time_now(), out, err);
  if (fds[0] >= 0)
    close(fds[0]);
  sw_buf_clean_up_secure(&buf);
  sw_credprocess_argv_free(argv);
  return rc;
}
