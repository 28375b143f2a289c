"""CloudWatch Logs filter patterns: parser and evaluator (pure, no I/O).

Supported, following the CloudWatch Logs "Filter pattern syntax" documentation:
- "" (or only blanks): matches every event.
- Term patterns: `ERROR`, `"quoted phrase"`, `-term` (exclusion), `?a ?b` (any of),
  `%regex%` terms. Terms are case sensitive and match anywhere in the message.
- Space-delimited patterns: `[ip, user, ..., status=4*, size>100]`.
- JSON patterns: `{ ($.a = "x") && ($.b.c != "y") || ... }` with parentheses, && binding
  tighter than ||, `=`/`!=` on strings (quoted or unquoted, `*` wildcards), numeric
  `= != < > <= >=`, `%regex%` values, `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`,
  array indexing `$.a[0].b` and `$.a[*].b`. A comparison on a property that is absent
  never matches (use NOT EXISTS).

compile_pattern(text) returns a Pattern or raises AwsError(InvalidParameterException).
"""

import json
import math
import re

from errors import AwsError

MAX_PATTERN_LEN = 1024  # AWS FilterPattern max length
_MISSING = object()


def _invalid(what, detail):
    return AwsError("InvalidParameterException", "Invalid %s: %s" % (what, detail))


def _wildcard_regex(text):
    parts = [re.escape(p) for p in text.split("*")]
    return re.compile("(?s)" + ".*".join(parts) + r"\Z")


def _regex(text, what):
    """A %regex% of a filter pattern (AWS allows a subset of regular expressions)."""
    if not text or len(text) > 256:
        raise _invalid(what, "bad regular expression")
    try:
        return re.compile(text)
    except re.error as exc:
        raise _invalid(what, "bad regular expression: %s" % exc)


def _parse_number(text):
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------- JSON patterns

class _Tok:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos

    def __repr__(self):
        return "%s:%r" % (self.kind, self.text)


_OPS = ("!=", "<=", ">=", "=", "<", ">")
_WORD_STOP = set(" \t\r\n()\"=!<>{}")


def _tokenize_json(body, what):
    toks, i, n = [], 0, len(body)
    while i < n:
        c = body[i]
        if c in " \t\r\n":
            i += 1
        elif c in "()":
            toks.append(_Tok(c, c, i))
            i += 1
        elif body.startswith("&&", i) or body.startswith("||", i):
            toks.append(_Tok(body[i:i + 2], body[i:i + 2], i))
            i += 2
        elif c in "=!<>":
            for op in _OPS:
                if body.startswith(op, i):
                    toks.append(_Tok("op", op, i))
                    i += len(op)
                    break
            else:
                raise _invalid(what, "unexpected '%s' at %d" % (c, i))
        elif c == '"':
            j, out = i + 1, []
            while j < n and body[j] != '"':
                if body[j] == "\\" and j + 1 < n:
                    j += 1
                out.append(body[j])
                j += 1
            if j >= n:
                raise _invalid(what, "unterminated quoted string")
            toks.append(_Tok("str", "".join(out), i))
            i = j + 1
        elif c == "%":
            j = body.find("%", i + 1)
            if j < 0:
                raise _invalid(what, "unterminated regular expression")
            toks.append(_Tok("regex", body[i + 1:j], i))
            i = j + 1
        elif c in "{}":
            raise _invalid(what, "unexpected '%s' at %d" % (c, i))
        else:
            j = i
            while j < n and body[j] not in _WORD_STOP and not body.startswith(
                    "&&", j) and not body.startswith("||", j):
                j += 1
            toks.append(_Tok("word", body[i:j], i))
            i = j
    return toks


def _parse_selector(text, what):
    if not text.startswith("$"):
        raise _invalid(what, "selector must start with '$.': %r" % text)
    path, i, n = [], 1, len(text)
    if n == 1:
        raise _invalid(what, "empty selector")
    while i < n:
        if text[i] == ".":
            m = re.match(r"\.([^.\[\]]+)", text[i:])
            if not m:
                raise _invalid(what, "bad selector %r" % text)
            path.append(m.group(1))
            i += m.end()
        elif text[i] == "[":
            m = re.match(r"\[(\d+|\*)\]", text[i:])
            if not m:
                raise _invalid(what, "bad array index in %r" % text)
            path.append(m.group(1) if m.group(1) == "*" else int(m.group(1)))
            i += m.end()
        else:
            raise _invalid(what, "bad selector %r" % text)
    return path


