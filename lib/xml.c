#include "lib/xml.h"
#include "lib/text.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

static size_t tree_depth(xmlNode *node, size_t depth) {
  size_t max = 0; /* no element here: 0, so a leaf does not count one more */
  /* Iterative over siblings, recursive over children: bounded by the depth
   * check below, which stops at SW_XML_MAX_DEPTH + 1. */
  for (xmlNode *n = node; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (depth > SW_XML_MAX_DEPTH)
      return depth;
    size_t d = tree_depth(n->children, depth + 1);
    if (d < depth)
      d = depth;
    if (d > max)
      max = d;
  }
  return max;
}

xmlDoc *sw_xml_parse(const char *text, size_t len, struct sw_error *err) {
  xmlDoc *doc;
  if (len > SW_XML_MAX_SIZE) {
    sw_error_set(err, SW_ERR_PARSE, "XML document of %zu bytes exceeds %zu",
                 len, SW_XML_MAX_SIZE);
    return NULL;
  }
  if (len == 0) {
    sw_error_set(err, SW_ERR_PARSE, "empty XML document");
    return NULL;
  }
  doc = xmlReadMemory(text, (int)len, "aws-response.xml", NULL,
                      XML_PARSE_NONET | XML_PARSE_NOERROR |
                          XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
  if (doc == NULL) {
    const xmlError *xe = xmlGetLastError();
    sw_error_set(err, SW_ERR_PARSE, "invalid XML%s%s",
                 xe && xe->message ? ": " : "",
                 xe && xe->message ? xe->message : "");
    return NULL;
  }
  if (xmlDocGetRootElement(doc) == NULL) {
    xmlFreeDoc(doc);
    sw_error_set(err, SW_ERR_PARSE, "XML document has no root element");
    return NULL;
  }
  if (doc->intSubset || doc->extSubset) {
    xmlFreeDoc(doc);
    sw_error_set(err, SW_ERR_PARSE, "XML document with a DTD refused");
    return NULL;
  }
  if (tree_depth(xmlDocGetRootElement(doc), 1) > SW_XML_MAX_DEPTH) {
    xmlFreeDoc(doc);
    sw_error_set(err, SW_ERR_PARSE, "XML document nested deeper than %d",
                 SW_XML_MAX_DEPTH);
    return NULL;
  }
  return doc;
}

xmlNode *sw_xml_root(xmlDoc *doc) {
  return doc ? xmlDocGetRootElement(doc) : NULL;
}

static int named(xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE &&
         strcmp((const char *)n->name, name) == 0;
}

xmlNode *sw_xml_child(xmlNode *parent, const char *name) {
  if (parent == NULL)
    return NULL;
  for (xmlNode *n = parent->children; n; n = n->next)
    if (named(n, name))
      return n;
  return NULL;
}

xmlNode *sw_xml_next(xmlNode *node) {
  if (node == NULL)
    return NULL;
  for (xmlNode *n = node->next; n; n = n->next)
    if (named(n, (const char *)node->name))
      return n;
  return NULL;
}

xmlNode *sw_xml_path(xmlNode *parent, const char *path) {
  char name[128];
  const char *p = path;
  xmlNode *n = parent;
  while (n && *p) {
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    if (len == 0 || len >= sizeof(name))
      return NULL;
    memcpy(name, p, len);
    name[len] = '\0';
    n = sw_xml_child(n, name);
    p = slash ? slash + 1 : p + len;
  }
  return n;
}

char *sw_xml_text(xmlNode *node) {
  xmlChar *c;
  char *s;
  if (node == NULL)
    return NULL;
  c = xmlNodeGetContent(node);
  s = strdup(c ? (const char *)c : "");
  xmlFree(c);
  return s;
}

char *sw_xml_path_text(xmlNode *parent, const char *path) {
  return sw_xml_text(sw_xml_path(parent, path));
}

int sw_xml_path_copy(xmlNode *parent, const char *path, char *out,
                     size_t out_size) {
  char *s = sw_xml_path_text(parent, path);
  if (s == NULL)
    return -1;
  sw_strlcpy(out, s, out_size);
  free(s);
  return 0;
}

char *sw_xml_escape(const char *text) {
  size_t n = 0;
  for (const char *p = text; *p; p++)
    n += (*p == '&')                 ? 5
         : (*p == '<' || *p == '>')  ? 4
         : (*p == '"' || *p == '\'') ? 6
                                     : 1;
  char *out = malloc(n + 1), *o = out;
  if (out == NULL)
    return NULL;
  for (const char *p = text; *p; p++) {
    const char *rep = NULL;
    switch (*p) {
    case '&':
      rep = "&amp;";
      break;
    case '<':
      rep = "&lt;";
      break;
    case '>':
      rep = "&gt;";
      break;
    case '"':
      rep = "&quot;";
      break;
    case '\'':
      rep = "&apos;";
      break;
    }
    if (rep) {
      size_t l = strlen(rep);
      memcpy(o, rep, l);
      o += l;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
  return out;
}
