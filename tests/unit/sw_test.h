/* A small table-friendly test harness for the C unit tests.
 *
 * Each test is a function run with SW_RUN(); a check that fails prints its
 * file, line and expression and marks the running test failed. The process
 * prints "N passed, N failed" and exits 1 on any failure, 77 when every test
 * was skipped (ctest reports that as skipped). */
#ifndef SW_TEST_H
#define SW_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int sw_t_passed, sw_t_failed, sw_t_skipped, sw_t_cur_failed;
static int sw_t_cur_skipped;

#define SW_CHECK(cond)                                                         \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      sw_t_cur_failed = 1;                                                     \
    }                                                                          \
  } while (0)

#define SW_CHECK_STR(got, want)                                         \
  do {                                                                  \
    const char *sw_g_ = (got), *sw_w_ = (want);                         \
    if (sw_g_ == NULL || sw_w_ == NULL ? sw_g_ != sw_w_                 \
                                       : strcmp(sw_g_, sw_w_) != 0) {   \
      fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__, \
              __LINE__, #got, sw_g_ ? sw_g_ : "(null)",                 \
              sw_w_ ? sw_w_ : "(null)");                                \
      sw_t_cur_failed = 1;                                              \
    }                                                                   \
  } while (0)

#define SW_CHECK_INT(got, want)                                               \
  do {                                                                        \
    long long sw_g_ = (long long)(got), sw_w_ = (long long)(want);            \
    if (sw_g_ != sw_w_) {                                                     \
      fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", __FILE__, __LINE__, \
              #got, sw_g_, sw_w_);                                            \
      sw_t_cur_failed = 1;                                                    \
    }                                                                         \
  } while (0)

/* Marks the running test skipped, with the reason, and returns from it. */
#define SW_SKIP(...)              \
  do {                            \
    fprintf(stderr, "skip: ");    \
    fprintf(stderr, __VA_ARGS__); \
    fprintf(stderr, "\n");        \
    sw_t_cur_skipped = 1;         \
    return;                       \
  } while (0)

#define SW_RUN(fn)                       \
  do {                                   \
    sw_t_cur_failed = 0;                 \
    sw_t_cur_skipped = 0;                \
    fn();                                \
    if (sw_t_cur_failed) {               \
      sw_t_failed++;                     \
      fprintf(stderr, "FAIL %s\n", #fn); \
    } else if (sw_t_cur_skipped) {       \
      sw_t_skipped++;                    \
      fprintf(stderr, "SKIP %s\n", #fn); \
    } else {                             \
      sw_t_passed++;                     \
      fprintf(stderr, "ok   %s\n", #fn); \
    }                                    \
  } while (0)

static inline int sw_test_done(void) {
  printf("%d passed, %d failed, %d skipped\n", sw_t_passed, sw_t_failed,
         sw_t_skipped);
  if (sw_t_failed)
    return 1;
  if (sw_t_passed == 0 && sw_t_skipped > 0)
    return 77;
  return 0;
}

/* The shared AWS test data folder, or NULL (with the reason printed once)
 * when it is absent: tests that need it skip. */
static inline const char *sw_testdata(void) {
  static int warned;
  const char *d = getenv("SW_TESTDATA");
  struct stat st;
  if (d && stat(d, &st) == 0 && S_ISDIR(st.st_mode))
    return d;
  if (!warned++)
    fprintf(stderr, "shared test data not found at %s (set SW_TESTDATA)\n",
            d ? d : "(unset)");
  return NULL;
}

/* Reads a whole file into a NUL-terminated heap buffer the caller frees. */
static inline char *sw_test_slurp(const char *path, size_t *len_out) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len - 1 == 0) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf)
    return NULL;
  buf[len] = '\0';
  if (len_out)
    *len_out = len;
  return buf;
}

/* Reads <testdata>/<rel>; NULL if the data folder or file is missing. */
static inline char *sw_test_fixture(const char *rel, size_t *len_out) {
  const char *d = sw_testdata();
  char path[4096];
  if (!d)
    return NULL;
  snprintf(path, sizeof(path), "%s/%s", d, rel);
  char *s = sw_test_slurp(path, len_out);
  if (!s)
    fprintf(stderr, "fixture missing: %s\n", path);
  return s;
}

#endif
