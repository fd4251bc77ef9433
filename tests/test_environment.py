"""The quicker Jinja environment renders what plain Jinja renders, and fails where it fails."""

import jinja2
import pytest
from markupsafe import Markup

from stances.environment import Environment
from stances.tracking import Reads, View
from stances.validate import Record


def both(source: str, **context) -> tuple[str, str]:
    made = []
    for kind in (jinja2.Environment, Environment):
        env = kind(loader=jinja2.DictLoader({"page.html": source, "_macros.html": MACROS}), autoescape=True,
                   undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        made.append(env.get_template("page.html").render(**context))
    return made[0], made[1]


MACROS = "{% macro shout(text) %}<b>{{ text }}</b>{% endmacro %}"


def record(**data) -> Record:
    return Record("quotes", "q1", "content/quotes/q1.yml", 1, 1, data)


@jinja2.pass_context
def page_kind(context, suffix):
    return context["kind"] + suffix


CASES = [
    ("fields, present and absent", "{{ r.text }}|{{ r.kind }}|{{ r.id }}|{{ r.missing is defined }}|"
     "{{ r.get('text') }}|{{ r['text'] }}", {"r": record(text="a < b & \"c\" 'd'")}),
    ("a field named like a method is the method, as in Jinja", "{{ r.where('text')[0] }}|{{ r.get is defined }}",
     {"r": record(text="t", where="shadowed", get="shadowed")}),
    ("dict keys, and dict methods before keys", "{{ d.text }}|{{ d['text'] }}|{{ d.items()|list|length }}|"
     "{{ d.nope is defined }}", {"d": {"text": "<i>", "items": "shadowed"}}),
    ("calls in blocks and loops, with keywords", "{% block b %}{% for x in [1, 2] %}{{ f(x, y=x) }}"
     "{{ g.upper() }}{% endfor %}{% endblock %}", {"f": lambda x, y: f"<{x}{y}>", "g": "s&"}),
    ("a callable that takes the context", "{% for x in 'ab' %}{% set kind = 'k' ~ x %}{{ page_kind('!') }}{% endfor %}",
     {"page_kind": page_kind, "kind": "quote"}),
    ("a callable object", "{{ c('x') }}", {"c": type("C", (), {"__call__": lambda self, v: v + "<"})()}),
    ("escaping: text, safe markup, numbers, none", "{{ t }}{{ m }}{{ n }}{{ z }}{{ t ~ m }}",
     {"t": "<&>\"'", "m": Markup("<em>ok</em>"), "n": 3.5, "z": None}),
    ("safe markup of a kind that says its own HTML", "{{ m }}",
     {"m": type("Shown", (Markup,), {"__html__": lambda self: Markup("<b>shown</b>")})("<i>as text</i>")}),
    ("macros, set blocks and filters keep their safety", "{% from '_macros.html' import shout %}"
     "{% set s %}<i>{{ t }}</i>{% endset %}{{ s }}{{ shout(t) }}{{ t|e }}{{ t|upper }}{{ s|length }}",
     {"t": "<x>"}),
    ("a function raising StopIteration gives an undefined, as in Jinja",
     "{{ stop() is defined }}", {"stop": lambda: next(iter(()))}),
]


@pytest.mark.parametrize("source,context", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_renders_what_plain_jinja_renders(source, context):
    plain, ours = both(source, **context)
    assert ours == plain


@pytest.mark.parametrize("source", ["{{ r.nothing }}", "{{ d.nothing }}", "{{ nothing(1) }}", "{{ f(1) }}"])
def test_fails_where_plain_jinja_fails(source):
    context = {"r": record(text="t"), "d": {"a": 1}, "f": lambda: 1}
    failures = []
    for kind in (jinja2.Environment, Environment):
        env = kind(autoescape=True, undefined=jinja2.StrictUndefined)
        with pytest.raises(Exception) as caught:
            env.from_string(source).render(**context)
        failures.append((type(caught.value), str(caught.value)))
    assert failures[0] == failures[1]


@pytest.mark.parametrize("source,context", [case[1:] for case in CASES if "r" in case[2]],
                         ids=[case[0] for case in CASES if "r" in case[2]])
def test_a_rebuilds_view_of_a_record_renders_as_the_record(source, context):
    plain, _ = both(source, **context)
    _, ours = both(source, **{**context, "r": View(context["r"], Reads())})
    assert ours == plain


def test_a_field_read_through_a_view_is_noted_for_the_page_and_the_plan():
    reads = Reads()
    reads.records, reads.fields = set(), set()
    view = View(record(text="t", other="o"), reads)
    Environment(autoescape=True).from_string("{{ r.kind }}{{ r.id }}").render(r=view)
    assert reads.records == reads.fields == set()  # which record it is, and where, is no field
    Environment(autoescape=True).from_string("{{ r.text }}{{ r['other'] }}{{ r.get('gone') }}").render(r=view)
    assert reads.records == {("quotes", "q1")}
    assert reads.fields == {("quotes", "q1", "text"), ("quotes", "q1", "other"), ("quotes", "q1", "gone")}


def test_a_view_notes_nothing_while_nobody_collects():
    reads = Reads()
    view = View(record(text="t"), reads)
    assert Environment(autoescape=True).from_string("{{ r.text }}").render(r=view) == "t"
    assert reads.records is None and reads.fields is None
