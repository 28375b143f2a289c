/* The state file: round trip, atomic replace, modes, and every way a file
 * can be unusable or unsafe. */
#include "mock_collectd.h"
#include "sw_test.h"

#include "plugin/state.h"

#include "collectd/core/daemon/utils_complain.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1795766400.0

static struct swp_secret_conf secrets[2];
static struct swp_account_conf account;
static char dir[256];

static void remove_dir(void) {
  char cmd[600];
  if (dir[0] == '\0')
    return;
  snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", dir, dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", dir);
  dir[0] = '\0';
}

static void setup(void) {
  remove_dir();
  memset(secrets, 0, sizeof(secrets));
  memset(&account, 0, sizeof(account));
  secrets[0].label = "TopSecretInfo";
  secrets[0].alarm_name = "secretwatch-TopSecretInfo-read";
  secrets[1].label = "Other";
  secrets[1].alarm_name = "secretwatch-Other-read";
  account.name = "prod";
  account.secrets = secrets;
  account.secrets_num = 2;
  snprintf(dir, sizeof(dir), "/tmp/swp-state-XXXXXX");
  if (mkdtemp(dir) == NULL)
    abort();
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static void fill(struct swp_state *st) {
  st->cursor.last_end_s = T0;
  st->cursor.hole_start_s = T0 - 5000;
  st->cursor.hole_end_s = T0 - 4000;
  swp_seen_add(st->cursor.seen, "ev-1", T0 - 10);
  swp_seen_add(st->cursor.seen, "ev-2", T0 - 20);
  st->secrets[0].metric_ts_s = T0 - 60;
  st->secrets[0].reads = 7;
  st->secrets[0].denied = 2;
  st->secrets[0].unexpected = 5;
  strcpy(st->secrets[0].alarm_state, "ALARM");
}

static void test_round_trip_through_the_file(void) {
  struct swp_state st, back;
  char path[400];
  struct stat sb;
  setup();
  snprintf(path, sizeof(path), "%s/sub/secretwatch/prod.json", dir);
  swp_state_init(&st, 2);
  fill(&st);
  mock_reset();
  SW_CHECK_INT(swp_state_save(&st, path, &account, NULL, 0), 0);
  SW_CHECK_INT(stat(path, &sb), 0);
  SW_CHECK_INT(sb.st_mode & 0777, 0600);
  snprintf(path, sizeof(path), "%s/sub/secretwatch", dir);
  SW_CHECK_INT(stat(path, &sb), 0);
  SW_CHECK_INT(sb.st_mode & 0777, 0700);
  snprintf(path, sizeof(path), "%s/sub/secretwatch/prod.json.tmp", dir);
  SW_CHECK(access(path, F_OK) != 0); /* no temp file left behind */
  snprintf(path, sizeof(path), "%s/sub/secretwatch/prod.json", dir);
  swp_state_init(&back, 2);
  SW_CHECK_INT(swp_state_load(&back, path, &account), SWP_STATE_LOADED);
  SW_CHECK(back.cursor.last_end_s == T0);
  SW_CHECK(back.cursor.hole_start_s == T0 - 5000);
  SW_CHECK(back.cursor.hole_end_s == T0 - 4000);
  SW_CHECK(swp_seen_has(back.cursor.seen, "ev-1"));
  SW_CHECK(swp_seen_has(back.cursor.seen, "ev-2"));
  SW_CHECK(back.secrets[0].metric_ts_s == T0 - 60);
  SW_CHECK_INT(back.secrets[0].reads, 7);
  SW_CHECK_INT(back.secrets[0].denied, 2);
  SW_CHECK_INT(back.secrets[0].unexpected, 5);
  SW_CHECK_STR(back.secrets[0].alarm_state, "ALARM");
  SW_CHECK_STR(back.secrets[1].alarm_state, "");
  /* saving again replaces the file atomically */
  back.secrets[1].reads = 1;
  SW_CHECK_INT(swp_state_save(&back, path, &account, NULL, 0), 0);
  swp_state_clean_up(&st);
  swp_state_init(&st, 2);
  SW_CHECK_INT(swp_state_load(&st, path, &account), SWP_STATE_LOADED);
  SW_CHECK_INT(st.secrets[1].reads, 1);
  swp_state_clean_up(&st);
  swp_state_clean_up(&back);
}

static void test_missing_file_is_a_fresh_start(void) {
  struct swp_state st;
  char path[400];
  setup();
  snprintf(path, sizeof(path), "%s/none.json", dir);
  swp_state_init(&st, 2);
  SW_CHECK_INT(swp_state_load(&st, path, &account), SWP_STATE_FRESH);
  SW_CHECK(st.cursor.last_end_s == 0);
  swp_state_clean_up(&st);
}

static void test_changed_alarm_name_forgets_its_state(void) {
  struct swp_state st;
  char why[200];
  const char *text =
      "{\"version\":1,\"last_end\":1795766400,\"hole_start\":0,\"hole_end\":0,"
      "\"seen\":{},\"secrets\":{\"TopSecretInfo\":{\"metric_ts\":0,\"reads\":"
      "3,\"alarm_name\":\"old-name\",\"alarm_state\":\"ALARM\"},\"Gone\":{"
      "\"metric_ts\":0}}}";
  setup();
  swp_state_init(&st, 2);
  SW_CHECK_INT(
      swp_state_from_json(&st, text, strlen(text), &account, why, sizeof(why)),
      0);
  SW_CHECK_INT(st.secrets[0].reads, 3);
  SW_CHECK_STR(st.secrets[0].alarm_state, "");
  swp_state_clean_up(&st);
}

struct bad_case {
  const char *name;
  const char *text;
  const char *want_in_log;
};

static const struct bad_case bad_cases[] = {
    {"empty", "", "empty"},
    {"truncated",
     "{\"version\":1,\"last_end\":1795766400,\"hole_start\":0,\"hole_e",
     "unusable"},
    {"not json", "garbage\n", "unusable"},
    {"array", "[1,2]", "not a JSON object"},
    {"future version",
     "{\"version\":2,\"last_end\":1795766400,\"hole_start\":0,\"hole_end\":0,"
     "\"seen\":{},\"secrets\":{}}",
     "unsupported version"},
    {"no version", "{\"last_end\":1795766400}", "no version"},
    {"last_end string",
     "{\"version\":1,\"last_end\":\"yesterday\",\"hole_start\":0,"
     "\"hole_end\":0,\"seen\":{},\"secrets\":{}}",
     "last_end"},
    {"last_end absurd",
     "{\"version\":1,\"last_end\":1e300,\"hole_start\":0,\"hole_end\":0,"
     "\"seen\":{},\"secrets\":{}}",
     "last_end"},
    {"hole reversed",
     "{\"version\":1,\"last_end\":1795766400,\"hole_start\":1795766400,"
     "\"hole_end\":1795766000,\"seen\":{},\"secrets\":{}}",
     "hole"},
    {"seen wrong type",
     "{\"version\":1,\"last_end\":1795766400,\"hole_start\":0,\"hole_end\":0,"
     "\"seen\":{\"ev\":\"x\"},\"secrets\":{}}",
     "seen entry"},
    {"seen missing",
     "{\"version\":1,\"last_end\":1795766400,\"hole_start\":0,\"hole_end\":0,"
     "\"secrets\":{}}",
     "no seen"},
    {"secret metric_ts bad",
     "{\"version\":1,\"last_end\":1795766400,\"hole_start\":0,\"hole_end\":0,"
     "\"seen\":{},\"secrets\":{\"TopSecretInfo\":{\"metric_ts\":-5}}}",
     "metric_ts"},
};

static void test_unusable_files_are_moved_aside(void) {
  for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
    const struct bad_case *c = &bad_cases[i];
    struct swp_state st;
    char path[400], cmd[600];
    int r;
    setup();
    snprintf(path, sizeof(path), "%s/prod.json", dir);
    write_file(path, c->text);
    swp_state_init(&st, 2);
    mock_reset();
    r = swp_state_load(&st, path, &account);
    if (r != SWP_STATE_MOVED_ASIDE ||
        strstr(mock_log, c->want_in_log) == NULL ||
        strstr(mock_log, "moved it to") == NULL || access(path, F_OK) == 0 ||
        st.cursor.last_end_s != 0 || swp_seen_count(st.cursor.seen) != 0) {
      fprintf(stderr, "case \"%s\": result %d, log:\n%s\n", c->name, r,
              mock_log);
      SW_CHECK(0);
    }
    /* the next save works and the moved file is still there */
    SW_CHECK_INT(swp_state_save(&st, path, &account, NULL, 0), 0);
    snprintf(cmd, sizeof(cmd), "ls %s/prod.json.corrupt-* >/dev/null 2>&1",
             dir);
    SW_CHECK_INT(system(cmd), 0);
    swp_state_clean_up(&st);
  }
}