def _select(doc, path):
    """Values reached by path (a list: `[*]` may fan out); [] when absent."""
    current = [doc]
    for step in path:
        nxt = []
        for v in current:
            if step == "*":
                if isinstance(v, list):
                    nxt.extend(v)
            elif isinstance(step, int):
                if isinstance(v, list) and step < len(v):
                    nxt.append(v[step])
            elif isinstance(v, dict) and step in v:
                nxt.append(v[step])
        current = nxt
        if not current:
            break
    return current


class _Cmp:
    def __init__(self, path, op, value=None, quoted=False, regex=None):
        self.path, self.op, self.quoted = path, op, quoted
        self.value = value
        self.number = None if quoted or value is None else _parse_number(value)
        self.search = regex   # %regex% values: a search anywhere in the value
        self.regex = _wildcard_regex(value) if isinstance(value, str) else None

    def _one(self, v):
        op = self.op
        if op == "IS NULL":
            return v is None
        if op == "IS TRUE":
            return v is True
        if op == "IS FALSE":
            return v is False
        if v is None or isinstance(v, (dict, list)):
            return False
        if op in ("<", ">", "<=", ">="):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return False
            a, b = float(v), self.number
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        if self.number is not None and isinstance(v, (int, float)) and not isinstance(v, bool):
            eq = float(v) == self.number
        else:
            if isinstance(v, bool):
                text = "true" if v else "false"
            elif isinstance(v, (int, float)):
                text = json.dumps(v)
            else:
                text = v
            eq = bool(self.search.search(text)) if self.search is not None else \
                bool(self.regex.match(text))
        return eq if op == "=" else not eq

    def evaluate(self, doc):
        values = _select(doc, self.path)
        if self.op == "NOT EXISTS":
            return not values
        if self.op == "EXISTS":
            return bool(values)
        return any(self._one(v) for v in values)


class _Bool:
    def __init__(self, op, items):
        self.op, self.items = op, items

    def evaluate(self, doc):
        if self.op == "&&":
            return all(x.evaluate(doc) for x in self.items)
        return any(x.evaluate(doc) for x in self.items)


class _JsonParser:
    def __init__(self, toks, what):
        self.toks, self.i, self.what = toks, 0, what

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self):
        t = self.peek()
        if t is None:
            raise _invalid(self.what, "unexpected end of pattern")
        self.i += 1
        return t

    def expr(self, depth=0):
        if depth > 32:
            raise _invalid(self.what, "too deeply nested")
        items = [self.conj(depth)]
        while self.peek() is not None and self.peek().kind == "||":
            self.take()
            items.append(self.conj(depth))
        return items[0] if len(items) == 1 else _Bool("||", items)

    def conj(self, depth):
        items = [self.primary(depth)]
        while self.peek() is not None and self.peek().kind == "&&":
            self.take()
            items.append(self.primary(depth))
        return items[0] if len(items) == 1 else _Bool("&&", items)

    def primary(self, depth):
        t = self.take()
        if t.kind == "(":
            node = self.expr(depth + 1)
            close = self.take()
            if close.kind != ")":
                raise _invalid(self.what, "expected ')' at %d" % close.pos)
            return node
        if t.kind != "word":
            raise _invalid(self.what, "expected a selector at %d" % t.pos)
        path = _parse_selector(t.text, self.what)
        t2 = self.take()
        if t2.kind == "op":
            v = self.take()
            if v.kind == "regex":
                if t2.text not in ("=", "!="):
                    raise _invalid(self.what, "a regular expression needs = or !=")
                return _Cmp(path, t2.text, v.text, True, regex=_regex(v.text, self.what))
            if v.kind not in ("word", "str"):
                raise _invalid(self.what, "expected a value at %d" % v.pos)
            node = _Cmp(path, t2.text, v.text, v.kind == "str")
            if t2.text in ("<", ">", "<=", ">=") and node.number is None:
                raise _invalid(self.what, "%s needs a number" % t2.text)
            return node
        if t2.kind == "word":
            kw = t2.text.upper()
            nxt = self.take()
            if nxt.kind != "word":
                raise _invalid(self.what, "bad keyword at %d" % nxt.pos)
            kw2 = nxt.text.upper()
            if kw == "IS" and kw2 in ("NULL", "TRUE", "FALSE"):
                return _Cmp(path, "IS " + kw2)
            if kw == "NOT" and kw2 == "EXISTS":
                return _Cmp(path, "NOT EXISTS")
            if kw == "IS" and kw2 == "NOT":
                last = self.take()
                if last.kind == "word" and last.text.upper() == "NULL":
                    return _Bool("&&", [_Cmp(path, "EXISTS"),
                                        _Not(_Cmp(path, "IS NULL"))])
        raise _invalid(self.what, "expected an operator after %r" % t.text)


