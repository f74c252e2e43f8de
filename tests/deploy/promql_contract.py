"""The metrics contract of deploy/METRICS.md, and a check that a PromQL
expression keeps to it: every metric it selects is in the contract (or is
Prometheus's own `up`), every label it matches or groups by is one those
metrics have, and every value it matches an enumerated label against is
one METRICS.md lists.

Pure: functions take text, never paths. Whether an expression *parses* is
for a real Prometheus to say (prometheus_server.py); this module only
tokenizes enough to find selectors, matchers and grouping labels.
"""
import ast
import re

# Labels Prometheus adds to every scraped series.
TARGET_LABELS = frozenset({"job", "instance"})
# The `mfr-agent` scrape job sets a target label `host` to the node name
# (RUNBOOK.md, "Scrape conventions"); agent metrics have no host otherwise.
AGENT_TARGET_LABELS = TARGET_LABELS | {"host"}
# Series Prometheus itself makes for every target.
BUILTIN_METRICS = {"up": AGENT_TARGET_LABELS}

_AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar",
                 "count", "count_values", "bottomk", "topk", "quantile"}
_GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_KEYWORDS = {"and", "or", "unless", "atan2", "bool", "offset", "inf", "nan",
             "start", "end"} | _GROUPING
_LABEL_MAKERS = {"label_replace", "label_join", "count_values"}  # they add labels

_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<duration>(?:\d+(?:ms|[smhdwy]))+)
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}\[\],@:])
""", re.VERBOSE)


class Contract:
    """Metric name -> label names (target labels included), and label name
    -> the values METRICS.md allows for it."""

    def __init__(self, metrics, label_values):
        self.metrics = metrics
        self.label_values = label_values


def parse_metrics_md(text):
    """The Contract that METRICS.md states in its tables and value lists."""
    metrics = dict(BUILTIN_METRICS)
    label_values = {}
    for line in text.splitlines():
        m = re.match(r"^- `(\w+)`(?: \([^)]*\))?: (.*)$", line)
        if m:
            label_values.setdefault(m.group(1), set()).update(
                re.findall(r"`([^`]+)`", m.group(2)))
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.fullmatch(r"`mfr_\w+`", cells[0]):
            continue
        name, kind = cells[0].strip("`"), cells[1]
        labels = set()
        for label, values in re.findall(r"(\w+)\s*(?:\(([^)]*)\))?", cells[2]):
            labels.add(label)
            if values:
                label_values.setdefault(label, set()).update(
                    re.findall(r"`([^`]+)`", values))
        labels |= AGENT_TARGET_LABELS if name.startswith("mfr_agent_") else TARGET_LABELS
        metrics[name] = labels
        if kind == "histogram":
            metrics[name + "_bucket"] = labels | {"le"}
            metrics[name + "_sum"] = labels
            metrics[name + "_count"] = labels
    return Contract(metrics, label_values)


class Selector:
    """One vector selector: a metric name (None when only matchers name
    it) and its matchers as (label, op, value)."""

    def __init__(self, name, matchers):
        self.name = name
        self.matchers = matchers


def tokenize(expr):
    """(kind, text) tokens of a PromQL expression, whitespace dropped."""
    tokens, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot tokenize {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup != "space":
            tokens.append((m.lastgroup, m.group()))
    return tokens


def _unquote(text):
    return text[1:-1] if text.startswith("`") else ast.literal_eval(text)


def _matchers(tokens, i):
    """Matchers of the `{...}` at tokens[i]; returns them and the index
    after the closing brace."""
    found, i = [], i + 1
    while tokens[i][1] != "}":
        if tokens[i][1] == ",":
            i += 1
            continue
        label, op, value = tokens[i][1], tokens[i + 1][1], tokens[i + 2]
        if value[0] != "string":
            raise ValueError(f"matcher {label}{op} has no string value")
        found.append((label, op, _unquote(value[1])))
        i += 3
    return found, i + 1


def references(expr):
    """The Selectors of `expr`, the labels it groups or matches on (by,
    on, group_left/right), and the functions it calls."""
    tokens = tokenize(expr)
    selectors, grouping, calls = [], set(), set()
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        after = tokens[i + 1][1] if i + 1 < len(tokens) else None
        if kind == "ident" and text in _GROUPING and after == "(":
            j = i + 2
            while tokens[j][1] != ")":
                if tokens[j][0] == "ident" and text not in ("without", "ignoring"):
                    grouping.add(tokens[j][1])
                j += 1
            i = j + 1
        elif kind == "ident" and (after == "(" or (text in _AGGREGATIONS and after in _GROUPING)):
            calls.add(text)
            i += 1
        elif kind == "ident" and text.lower() not in _KEYWORDS:
            matchers = []
            i += 1
            if after == "{":
                matchers, i = _matchers(tokens, i)
            selectors.append(Selector(text, matchers))
        elif text == "{":
            matchers, i = _matchers(tokens, i)
            names = [v for label, op, v in matchers if label == "__name__" and op == "="]
            selectors.append(Selector(names[0] if names else None, matchers))
        elif text == "[":
            while tokens[i][1] != "]":
                i += 1
            i += 1
        else:
            i += 1
    return selectors, grouping, calls


def _values_named(op, value):
    """The literal values a matcher names, or None when it is a real regex."""
    if op in ("=", "!="):
        return [value] if value else []
    if re.fullmatch(r"[A-Za-z0-9_|]+", value):
        return [v for v in value.split("|") if v]
    return None


def problems(expr, contract):
    """What in `expr` breaks the contract, as sentences; [] when nothing."""
    try:
        selectors, grouping, calls = references(expr)
    except (ValueError, IndexError, SyntaxError) as e:
        return [f"cannot read {expr!r}: {e}"]
    found, known = [], set()
    for s in selectors:
        if s.name is None:
            found.append(f"a selector without a metric name: {expr!r}")
            continue
        labels = contract.metrics.get(s.name)
        if labels is None:
            found.append(f"{s.name} is not in deploy/METRICS.md")
            continue
        known |= labels
        for label, op, value in s.matchers:
            if label == "__name__":
                continue
            if label not in labels:
                found.append(f"{s.name} has no label {label!r}")
                continue
            allowed = contract.label_values.get(label)
            for v in (_values_named(op, value) or []) if allowed else []:
                if v not in allowed:
                    found.append(f"{s.name}{{{label}{op}...}}: {v!r} is not a "
                                 f"{label} value in deploy/METRICS.md")
    if not calls & _LABEL_MAKERS:
        for label in sorted(grouping - known):
            found.append(f"groups or matches on {label!r}, which none of "
                         f"{sorted({s.name for s in selectors if s.name})} has")
    return found
