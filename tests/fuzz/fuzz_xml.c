/* Fuzzes lib/xml.h: sw_xml_parse on any bytes, then the path getters over
 * every element of the document, element text copies with small and large
 * bounds, and escaping of every text found. Invariants: the depth limit
 * holds, no DTD survives, bounded copies stay bounded and terminated, and
 * escaped text parses back as the same text. */
#include "fuzz_common.h"

#include "lib/xml.h"

#include <libxml/parser.h>

static void check_escape(const char *text) {
  char *esc = sw_xml_escape(text);
  FUZZ_ASSERT(esc != NULL);
  /* <a>escaped</a> must read back as the original text. Only for text
   * libxml2 accepts as element content (valid UTF-8 without controls). */
  if (fuzz_text_is_safe(text, strlen(text) + 1)) {
    size_t n = strlen(esc) + 8;
    char *doc_text = malloc(n);
    struct sw_error err;
    FUZZ_ASSERT(doc_text != NULL);
    snprintf(doc_text, n, "<a>%s</a>", esc);
    xmlDoc *doc = sw_xml_parse(doc_text, strlen(doc_text), &err);
    FUZZ_ASSERT(doc != NULL);
    char *back = sw_xml_text(sw_xml_root(doc));
    FUZZ_ASSERT(back != NULL && strcmp(back, text) == 0);
    free(back);
    xmlFreeDoc(doc);
    free(doc_text);
  }
  free(esc);
}

static void walk(xmlNode *parent, int depth) {
  FUZZ_ASSERT(depth <= SW_XML_MAX_DEPTH);
  for (xmlNode *n = parent->children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    const char *name = (const char *)n->name;
    char small[4], big[256];
    char path[512];
    /* The first child of that name, and following siblings of the name. */
    FUZZ_ASSERT(sw_xml_child(parent, name) != NULL);
    for (xmlNode *s = sw_xml_next(n); s; s = sw_xml_next(s))
      FUZZ_ASSERT(strcmp((const char *)s->name, name) == 0);
    char *text = sw_xml_text(n);
    FUZZ_ASSERT(text != NULL);
    if (sw_xml_path_copy(parent, name, small, sizeof(small)) == 0)
      FUZZ_ASSERT(strnlen(small, sizeof(small)) < sizeof(small));
    if (sw_xml_path_copy(parent, name, big, sizeof(big)) == 0)
      FUZZ_ASSERT(strnlen(big, sizeof(big)) < sizeof(big));
    if (strlen(name) < 200) {
      snprintf(path, sizeof(path), "%s/%s", name, name);
      free(sw_xml_path_text(parent, path));
    }
    check_escape(text);
    free(text);
    walk(n, depth + 1);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  sw_error_clear(&err);
  xmlDoc *doc = sw_xml_parse((const char *)data, size, &err);
  if (doc == NULL) {
    FUZZ_ASSERT(err.kind == SW_ERR_PARSE);
    fuzz_check_error(&err);
    return 0;
  }
  FUZZ_ASSERT(doc->intSubset == NULL && doc->extSubset == NULL);
  xmlNode *root = sw_xml_root(doc);
  FUZZ_ASSERT(root != NULL);
  /* walk() starts from the root's parent so the root is checked too. */
  walk((xmlNode *)doc, 0);
  free(sw_xml_path_text(root, "Error/Code"));
  free(sw_xml_path_text(root, "//"));
  free(sw_xml_path_text(root, ""));
  xmlFreeDoc(doc);
  return 0;
}