static void test_symlink_is_refused_and_never_followed(void) {
  struct swp_state st;
  char path[400], target[400];
  setup();
  snprintf(target, sizeof(target), "%s/target.json", dir);
  snprintf(path, sizeof(path), "%s/prod.json", dir);
  write_file(target, "precious");
  SW_CHECK_INT(symlink(target, path), 0);
  swp_state_init(&st, 2);
  mock_reset();
  SW_CHECK_INT(swp_state_load(&st, path, &account), SWP_STATE_REFUSED);
  SW_CHECK(strstr(mock_log, "symbolic link") != NULL);
  SW_CHECK_INT(swp_state_save(&st, path, &account, NULL, 0), -1);
  {
    char buf[32] = "";
    FILE *f = fopen(target, "r");
    SW_CHECK(f && fgets(buf, sizeof(buf), f));
    if (f)
      fclose(f);
    SW_CHECK_STR(buf, "precious");
  }
  swp_state_clean_up(&st);
}

static void test_directory_instead_of_file_is_refused(void) {
  struct swp_state st;
  char path[400];
  setup();
  snprintf(path, sizeof(path), "%s/prod.json", dir);
  mkdir(path, 0700);
  swp_state_init(&st, 2);
  mock_reset();
  SW_CHECK_INT(swp_state_load(&st, path, &account), SWP_STATE_REFUSED);
  SW_CHECK(strstr(mock_log, "not a regular file") != NULL);
  swp_state_clean_up(&st);
}