class _Not:
    def __init__(self, inner):
        self.inner = inner

    def evaluate(self, doc):
        return not self.inner.evaluate(doc)


# ---------------------------------------------------------------- term patterns

class _Terms:
    def __init__(self, text, what):
        self.required, self.excluded, self.optional = [], [], []
        i, n = 0, len(text)
        while i < n:
            if text[i].isspace():
                i += 1
                continue
            prefix = ""
            if text[i] in "-?":
                prefix = text[i]
                i += 1
            if i < n and text[i] == '"':
                j = text.find('"', i + 1)
                if j < 0:
                    raise _invalid(what, "unterminated quoted term")
                term = ("lit", text[i + 1:j])
                i = j + 1
            elif i < n and text[i] == "%":
                j = text.find("%", i + 1)
                if j < 0:
                    raise _invalid(what, "unterminated regular expression")
                term = ("re", _regex(text[i + 1:j], what))
                i = j + 1
            else:
                j = i
                while j < n and not text[j].isspace():
                    j += 1
                term = ("lit", text[i:j])
                i = j
            if term[0] == "lit" and term[1] == "":
                if prefix:
                    raise _invalid(what, "empty term")
                continue
            {"": self.required, "-": self.excluded, "?": self.optional}[prefix].append(term)

    @staticmethod
    def _has(term, message):
        kind, t = term
        return bool(t.search(message)) if kind == "re" else t in message

    def matches(self, message):
        if not all(self._has(t, message) for t in self.required):
            return False
        if any(self._has(t, message) for t in self.excluded):
            return False
        if self.optional and not any(self._has(t, message) for t in self.optional):
            return False
        return True


# ---------------------------------------------------------------- space-delimited

def _split_fields(message):
    fields, i, n = [], 0, len(message)
    while i < n:
        if message[i].isspace():
            i += 1
            continue
        if message[i] in '"[':
            close = '"' if message[i] == '"' else "]"
            j = message.find(close, i + 1)
            if j < 0:
                j = n
            fields.append(message[i + 1:j])
            i = j + 1
        else:
            j = i
            while j < n and not message[j].isspace():
                j += 1
            fields.append(message[i:j])
            i = j
    return fields


class _Delimited:
    def __init__(self, inner, what):
        self.specs = []  # (is_ellipsis, name, op, value)
        for raw in inner.split(","):
            spec = raw.strip()
            if spec == "":
                raise _invalid(what, "empty field in space-delimited pattern")
            if spec == "...":
                self.specs.append((True, None, None, None))
                continue
            m = re.fullmatch(r'([A-Za-z0-9_\-]+)\s*(!=|<=|>=|=|<|>)\s*("?)(.*?)\3', spec)
            if m:
                op, value = m.group(2), m.group(4)
                if op in ("<", ">", "<=", ">=") and _parse_number(value) is None:
                    raise _invalid(what, "%s needs a number" % op)
                self.specs.append((False, m.group(1), op, value))
            elif re.fullmatch(r"[A-Za-z0-9_\-]+", spec):
                self.specs.append((False, spec, None, None))
            else:
                raise _invalid(what, "bad field %r" % spec)

    @staticmethod
    def _field_ok(op, value, field):
        if op is None:
            return True
        num = _parse_number(value)
        fnum = _parse_number(field)
        if op in ("<", ">", "<=", ">="):
            if fnum is None:
                return False
            return {"<": fnum < num, ">": fnum > num, "<=": fnum <= num,
                    ">=": fnum >= num}[op]
        if num is not None and fnum is not None:
            eq = num == fnum
        else:
            eq = bool(_wildcard_regex(value).match(field))
        return eq if op == "=" else not eq

    def _assign(self, fields):
        """{field name: value} when the message's fields match the specs, else None.
        Dynamic programming over (spec, field) positions: `...` may take any number of
        fields, so a naive search would be exponential in the number of `...`."""
        n_s, n_f = len(self.specs), len(fields)
        ok = [[False] * (n_f + 1) for _ in range(n_s + 1)]
        ok[n_s][n_f] = True
        for si in range(n_s - 1, -1, -1):
            ell, _, op, value = self.specs[si]
            for fi in range(n_f, -1, -1):
                if ell:
                    ok[si][fi] = ok[si + 1][fi] or (fi < n_f and ok[si][fi + 1])
                else:
                    ok[si][fi] = fi < n_f and ok[si + 1][fi + 1] and \
                        self._field_ok(op, value, fields[fi])
        if not ok[0][0]:
            return None
        out, si, fi = {}, 0, 0
        while si < n_s:
            ell, name, _, _ = self.specs[si]
            if ell:
                if ok[si + 1][fi]:
                    si += 1
                else:
                    fi += 1
                continue
            out[name] = fields[fi]
            si, fi = si + 1, fi + 1
        return out

    def _fields(self, message):
        fields = _split_fields(message)
        if len(fields) > 200:
            return None
        if not any(s[0] for s in self.specs) and len(fields) > len(self.specs):
            # extra trailing fields join the last field, as AWS does
            fields = fields[:len(self.specs) - 1] + [" ".join(fields[len(self.specs) - 1:])]
        return fields

    def matches(self, message):
        fields = self._fields(message)
        return fields is not None and self._assign(fields) is not None

    def field_value(self, message, name):
        fields = self._fields(message)
        assigned = self._assign(fields) if fields is not None else None
        return None if assigned is None else assigned.get(name)


