/* A stand-in for libFuzzer's driver in builds without it (gcc, no
 * SECRETWATCH_FUZZ): feeds every file named on the command line, and every
 * regular file in a directory named there, to LLVMFuzzerTestOneInput once.
 * So the normal test suite runs each harness over its seeds and regression
 * inputs, under ASan+UBSan when the build has them. Exits 0 when every input
 * ran (a crash aborts), 1 when an argument could not be read. */
#include "fuzz_common.h"

#include <dirent.h>
#include <sys/stat.h>

/* Larger inputs are not seeds; skipping them keeps a replay fast. */
#define REPLAY_MAX_INPUT ((size_t)8 << 20)

static int replay_file(const char *path, size_t *ran) {
  FILE *f = fopen(path, "rb");
  struct stat st;
  if (f == NULL || fstat(fileno(f), &st) != 0) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    if (f)
      fclose(f);
    return -1;
  }
  if ((size_t)st.st_size > REPLAY_MAX_INPUT) {
    fprintf(stderr, "replay: skipping %s (%lld bytes)\n", path,
            (long long)st.st_size);
    fclose(f);
    return 0;
  }
  size_t size = (size_t)st.st_size;
  /* An exact-size heap block, so ASan sees reads past the end. */
  uint8_t *data = malloc(size ? size : 1);
  if (data == NULL || fread(data, 1, size, f) != size) {
    fprintf(stderr, "replay: cannot read %s\n", path);
    free(data);
    fclose(f);
    return -1;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(data, size);
  free(data);
  (*ran)++;
  return 0;
}

static int replay_dir(const char *dir, size_t *ran) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int rc = 0;
  if (d == NULL) {
    fprintf(stderr, "replay: cannot open directory %s\n", dir);
    return -1;
  }
  while ((e = readdir(d)) != NULL) {
    char path[4096];
    struct stat st;
    if (e->d_name[0] == '.')
      continue;
    if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
        (int)sizeof(path))
      continue;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        replay_file(path, ran) != 0)
      rc = -1;
  }
  closedir(d);
  return rc;
}

int main(int argc, char **argv) {
  size_t ran = 0;
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (argv[i][0] == '-')
      continue; /* libFuzzer flags such as -runs=0: meaningless here */
    if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
      rc |= replay_dir(argv[i], &ran);
    else
      rc |= replay_file(argv[i], &ran);
  }
  printf("replay: %zu inputs ran without a crash\n", ran);
  return rc ? 1 : 0;
}