static void test_file_of_another_user_is_refused(void) {
  struct swp_state st;
  char path[400];
  if (geteuid() != 0)
    SW_SKIP("needs root to create a file owned by another user");
  setup();
  snprintf(path, sizeof(path), "%s/prod.json", dir);
  write_file(path, "{}");
  SW_CHECK_INT(chown(path, 65534, 65534), 0);
  swp_state_init(&st, 2);
  mock_reset();
  SW_CHECK_INT(swp_state_load(&st, path, &account), SWP_STATE_REFUSED);
  SW_CHECK(strstr(mock_log, "owned by uid 65534") != NULL);
  SW_CHECK_INT(swp_state_save(&st, path, &account, NULL, 0), -1);
  swp_state_clean_up(&st);
}

static void test_unwritable_directory_fails_cleanly(void) {
  struct swp_state st;
  char path[400], why[1024];
  setup();
  /* a regular file where the directory should be: fails even for root */
  snprintf(path, sizeof(path), "%s/blocker", dir);
  write_file(path, "x");
  snprintf(path, sizeof(path), "%s/blocker/secretwatch/prod.json", dir);
  swp_state_init(&st, 2);
  fill(&st);
  mock_reset();
  SW_CHECK_INT(swp_state_save(&st, path, &account, why, sizeof(why)), -1);
  SW_CHECK(strstr(why, "Not a directory") != NULL);
  SW_CHECK(strstr(why, path) != NULL);
  SW_CHECK_STR(mock_log, ""); /* the caller logs, through c_complain */
  swp_state_clean_up(&st);
}

/* A save that fails every cycle: swp_state_save itself logs nothing and
 * says why; the poller's c_complain/c_release pattern then logs one line
 * when it starts failing and one when it works again (the fault table's
 * "state file unwritable": a directory where the temporary file goes). */
static void test_failing_saves_are_logged_once(void) {
  struct swp_state st;
  char path[400], tmp[420], why[1024];
  c_complain_t cc = C_COMPLAIN_INIT_STATIC;
  int problems = 0, recoveries = 0;
  setup();
  snprintf(path, sizeof(path), "%s/prod.json", dir);
  snprintf(tmp, sizeof(tmp), "%s/prod.json.tmp", dir);
  swp_state_init(&st, 2);
  fill(&st);
  mock_reset();
  SW_CHECK_INT(swp_state_save(&st, path, &account, why, sizeof(why)), 0);
  SW_CHECK_STR(why, "");
  SW_CHECK_INT(mkdir(tmp, 0700), 0);
  SW_CHECK_INT(mkdir(strcat(strcpy(why, tmp), "/x"), 0700), 0);
  for (int cycle = 0; cycle < 8; cycle++) {
    int rc;
    if (cycle == 5) { /* the operator fixes it */
      char sub[440];
      snprintf(sub, sizeof(sub), "%s/x", tmp);
      SW_CHECK_INT(rmdir(sub), 0);
      SW_CHECK_INT(rmdir(tmp), 0);
    }
    why[0] = 'x';
    rc = swp_state_save(&st, path, &account, why, sizeof(why));
    SW_CHECK_INT(rc, cycle < 5 ? -1 : 0);
    if (rc != 0) {
      SW_CHECK(strstr(why, "cannot create the temporary file") != NULL);
      SW_CHECK(strstr(why, path) != NULL);
      c_complain(LOG_ERR, &cc,
                 "account prod: the state file cannot be "
                 "written (%s)",
                 why);
    } else {
      SW_CHECK_STR(why, "");
      c_release(LOG_NOTICE, &cc,
                "account prod: the state file is written "
                "again");
    }
  }
  for (const char *l = mock_log; (l = strstr(l, "account prod:")) != NULL;
       l++) {
    problems += strncmp(l, "account prod: the state file cannot",
                        strlen("account prod: the state file cannot")) == 0;
    recoveries +=
        strncmp(l, "account prod: the state file is written",
                strlen("account prod: the state file is written")) == 0;
  }
  SW_CHECK_INT(problems, 1);
  SW_CHECK_INT(recoveries, 1);
  /* nothing else was logged (the old code logged "cannot create" on every
   * failed save, outside c_complain) */
  {
    int n = 0;
    for (const char *l = mock_log;
         (l = strstr(l, "cannot create the temporary")) != NULL; l++)
      n++;
    SW_CHECK_INT(n, 1);
  }
  if (problems != 1 || recoveries != 1)
    fprintf(stderr, "log:\n%s\n", mock_log);
  swp_state_clean_up(&st);
}