# ---------------------------------------------------------------- public API

class Pattern:
    """A compiled filter pattern; matches(message) -> bool."""

    def __init__(self, text, kind, impl):
        self.text, self.kind, self._impl = text, kind, impl

    def matches(self, message):
        if self.kind == "all":
            return True
        if self.kind == "json":
            try:
                doc = json.loads(message)
            except (ValueError, TypeError, RecursionError):
                return False
            return self._impl.evaluate(doc)
        return self._impl.matches(message)

    def metric_value(self, message, metric_value_spec):
        """The metric value for a matching event: a number, `$.field` (JSON) or `$name`
        (space-delimited); None when it cannot be extracted."""
        spec = str(metric_value_spec).strip()
        if not spec.startswith("$"):
            return _parse_number(spec)
        v = self.field_value(message, spec)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        if isinstance(v, str):
            return _parse_number(v)
        return None

    def field_names(self):
        """The named fields of a space-delimited pattern (empty for other kinds)."""
        if self.kind != "delimited":
            return []
        return [spec[1] for spec in self._impl.specs if not spec[0]]

    def field_value(self, message, selector):
        """The first scalar (str, int, float, bool) at a `$.a.b[0]` selector in a JSON
        message, or the `$name` field of a space-delimited pattern; None when absent or
        when the message does not have that form."""
        if self.kind == "delimited" and isinstance(selector, str) and \
                re.fullmatch(r"\$[A-Za-z0-9_\-]+", selector):
            return self._impl.field_value(message, selector[1:])
        if self.kind != "json" or not isinstance(selector, str) or \
                not selector.startswith("$."):
            return None
        try:
            path = _parse_selector(selector, "selector")
            doc = json.loads(message)
        except (ValueError, TypeError, RecursionError, AwsError):
            return None
        for v in _select(doc, path):
            if isinstance(v, (str, int, float)):
                return v
        return None


def compile_pattern(text, what="metric filter pattern"):
    """Parse a filter pattern; raises AwsError InvalidParameterException when invalid."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise _invalid(what, "not a string")
    if len(text) > MAX_PATTERN_LEN:
        raise _invalid(what, "longer than %d characters" % MAX_PATTERN_LEN)
    stripped = text.strip()
    if stripped == "":
        return Pattern(text, "all", None)
    if stripped.startswith("{"):
        if not stripped.endswith("}"):
            raise _invalid(what, "missing closing '}'")
        body = stripped[1:-1]
        toks = _tokenize_json(body, what)
        if not toks:
            raise _invalid(what, "empty JSON pattern")
        parser = _JsonParser(toks, what)
        node = parser.expr()
        if parser.peek() is not None:
            raise _invalid(what, "unexpected %r at %d" % (parser.peek().text, parser.peek().pos))
        return Pattern(text, "json", node)
    if stripped.startswith("["):
        if not stripped.endswith("]"):
            raise _invalid(what, "missing closing ']'")
        return Pattern(text, "delimited", _Delimited(stripped[1:-1], what))
    if stripped.endswith("}"):
        raise _invalid(what, "unbalanced '}'")
    return Pattern(text, "terms", _Terms(stripped, what))


def matches(pattern_text, message):
    """Convenience: compile and match once."""
    return compile_pattern(pattern_text).matches(message)
