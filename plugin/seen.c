/* Open-addressing hash set of event ids (FNV-1a, linear probing, grown at
 * half full, rebuilt without the pruned entries). */
#include "plugin/seen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
  char *id; /* NULL: empty slot */
  double time_s;
};

struct swp_seen {
  struct entry *slots;
  size_t cap; /* power of two */
  size_t count;
  unsigned long changes; /* ids added or dropped, ever */
};

static uint64_t hash_id(const char *id) {
  uint64_t h = 1469598103934665603ULL;
  for (; *id; id++) {
    h ^= (unsigned char)*id;
    h *= 1099511628211ULL;
  }
  return h;
}

struct swp_seen *swp_seen_new(void) {
  struct swp_seen *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return NULL;
  s->cap = 64;
  s->slots = calloc(s->cap, sizeof(*s->slots));
  if (s->slots == NULL) {
    free(s);
    return NULL;
  }
  return s;
}

void swp_seen_free(struct swp_seen *s) {
  if (s == NULL)
    return;
  for (size_t i = 0; i < s->cap; i++)
    free(s->slots[i].id);
  free(s->slots);
  free(s);
}

static size_t find_slot(const struct entry *slots, size_t cap, const char *id) {
  size_t i = (size_t)hash_id(id) & (cap - 1);
  while (slots[i].id != NULL && strcmp(slots[i].id, id) != 0)
    i = (i + 1) & (cap - 1);
  return i;
}

int swp_seen_has(const struct swp_seen *s, const char *id) {
  if (id == NULL || id[0] == '\0')
    return 0;
  return s->slots[find_slot(s->slots, s->cap, id)].id != NULL;
}

/* Moves the live entries into a table of new_cap slots. */
static int rehash(struct swp_seen *s, size_t new_cap) {
  struct entry *slots = calloc(new_cap, sizeof(*slots));
  if (slots == NULL)
    return -1;
  for (size_t i = 0; i < s->cap; i++) {
    if (s->slots[i].id != NULL)
      slots[find_slot(slots, new_cap, s->slots[i].id)] = s->slots[i];
  }
  free(s->slots);
  s->slots = slots;
  s->cap = new_cap;
  return 0;
}

int swp_seen_add(struct swp_seen *s, const char *id, double event_time_s) {
  size_t i;
  if (id == NULL || id[0] == '\0' || strlen(id) > SWP_SEEN_ID_MAX)
    return -1;
  i = find_slot(s->slots, s->cap, id);
  if (s->slots[i].id != NULL)
    return 0;
  if (s->count >= SWP_SEEN_MAX)
    return -1;
  if ((s->count + 1) * 2 > s->cap) {
    if (rehash(s, s->cap * 2) != 0)
      return -1;
    i = find_slot(s->slots, s->cap, id);
  }
  if ((s->slots[i].id = strdup(id)) == NULL)
    return -1;
  s->slots[i].time_s = event_time_s;
  s->count++;
  s->changes++;
  return 1;
}

size_t swp_seen_prune(struct swp_seen *s, double cutoff_s) {
  size_t keep = 0, cap = s->cap;
  struct entry *slots;
  for (size_t i = 0; i < s->cap; i++)
    if (s->slots[i].id != NULL && s->slots[i].time_s >= cutoff_s)
      keep++;
  if (keep == s->count)
    return 0;
  while (cap > 64 && keep * 8 < cap)
    cap /= 2;
  /* A fresh table (linear probing cannot leave holes in a chain). Out of
   * memory: nothing is pruned, which only costs memory, never a repeat. */
  if ((slots = calloc(cap, sizeof(*slots))) == NULL)
    return 0;
  for (size_t i = 0; i < s->cap; i++) {
    if (s->slots[i].id == NULL)
      continue;
    if (s->slots[i].time_s >= cutoff_s)
      slots[find_slot(slots, cap, s->slots[i].id)] = s->slots[i];
    else
      free(s->slots[i].id);
  }
  free(s->slots);
  s->slots = slots;
  s->cap = cap;
  keep = s->count - keep;
  s->count -= keep;
  s->changes++;
  return keep;
}

size_t swp_seen_count(const struct swp_seen *s) {
  return s->count;
}

unsigned long swp_seen_changes(const struct swp_seen *s) {
  return s->changes;
}

int swp_seen_foreach(const struct swp_seen *s,
                     int (*fn)(const char *id, double event_time_s, void *ctx),
                     void *ctx) {
  for (size_t i = 0; i < s->cap; i++) {
    if (s->slots[i].id != NULL) {
      int rc = fn(s->slots[i].id, s->slots[i].time_s, ctx);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}
