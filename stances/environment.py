"""The Jinja environment pages render in: strict, autoescaped, and quicker where Jinja's generality costs.

Each page is tens of lookups, calls and escapes, and a site is thousands of pages, so Jinja's
general paths add up (at 10,000 quotes they were about a third of the render time). What this
module changes gives the same output as plain Jinja, faster:

- a record's field, or a dict's key, is looked up directly, not by an attribute lookup that
  fails first (Jinja tries attributes before items; a field is found the same way, and a
  rebuild's view of a record, tracking.View, still notes that the page read it);
- a plain Python function called from a template is called directly: only callables marked
  with Jinja's pass_context and the like need Jinja's checks;
- a template's globals are a plain dict, copied at each render without walking a ChainMap;
- text written out is escaped into a plain string, not a Markup object each time: the pieces
  are only joined (Jinja marks a macro's or block's result safe itself).

tests/test_environment.py renders each case both ways and compares.
"""

from __future__ import annotations

import types

import jinja2
import jinja2.runtime
import markupsafe

from .tracking import View
from .validate import Record

_escape_inner = getattr(markupsafe, "_escape_inner", None)  # MarkupSafe's own C escaper, where it has one
_markup_escape = markupsafe.escape


def escape_text(value) -> str:
    """markupsafe.escape for output that is only joined: a plain str, not Markup, for str input; Markup as it
    is, not copied (a quote card or a note, shown on a page, is thousands of characters)."""
    kind = type(value)
    if kind is str and _escape_inner is not None:
        return _escape_inner(value)
    if kind is markupsafe.Markup:
        return value
    return _markup_escape(value)


RECORD_ATTRIBUTES = frozenset(name for name in dir(Record) if not name.startswith("__"))
DICT_ATTRIBUTES = frozenset(dir(dict))
PLAIN_CALLABLES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)


class Context(jinja2.runtime.Context):
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        if type(__obj) in PLAIN_CALLABLES and getattr(__obj, "jinja_pass_arg", None) is None:
            kwargs.pop("_block_vars", None)  # what Jinja hands on to callables that take the context
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined("value was undefined because a callable raised a "
                                                    "StopIteration exception")
        return super().call(__obj, *args, **kwargs)


class Template(jinja2.Template):
    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        # Every function of a compiled template shares its module's globals: the blocks and macros too.
        template.root_render_func.__globals__["escape"] = escape_text
        return template


class Environment(jinja2.Environment):
    context_class = Context
    template_class = Template

    def make_globals(self, d):
        return dict(self.globals, **(d or {}))

    def getattr(self, obj, attribute):
        kind = type(obj)
        if kind is Record or kind is View:
            found = obj.__dict__ if kind is Record else obj.record.__dict__
            if attribute in found:
                return found[attribute]
            data = found["data"]
            if attribute in data and attribute not in RECORD_ATTRIBUTES:
                if kind is View:
                    obj.noted(attribute)
                return data[attribute]
        elif kind is dict and attribute in obj and attribute not in DICT_ATTRIBUTES:
            return obj[attribute]
        return super().getattr(obj, attribute)

