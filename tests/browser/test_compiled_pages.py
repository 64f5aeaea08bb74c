"""The production build has no loop variable used outside its loop.

Reflex draws `rx.foreach` as `items.map((r_rx_state_, index) => ...)`; code that Reflex puts elsewhere
(hooks at the top of the component: form submit functions, on_mount effects) cannot see `r_rx_state_`,
and the browser throws `r_rx_state_ is not defined` when it runs. tests/test_page_shapes.py checks the
component trees; this reads the JavaScript the live app was built from (the session's `live_app`
compiles `.web` at start), whatever Python shape produced it.
"""

from __future__ import annotations

import re

import pytest

from kmerhosting.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

WEB = PROJECT_ROOT / ".web"
# Names Reflex gives loop items (`<param>_rx_state_`) and indexes (`index_<md5>` or `<param>_rx_state_`).
LOOP_NAME = re.compile(r"^(?:[A-Za-z_$][\w$]*_rx_state_|index_[0-9a-f]{32})$")
IDENT = re.compile(r"[A-Za-z_$][\w$]*")
REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", ""}


def tokens(source: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of the code, strings, comments and regex literals left out."""
    out, i, n = [], 0, len(source)
    while i < n:
        c = source[i]
        if c.isspace():
            i += 1
        elif c in "\"'`":
            j = i + 1
            while j < n and source[j] != c:
                j += 2 if source[j] == "\\" else 1
            i = j + 1
        elif source.startswith("//", i):
            i = source.find("\n", i) if source.find("\n", i) >= 0 else n
        elif source.startswith("/*", i):
            i = source.find("*/", i) + 2 if source.find("*/", i) >= 0 else n
        elif c == "/" and (out[-1][1] if out else "") in REGEX_AFTER:
            j, in_class = i + 1, False
            while j < n and (in_class or source[j] != "/"):
                in_class = (in_class or source[j] == "[") and source[j] != "]"
                j += 2 if source[j] == "\\" else 1
            i = j + 1
            while i < n and source[i].isalpha():  # flags
                i += 1
        elif c in "([{":
            out.append(("open", c, i))
            i += 1
        elif c in ")]}":
            out.append(("close", c, i))
            i += 1
        elif m := IDENT.match(source, i):
            out.append(("id", m.group(0), i))
            i = m.end()
        else:
            out.append(("op", c, i))
            i += 1
    return out


def loop_names_out_of_scope(source: str) -> list[str]:
    """Loop names used where no enclosing arrow function `(name, ...) =>` declares them."""
    toks = tokens(source)
    closing, stack = {}, []
    for k, (kind, _, _) in enumerate(toks):
        if kind == "open":
            stack.append(k)
        elif kind == "close":
            assert stack, f"unbalanced brackets at offset {toks[k][2]}"
            closing[stack.pop()] = k
    assert not stack, "unbalanced brackets"

    scopes = []  # (start, end, names): an arrow function's parameters and the expression holding it
    for k, (kind, text, _) in enumerate(toks):
        if kind != "open" or text != "(":
            continue
        end = closing[k]
        params = toks[k + 1:end]
        is_arrow = end + 2 < len(toks) and toks[end + 1][1] == "=" and toks[end + 2][1] == ">"
        if is_arrow and params and all(t[0] == "id" or t[1] == "," for t in params):
            outer = max((o for o in closing if o < k < closing[o]), default=None)
            scope_end = toks[closing[outer]][2] if outer is not None else len(source)
            scopes.append((toks[k][2], scope_end, {t[1] for t in params if t[0] == "id"}))

    found = []
    for k, (kind, text, offset) in enumerate(toks):
        if kind != "id" or not LOOP_NAME.match(text) or (k and toks[k - 1][1] == "."):
            continue  # a property (`state.x_rx_state_`) is not a variable
        if not any(start <= offset < end and text in names for start, end, names in scopes):
            line = source.count("\n", 0, offset) + 1
            found.append(f"{text} (line {line}): {' '.join(source[max(0, offset - 120):offset + 40].split())}")
    return found


def test_the_scan_sees_a_loop_item_used_outside_its_loop():
    broken = ("const handleSubmit_1 = useCallback((ev) => { addEvents([ReflexEvent('s.reject', "
              "({ ['request_id'] : r_rx_state_?.['id'] }))]) });\n"
              "return jsx(X, {}, Array.prototype.map.call(rows ?? [], ((r_rx_state_, index_0123456789abcdef0123456789abcdef)"
              " => (jsx('input', {value: r_rx_state_?.['id'], key: index_0123456789abcdef0123456789abcdef})))))")
    assert [f.split()[0] for f in loop_names_out_of_scope(broken)] == ["r_rx_state_"]
    assert loop_names_out_of_scope(broken.split("\n", 1)[1]) == []


def test_no_compiled_page_uses_a_loop_item_outside_its_loop(live_app):
    files = sorted([*(WEB / "app" / "routes").glob("*.jsx"), *(WEB / "app_components").rglob("*.jsx")])
    assert files, f"no compiled pages under {WEB}"
    problems = {str(f.relative_to(WEB)): found for f in files if (found := loop_names_out_of_scope(f.read_text()))}
    assert problems == {}