/* The pending re-read walk survives a restart; a nonsensical one is
 * forgotten without failing the file. */
static void test_walk_round_trip(void) {
  struct swp_state st, back;
  char *text;
  char why[200];
  swp_state_init(&st, 2);
  fill(&st);
  SW_CHECK_INT(swp_walk_set(&st.cursor.walk, T0 - 900, T0 - 2, "EventName",
                            "GetSecretValue", "tok|1|2"),
               0);
  text = swp_state_to_json(&st, &account);
  SW_CHECK(text != NULL);
  swp_state_init(&back, 2);
  SW_CHECK_INT(swp_state_from_json(&back, text, strlen(text), &account, why,
                                   sizeof(why)),
               0);
  SW_CHECK(back.cursor.walk.start_s == T0 - 900);
  SW_CHECK(back.cursor.walk.end_s == T0 - 2);
  SW_CHECK(back.cursor.walk.key &&
           strcmp(back.cursor.walk.key, "EventName") == 0);
  SW_CHECK(back.cursor.walk.value &&
           strcmp(back.cursor.walk.value, "GetSecretValue") == 0);
  SW_CHECK(back.cursor.walk.token &&
           strcmp(back.cursor.walk.token, "tok|1|2") == 0);
  free(text);
  swp_state_clean_up(&back);
  {
    static const char *const bad_walks[] = {
        "{\"start\":5,\"end\":6}",
        "{\"start\":1795766400,\"end\":1795766000}",
        "{\"start\":1795766000,\"end\":1795766400,\"token\":\"a\\nb\"}",
        "{\"start\":1795766000,\"end\":1795766400,\"key\":\"k\"}",
        "[]",
    };
    for (size_t i = 0; i < sizeof(bad_walks) / sizeof(bad_walks[0]); i++) {
      char doc[600];
      snprintf(doc, sizeof(doc),
               "{\"version\":1,\"account\":\"prod\",\"last_end\":%.0f,"
               "\"hole_start\":0,\"hole_end\":0,\"walk\":%s,\"seen\":{},"
               "\"secrets\":{}}",
               T0, bad_walks[i]);
      swp_state_init(&back, 2);
      SW_CHECK_INT(swp_state_from_json(&back, doc, strlen(doc), &account, why,
                                       sizeof(why)),
                   0);
      SW_CHECK(back.cursor.walk.end_s == 0);
      SW_CHECK(back.cursor.walk.token == NULL);
      SW_CHECK(back.cursor.last_end_s == T0);
      swp_state_clean_up(&back);
    }
  }
  swp_state_clean_up(&st);
}

static void test_oversized_file_is_moved_aside(void) {
  struct swp_state st;
  char path[400];
  int fd;
  setup();
  snprintf(path, sizeof(path), "%s/prod.json", dir);
  fd = open(path, O_WRONLY | O_CREAT, 0600);
  SW_CHECK(fd >= 0);
  SW_CHECK_INT(ftruncate(fd, (off_t)SWP_STATE_MAX_BYTES + 10), 0);
  close(fd);
  swp_state_init(&st, 2);
  mock_reset();
  SW_CHECK_INT(swp_state_load(&st, path, &account), SWP_STATE_MOVED_ASIDE);
  SW_CHECK(strstr(mock_log, "larger than") != NULL);
  swp_state_clean_up(&st);
}

int main(void) {
  SW_RUN(test_round_trip_through_the_file);
  SW_RUN(test_missing_file_is_a_fresh_start);
  SW_RUN(test_changed_alarm_name_forgets_its_state);
  SW_RUN(test_unusable_files_are_moved_aside);
  SW_RUN(test_symlink_is_refused_and_never_followed);
  SW_RUN(test_directory_instead_of_file_is_refused);
  SW_RUN(test_file_of_another_user_is_refused);
  SW_RUN(test_unwritable_directory_fails_cleanly);
  SW_RUN(test_failing_saves_are_logged_once);
  SW_RUN(test_walk_round_trip);
  SW_RUN(test_oversized_file_is_moved_aside);
  remove_dir();
  return sw_test_done();
}
