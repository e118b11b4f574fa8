"""Provides LaTeX -> readable Unicode for a terminal, and markdown inline text -> plain terminal text.

``render_math(r"\\sqrt{\\frac{2}{n}}")`` gives ``√(2/n)``; ``render_text("**He:** $\\sigma = \\sqrt{2/n}$")``
gives ``He: σ = √(2/n)``. Both are cached and never raise: on input they cannot read they return it
unchanged.

The formula renderer is a small recursive-descent reader of the math subset people write in notes,
with its own spacing rules (relations and + − × · spaced, fractions linearised with the parentheses
they need). Macros it does not know are looked up in pylatexenc's LaTeX-to-text tables (argument
shapes from latexwalker's macro specs, replacement text from latex2text's), which are loaded only when
such a macro first appears: pylatexenc's own walker costs about 0.3 ms a formula, too slow for a bank
of hundreds of formulas loaded in well under 100 ms.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "has_formulas",
    "mathjax_text",
    "normalise",
    "render_formulas",
    "render_math",
    "render_text",
    "strip_leaked_asterisks",
    "terminal_text",
]

# ---------------------------------------------------------------------------------------------
# Symbol tables
# ---------------------------------------------------------------------------------------------

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "varpi": "ϖ",
    "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}

_ORD = {
    **_GREEK,
    "nabla": "∇", "partial": "∂", "infty": "∞", "ell": "ℓ", "hbar": "ℏ", "Re": "ℜ", "Im": "ℑ",
    "aleph": "ℵ", "emptyset": "∅", "varnothing": "∅", "forall": "∀", "exists": "∃", "nexists": "∄",
    "neg": "¬", "lnot": "¬", "angle": "∠", "prime": "′", "top": "ᵀ", "bot": "⊥", "intercal": "ᵀ",
    "dagger": "†", "ddagger": "‡", "triangle": "△", "square": "□", "checkmark": "✓",
    "ldots": "…", "dots": "…", "dotsc": "…", "dotsb": "⋯", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
    "%": "%", "$": "$", "#": "#", "&": "&", "_": "_", "|": "‖", "Vert": "‖", "vert": "|",
    "degree": "°", "star": "⋆", "S": "§", "P": "¶", "copyright": "©",
    "imath": "ı", "jmath": "ȷ", "wp": "℘", "mho": "℧", "flat": "♭", "sharp": "♯",
    "clubsuit": "♣", "diamondsuit": "♢", "heartsuit": "♡", "spadesuit": "♠", "bigstar": "★",
}

_BIN = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "circ": "∘", "odot": "⊙",
    "otimes": "⊗", "oplus": "⊕", "ominus": "⊖", "ast": "∗", "bullet": "•", "cup": "∪", "cap": "∩",
    "setminus": "∖", "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "bmod": "mod", "oslash": "⊘",
    "sqcup": "⊔", "sqcap": "⊓", "uplus": "⊎", "amalg": "⨿", "diamond": "⋄", "cdotp": "·",
}

_REL = {
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "equiv": "≡", "sim": "∼", "simeq": "≃", "cong": "≅", "propto": "∝", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "gets": "←", "Rightarrow": "⇒", "implies": "⇒",
    "Leftarrow": "⇐", "impliedby": "⇐", "iff": "⇔", "Leftrightarrow": "⇔", "leftrightarrow": "↔",
    "longrightarrow": "⟶", "longleftarrow": "⟵", "Longrightarrow": "⟹", "longmapsto": "⟼",
    "mapsto": "↦", "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆",
    "supset": "⊃", "supseteq": "⊇", "ll": "≪", "gg": "≫", "perp": "⊥", "parallel": "∥",
    "mid": "∣", "coloneqq": ":=", "eqqcolon": "=:", "doteq": "≐", "models": "⊨",
    "vdash": "⊢", "lesssim": "≲", "gtrsim": "≳", "prec": "≺", "succ": "≻", "preceq": "⪯",
    "succeq": "⪰", "asymp": "≍", "uparrow": "↑", "downarrow": "↓", "nearrow": "↗", "searrow": "↘",
    "leqslant": "≤", "geqslant": "≥", "triangleq": "≜", "nleq": "≰", "ngeq": "≱",
}

_BIGOP = {
    "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "iint": "∬", "iiint": "∭", "oint": "∮",
    "bigcup": "⋃", "bigcap": "⋂", "bigoplus": "⨁", "bigotimes": "⨂", "bigodot": "⨀",
    "bigvee": "⋁", "bigwedge": "⋀", "bigsqcup": "⨆",
}

_FUNC = {
    "log", "ln", "lg", "exp", "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh",
    "coth", "arcsin", "arccos", "arctan", "max", "min", "sup", "inf", "arg", "lim", "liminf",
    "limsup", "det", "dim", "ker", "deg", "gcd", "Pr", "hom", "argmax", "argmin", "softmax",
    "sgn", "sign", "tr", "Tr", "diag", "rank", "Var", "var", "Cov", "cov", "mod", "erf", "relu",
    "ReLU", "sigmoid",
}

_OPEN = {"lfloor": "⌊", "lceil": "⌈", "langle": "⟨", "lbrace": "{", "{": "{", "lbrack": "[", "lvert": "|", "lVert": "‖"}
_CLOSE = {"rfloor": "⌋", "rceil": "⌉", "rangle": "⟩", "rbrace": "}", "}": "}", "rbrack": "]", "rvert": "|", "rVert": "‖"}

_SPACES = {",", ":", ";", ">", " ", "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace", "space", "\t", "\n"}
_IGNORED = {
    "!", "negthinspace", "negmedspace", "negthickspace", "displaystyle", "textstyle", "scriptstyle",
    "scriptscriptstyle", "limits", "nolimits", "nonumber", "notag", "mathstrut", "strut", "left.",
    "middle", "allowbreak", "nobreak", "relax", "protect", "hfill", "centering",
}
_SIZERS = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
    "Biggl", "Biggr", "bigm", "Bigm", "biggm", "Biggm",
}
_TEXT_MACROS = {"text", "textrm", "textit", "textbf", "textsf", "texttt", "textnormal", "mbox", "hbox", "textup", "emph"}
_STYLE_MACROS = {
    "mathrm", "mathit", "mathbf", "mathsf", "mathtt", "mathnormal", "boldsymbol", "bm", "pmb",
    "mathbfit", "symbf", "symrm", "symit", "underline", "boxed", "mathop", "mathbin", "mathrel",
    "mathord", "bold",
}
_DROP_ARG = {"phantom", "hphantom", "vphantom", "label", "color", "vspace", "hspace"}

# Combining marks for accents over a single letter: \hat{y} -> ŷ.
_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
    "widetilde": "\u0303", "vec": "\u20d7", "overrightarrow": "\u20d7", "dot": "\u0307",
    "ddot": "\u0308", "acute": "\u0301", "grave": "\u0300", "breve": "\u0306", "check": "\u030c",
    "mathring": "\u030a",
}

_DOUBLESTRUCK = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ", "1": "𝟙", "E": "𝔼"}
_CALLIGRAPHIC = {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ"}

# Characters typed directly in a formula (the seed notes write ∑ and ⋅ as Unicode).
_CHAR_KIND = {
    "+": ("bin", "+"), "-": ("bin", "−"), "−": ("bin", "−"), "*": ("bin", "*"), "×": ("bin", "×"),
    "·": ("bin", "·"), "⋅": ("bin", "·"), "∙": ("bin", "·"), "÷": ("bin", "÷"), "±": ("bin", "±"),
    "∓": ("bin", "∓"), "∘": ("bin", "∘"), "⊙": ("bin", "⊙"), "⊗": ("bin", "⊗"), "⊕": ("bin", "⊕"),
    "∗": ("bin", "∗"), "∪": ("bin", "∪"), "∩": ("bin", "∩"),
    "=": ("rel", "="), "<": ("rel", "<"), ">": ("rel", ">"), "≤": ("rel", "≤"), "≥": ("rel", "≥"),
    "≠": ("rel", "≠"), "≈": ("rel", "≈"), "≡": ("rel", "≡"), "∼": ("rel", "∼"), "≃": ("rel", "≃"),
    "∝": ("rel", "∝"), "→": ("rel", "→"), "←": ("rel", "←"), "↔": ("rel", "↔"), "⇒": ("rel", "⇒"),
    "⇐": ("rel", "⇐"), "⇔": ("rel", "⇔"), "∈": ("rel", "∈"), "∉": ("rel", "∉"), "⊂": ("rel", "⊂"),
    "⊆": ("rel", "⊆"), "⊃": ("rel", "⊃"), "⊇": ("rel", "⊇"), "↦": ("rel", "↦"), "≪": ("rel", "≪"),
    "≫": ("rel", "≫"), "≔": ("rel", ":="),
    ",": ("punct", ","), ";": ("punct", ";"),
    "(": ("open", "("), "[": ("open", "["), "⌊": ("open", "⌊"), "⌈": ("open", "⌈"), "⟨": ("open", "⟨"),
    ")": ("close", ")"), "]": ("close", "]"), "⌋": ("close", "⌋"), "⌉": ("close", "⌉"), "⟩": ("close", "⟩"),
    "∑": ("bigop", "∑"), "∏": ("bigop", "∏"), "∫": ("bigop", "∫"), "∮": ("bigop", "∮"),
    "~": ("space", " "), "&": ("space", " "),
}

# Unicode sub- and superscripts. j has ⱼ but fonts often lack it, so w_{j} stays w_j.
_SUB = dict(
    zip(
        "0123456789+−-=()aehiklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_SUP = dict(
    zip(
        "0123456789+−-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθφχ⊤′'*ᵀ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᵠᵡᵀ′′*ᵀ",
        strict=True,
    )
)
_SCRIPT_CHARS = "".join(sorted(set(_SUB.values()) | set(_SUP.values()) - {"*"}))

_ATOM_RE = re.compile(
    r"[∂∇√]?(?:"
    r"\d+(?:\.\d+)?"  # a number
    rf"|[^\W\d_][{_SCRIPT_CHARS}'\u0300-\u036f\u20d7]*(?:_(?:\w+|\([^()]*\)))?"  # x, xᵢ, w_ij, O_(i,j)
    r"|[^\W\d_]+_\w+"  # fan_in, d_model
    r"|\((?:[^()]|\([^()]*\))*\)"  # a parenthesised group
    r"|[∞∅]"
    rf")[{_SCRIPT_CHARS}]*"
)


class _Item:
    """One rendered piece of a formula with its spacing class (TeX's ord/bin/rel/open/close/punct)."""

    __slots__ = ("kind", "space", "sub", "sup", "text")

    def __init__(self, kind: str, text: str, space: bool = False) -> None:
        self.kind = kind
        self.text = text
        self.space = space  # whitespace stood before it in the source
        self.sub: list[str] = []
        self.sup: list[str] = []

    def render(self) -> str:
        out = self.text
        for s in self.sub:
            out += _script(s, _SUB, "_")
        for s in self.sup:
            out += _script(s, _SUP, "^")
        return out


def _script(text: str, table: dict[str, str], marker: str) -> str:
    """x_i -> xᵢ when every character has a Unicode form and at most one is a letter; else x_ij, x_(i,j)."""
    if not text:
        return ""
    letters = sum(1 for c in text if c.isalpha())
    if letters <= 1 and all(c in table for c in text):
        return "".join(table[c] for c in text)
    if re.fullmatch(r"\w+", text) or re.fullmatch(r"\[[^\[\]]*\]", text):
        return marker + text
    return f"{marker}({text})"


def _is_atom(text: str) -> bool:
    return _ATOM_RE.fullmatch(text) is not None


def _loose(items: list[_Item]) -> bool:
    """Whether a numerator binds looser than '/': a top-level +, −, ±, relation, comma, function or sum."""
    return any(
        it.kind in ("rel", "punct", "func", "bigop") or (it.kind == "bin" and it.text in "+−±∓")
        for it in items[1:] if it.render()
    ) or (bool(items) and items[0].kind in ("func", "bigop"))


def _frac(num: str, den: str, loose: bool = True) -> str:
    """\\frac{a}{b} -> a/b, with parentheses where the linear form would be misread: (a + b)/(2n)."""
    if not num and not den:
        return ""
    if loose and not _is_atom(num):
        num = f"({num})"
    if not _is_atom(den):
        den = f"({den})"
    return f"{num}/{den}"


def _sqrt(arg: str, index: str = "") -> str:
    """\\sqrt{x} -> √x, \\sqrt{\\frac{2}{n}} -> √(2/n), \\sqrt[3]{x} -> ∛x."""
    body = arg if _is_atom(arg) else f"({arg})"
    if index == "3":
        return "∛" + body
    if index == "4":
        return "∜" + body
    if index:
        return _script(index, _SUP, "^").lstrip("^") + "√" + body
    return "√" + body


def _join(items: list[_Item], tight: bool = False) -> str:
    """Concatenate items with terminal spacing: a = b + c, f(x), −x, (a, b), ∑ᵢ xᵢ."""
    if tight:
        return "".join(it.render() for it in items if it.kind != "space")
    out: list[str] = []
    prev: str | None = None  # spacing class of the previous piece
    for it in items:
        kind = it.kind
        if kind == "space":
            out.append(" ")
            continue
        text = it.render()
        if not text:
            continue
        if kind == "bin":
            if prev in (None, "open", "bin", "rel", "punct", "bigop", "unary", "func"):
                out.append(text)
                prev = "unary"
            else:
                out.append(f" {text} ")
                prev = "bin"
        elif kind == "rel":
            out.append(f" {text} ")
            prev = "rel"
        elif kind == "punct":
            out.append(text + " ")
            prev = "punct"
        elif kind == "bigop":
            if prev in ("ord", "close", "text", "func"):
                out.append(" ")
            out.append(text + " ")
            prev = "bigop"
        elif kind == "func":
            if prev in ("ord", "close", "text", "func"):
                out.append(" ")
            out.append(text)
            prev = "func"
        else:  # ord, text, open, close
            after_func = prev == "func" and kind in ("ord", "text")
            spaced = it.space and prev in ("ord", "close", "text") and kind in ("ord", "text")
            if after_func or spaced:  # "log x"; a space the author typed between two terms
                out.append(" ")
            out.append(text)
            prev = kind
    s = "".join(out)
    s = re.sub(r"[ \t]+", " ", s)
    s = re.sub(r"([(\[{⌊⌈⟨]) ", r"\1", s)
    s = re.sub(r" ([)\]}⌋⌉⟩,;])", r"\1", s)
    return s.strip()


class _Parser:
    """Reads a LaTeX math string into spaced items; see render_math."""

    def __init__(self, src: str, depth: int = 0) -> None:
        self.src = src
        self.pos = 0
        self.n = len(src)
        self.depth = depth
        if depth > 50:  # nesting this deep is not a formula anyone wrote
            raise ValueError("formula nested too deeply")

    # -- tokens --------------------------------------------------------------------------------
    def _skip_space(self) -> bool:
        start = self.pos
        while self.pos < self.n and self.src[self.pos].isspace():
            self.pos += 1
        return self.pos > start

    def _command(self) -> str:
        """Read a control sequence after its backslash: letters (and a trailing space eaten), or one char."""
        src, start = self.src, self.pos
        if start >= self.n:
            return ""
        if src[start].isascii() and src[start].isalpha():
            end = start
            while end < self.n and src[end].isascii() and src[end].isalpha():
                end += 1
            self.pos = end
            name = src[start:end]
            self._skip_space()
            return name
        self.pos = start + 1
        return src[start]

    def _balanced(self) -> str:
        """The raw text of a {...} group at pos (pos just after '{'), consuming the closing brace."""
        depth, start = 1, self.pos
        while self.pos < self.n:
            c = self.src[self.pos]
            if c == "\\":
                self.pos += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return self.src[start : self.pos - 1]
            self.pos += 1
        return self.src[start:]

    def _optional(self) -> str:
        """An optional [..] argument's raw text, or ''."""
        save = self.pos
        self._skip_space()
        if self.pos < self.n and self.src[self.pos] == "[":
            end = self.src.find("]", self.pos)
            if end != -1:
                raw = self.src[self.pos + 1 : end]
                self.pos = end + 1
                return raw
        self.pos = save
        return ""

    def _star(self) -> None:
        if self.pos < self.n and self.src[self.pos] == "*":
            self.pos += 1
            self._skip_space()

    # -- structure -----------------------------------------------------------------------------
    def parse(self, stop: str | None = None) -> list[_Item]:
        items: list[_Item] = []
        space = False
        src = self.src
        while self.pos < self.n:
            c = src[self.pos]
            if c == "}":
                self.pos += 1
                if stop == "}":
                    return items
                continue  # a stray closing brace
            if c.isspace():
                self.pos += 1
                space = True
                continue
            if c in "_^":
                self.pos += 1
                arg = _join(self.argument(), tight=True)
                if not items or items[-1].kind in ("space",):
                    items.append(_Item("ord", ""))
                (items[-1].sub if c == "_" else items[-1].sup).append(arg)
                space = False
                continue
            if c == "{":
                self.pos += 1
                inner = _Parser(src, self.depth + 1)
                inner.pos = self.pos
                sub_items = inner.parse("}")
                self.pos = inner.pos
                items.append(_Item("ord", _join(sub_items), space))
            elif c == "\\":
                self.pos += 1
                items.extend(self.command(space))
            elif c == "$":
                self.pos += 1  # a stray delimiter left by the caller
            elif c == ":":
                end = self.pos
                while end < self.n and src[end] == ":":
                    end += 1
                if end < self.n and src[end] == "=":
                    end += 1
                items.append(_Item("rel", src[self.pos : end], space))  # :, ::, :=
                self.pos = end
            elif c == "'":
                self.pos += 1
                if items and items[-1].kind != "space":
                    items[-1].sup.append("′")  # f'(x), \tanh'(z): the prime hugs what it marks
                else:
                    items.append(_Item("ord", "'", space))
            else:
                self.pos += 1
                kind, text = _CHAR_KIND.get(c, ("ord", c))
                items.append(_Item(kind, text, space))
            space = False
        return items

    def argument(self) -> list[_Item]:
        """One macro argument: a {group}, a control sequence, or a single character."""
        self._skip_space()
        if self.pos >= self.n:
            return []
        c = self.src[self.pos]
        if c == "{":
            self.pos += 1
            inner = _Parser(self.src, self.depth + 1)
            inner.pos = self.pos
            items = inner.parse("}")
            self.pos = inner.pos
            return items
        if c == "\\":
            self.pos += 1
            return self.command(False)
        if c == "}":
            return []
        self.pos += 1
        kind, text = _CHAR_KIND.get(c, ("ord", c))
        return [_Item(kind, text)]

    def arg_text(self, tight: bool = False) -> str:
        return _join(self.argument(), tight=tight)

    def raw_group(self) -> str:
        """The raw source of the next argument (a {group} or one character)."""
        self._skip_space()
        if self.pos >= self.n:
            return ""
        if self.src[self.pos] == "{":
            self.pos += 1
            return self._balanced()
        if self.src[self.pos] == "\\":
            start = self.pos
            self.pos += 1
            self._command()
            return self.src[start : self.pos].strip()
        self.pos += 1
        return self.src[self.pos - 1]

    def command(self, space: bool) -> list[_Item]:
        name = self._command()
        if not name:
            return []
        if name in _ORD:
            return [_Item("ord", _ORD[name], space)]
        if name in _BIN:
            return [_Item("bin", _BIN[name], space)]
        if name in _REL:
            return [_Item("rel", _REL[name], space)]
        if name in _BIGOP:
            return [_Item("bigop", _BIGOP[name], space)]
        if name in _FUNC:
            return [_Item("func", name, space)]
        if name in _OPEN:
            return [_Item("open", _OPEN[name], space)]
        if name in _CLOSE:
            return [_Item("close", _CLOSE[name], space)]
        if name in _SPACES:
            return [_Item("space", " ")]
        if name in _IGNORED:
            return []
        if name in _SIZERS:
            return self._delimiter(name)
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            num_items = self.argument()
            den = self.arg_text()
            return [_Item("ord", _frac(_join(num_items), den, _loose(num_items)), space)]
        if name == "sqrt":
            index = self._optional()
            index_text = _join(_Parser(index, self.depth + 1).parse(), tight=True) if index else ""
            return [_Item("ord", _sqrt(self.arg_text(), index_text), space)]
        if name == "colon":
            return [_Item("punct", ":", space)]
        if name in ("binom", "dbinom", "tbinom"):
            n, k = self.arg_text(), self.arg_text()
            return [_Item("ord", f"C({n}, {k})", space)]
        if name in _TEXT_MACROS:
            return [_Item("text", _text_mode(self.raw_group()), space)]
        if name == "operatorname":
            self._star()
            return [_Item("func", self.arg_text(tight=True), space)]
        if name in _STYLE_MACROS:
            return [_Item("ord", self.arg_text(), space)]
        if name == "mathbb" or name == "mathbbm":
            return [_Item("ord", _letters(self.arg_text(tight=True), _DOUBLESTRUCK, 0x1D538, 0x1D552), space)]
        if name in ("mathcal", "mathscr"):
            return [_Item("ord", "".join(_CALLIGRAPHIC.get(c, c) for c in self.arg_text(tight=True)), space)]
        if name == "mathfrak":
            return [_Item("ord", self.arg_text(tight=True), space)]
        if name in _ACCENTS:
            return [_Item("ord", _accent(self.arg_text(tight=True), _ACCENTS[name]), space)]
        if name in _DROP_ARG:
            self._star()
            self.raw_group()
            return []
        if name == "textcolor":
            self.raw_group()
            return [_Item("ord", self.arg_text(), space)]
        if name in ("overset", "stackrel"):
            self.arg_text()
            return self.argument()
        if name == "underset":
            below = self.arg_text(tight=True)
            items = self.argument() or [_Item("ord", "")]
            items[-1].sub.append(below)
            return items
        if name in ("underbrace", "overbrace", "underbracket", "overbracket", "cancel", "bcancel", "xcancel"):
            return [_Item("ord", self.arg_text(), space)]
        if name == "not":
            nxt = self.argument()
            text = _join(nxt, tight=True)
            negated = {"=": "≠", "∈": "∉", "⊂": "⊄", "⊆": "⊈", "≡": "≢", "∼": "≁", "<": "≮", ">": "≯"}
            return [_Item("rel", negated.get(text, text + "\u0338"), space)]
        if name == "pmod":
            return [_Item("ord", f" (mod {self.arg_text()})", space)]
        if name == "tag":
            self._star()
            return [_Item("text", f"  ({self.arg_text()})", True)]
        if name == "begin":
            return self._environment(self.raw_group().strip(), space)
        if name == "end":
            self.raw_group()
            return []
        if name in ("\\", "newline", "cr"):
            return [_Item("space", " ")]
        if name in ("{", "}"):
            return [_Item("open" if name == "{" else "close", name, space)]
        if len(name) == 1 and not name.isalpha():
            return [_Item("ord", name, space)]
        return self._unknown(name, space)

    def _delimiter(self, name: str) -> list[_Item]:
        """\\left( ... \\right): the delimiter itself, with its opening/closing role; \\left. is nothing."""
        self._skip_space()
        if self.pos < self.n and self.src[self.pos] == ".":
            self.pos += 1
            return []
        items = self.argument()
        role = None
        if name.endswith("l") or name == "left":
            role = "open"
        elif name.endswith("r") or name == "right":
            role = "close"
        if role:
            for it in items:
                if it.kind in ("ord", "open", "close"):
                    it.kind = role
        return items

    def _environment(self, env: str, space: bool) -> list[_Item]:
        """\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix} -> [[a, b], [c, d]]; aligned rows -> lines."""
        name = env.rstrip("*")
        begin, end = f"\\begin{{{env}}}", f"\\end{{{env}}}"
        depth, i = 1, self.pos
        body_end = -1
        while i < self.n:
            nb = self.src.find(begin, i)
            ne = self.src.find(end, i)
            if ne == -1:
                break
            if nb != -1 and nb < ne:
                depth += 1
                i = nb + len(begin)
                continue
            depth -= 1
            if depth == 0:
                body_end = ne
                break
            i = ne + len(end)
        if body_end == -1:
            body, self.pos = self.src[self.pos :], self.n
        else:
            body, self.pos = self.src[self.pos : body_end], body_end + len(end)
        if name == "array":  # drop the column spec {cc|c}
            body = re.sub(r"^\s*\{[^{}]*\}", "", body)
        rows = [r for r in _split_top(body, "\\\\") if r.strip()]
        cells = [[_join(_Parser(c, self.depth + 1).parse()) for c in _split_top(r, "&")] for r in rows]
        if name.endswith("matrix") or name == "array":
            inner = ", ".join("[" + ", ".join(row) + "]" for row in cells)
            text = f"[{inner}]" if len(cells) > 1 else inner or "[]"
            if name in ("vmatrix", "Vmatrix"):
                text = f"det {text}"
            return [_Item("ord", text, space)]
        if name in ("cases", "dcases"):
            return [_Item("ord", "{ " + "; ".join(", ".join(c for c in row if c) for row in cells) + " }", space)]
        return [_Item("text", "\n".join(" ".join(row) for row in cells), space)]

    def _unknown(self, name: str, space: bool) -> list[_Item]:
        """A macro outside our tables: pylatexenc's LaTeX-to-text spec if it has one, else its name."""
        spec = _pylatexenc_spec(name)
        if spec is None:
            return [_Item("ord", name, space)]
        argspec, repl = spec
        args: list[str] = []
        for a in argspec:
            if a == "{":
                args.append(self.arg_text())
            elif a == "[":
                opt = self._optional()
                args.append(_join(_Parser(opt, self.depth + 1).parse()) if opt else "")
            elif a == "*":
                self._star()
        if repl is None:
            return [_Item("ord", "".join(args), space)]
        if "%" in repl:
            try:
                if re.search(r"%\(\d+\)s", repl):
                    text = repl % {str(i + 1): v for i, v in enumerate(args)}
                else:
                    text = repl % tuple(args[: repl.count("%s")])
            except (TypeError, ValueError, KeyError):
                text = "".join(args)
        else:
            text = repl + "".join(args)
        return [_Item("ord", text.strip() or name, space)]


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside braces (rows at \\\\, cells at &)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        if text.startswith(sep, i) and depth == 0:
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        i += 1
    parts.append(text[start:])
    return parts


def _text_mode(raw: str) -> str:
    """The body of \\text{...}: words kept with their spaces, escapes resolved, $...$ rendered."""
    out = re.sub(r"\$([^$]*)\$", lambda m: render_math(m.group(1)), raw)
    out = re.sub(r"\\([%$#&_{} ])", r"\1", out)
    out = re.sub(r"\\[a-zA-Z]+\s*", "", out).replace("{", "").replace("}", "").replace("~", " ")
    return re.sub(r"\s+", " ", out)


def _letters(text: str, table: dict[str, str], upper: int, lower: int) -> str:
    out = []
    for c in text:
        if c in table:
            out.append(table[c])
        elif "A" <= c <= "Z":
            out.append(chr(upper + ord(c) - ord("A")))
        elif "a" <= c <= "z":
            out.append(chr(lower + ord(c) - ord("a")))
        else:
            out.append(c)
    return "".join(out)


def _accent(text: str, mark: str) -> str:
    """ŷ for one letter; a mark after each letter of a longer argument."""
    if not text:
        return ""
    if mark == "\u0305":  # overline spans every character
        return "".join(c + mark for c in text)
    return unicodedata.normalize("NFC", text + mark)


@lru_cache(maxsize=512)
def _pylatexenc_spec(name: str) -> tuple[str, str | None] | None:
    """(argspec, replacement) for a macro pylatexenc knows; None when it does not know it."""
    try:
        dbs = _pylatexenc_dbs()
    except Exception:  # pylatexenc missing or broken: fall back to the macro's name
        return None
    walker_db, text_db = dbs
    wspec = walker_db.get_macro_spec(name)
    tspec = text_db.get_macro_spec(name)
    if tspec is None:
        return None
    argspec = getattr(getattr(wspec, "args_parser", None), "argspec", "") or ""
    repl = tspec.simplify_repl
    if not isinstance(repl, str):
        if getattr(tspec, "discard", False) and repl is None:
            return (argspec, "")
        repl = None
    return (argspec, repl)


@lru_cache(maxsize=1)
def _pylatexenc_dbs():
    from pylatexenc import latexwalker
    from pylatexenc.latex2text import get_default_latex_context_db

    return latexwalker.get_default_latex_context_db(), get_default_latex_context_db()


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def strip_leaked_asterisks(latex: str) -> str:
    """``*m×n*`` -> ``m×n``: markdown emphasis that leaked inside ``$...$`` (``$x^*$`` is kept)."""
    m = re.fullmatch(r"\s*(\*+)(.*?)(\*+)\s*", latex, re.DOTALL)
    if m and m.group(2).strip():
        return m.group(2)
    return latex


@lru_cache(maxsize=8192)
def render_math(latex: str) -> str:
    """LaTeX math (without the $ delimiters) -> readable Unicode: \\frac{a+b}{c} -> (a + b)/c."""
    try:
        text = strip_leaked_asterisks(latex)
        return _join(_Parser(text).parse())
    except Exception:  # never raise: an unreadable formula is shown as written
        return latex.strip()


# Placeholders for protected spans while markdown markup is stripped: private-use characters.
_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"
_PH_RE = re.compile(f"{_PH_OPEN}(\\d+){_PH_CLOSE}")
_ESCAPABLE = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_MARKUP_CHARS = frozenset("$`\\<[!*_~&")
"""Characters that _protect or _strip_markup act on: text without any of them needs neither."""

# Link and image text holds no '[' (and an image's address no '('): each try then stops at the next
# bracket, so a line of thousands of '[' costs linear time, not quadratic.
_IMAGE_RE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_LINK_RE = re.compile(r"\[([^\[\]]+)\]\((?:[^()]|\([^()]*\))*\)")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Emphasis content may not contain its own delimiter, so a run of unmatched markers stays linear.
_EMPHASIS = [
    re.compile(r"\*\*\*(?=\S)([^*]+?)(?<=\S)\*\*\*"),
    re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*))+?)(?<=\S)\*\*"),
    re.compile(r"(?<![\w_])__(?=\S)((?:[^_]|_(?!_))+?)(?<=\S)__(?![\w_])"),
    re.compile(r"(?<!\*)\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?!\*)"),
    re.compile(r"(?<![\w_\\])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?![\w_])"),
    re.compile(r"~~(?=\S)((?:[^~]|~(?!~))+?)(?<=\S)~~"),
]


_SPECIAL_RE = re.compile(r"[`$\\]")
_MAX_FORMULA = 4000  # a closing $ further away than this is not looked for (keeps odd input linear)


# A formula kept with its source (render_text(..., keep_source=True)): OPEN latex MID rendering CLOSE,
# DISPLAY instead of OPEN for $$...$$. Private-use characters, removed from the input, so only the renderer makes them.
_F_OPEN, _F_DISPLAY, _F_MID, _F_CLOSE = "\ue010", "\ue013", "\ue011", "\ue012"
_F_RE = re.compile(f"([{_F_OPEN}{_F_DISPLAY}])([^{_F_MID}]*){_F_MID}([^{_F_CLOSE}]*){_F_CLOSE}")
_F_CHARS = str.maketrans("", "", _PH_OPEN + _PH_CLOSE + _F_OPEN + _F_DISPLAY + _F_MID + _F_CLOSE)


def _formula(latex: str, display: bool, keep_source: bool) -> str:
    """A formula's rendering, wrapped with its LaTeX source when ``keep_source``.

    A rendering that spans lines or ends with a backslash is not wrapped: render_text treats lines
    one by one (and a trailing backslash as a hard break), and the wrapped form must read back as
    exactly the same terminal text (see terminal_text).
    """
    rendered = render_math(latex)
    if not keep_source or not rendered or "\n" in rendered or rendered.endswith("\\"):
        return rendered
    source = " ".join(strip_leaked_asterisks(latex).split())
    if not source:
        return rendered
    return f"{_F_DISPLAY if display else _F_OPEN}{source}{_F_MID}{rendered}{_F_CLOSE}"


def has_formulas(text: str) -> bool:
    """Whether ``text`` (from render_text(..., keep_source=True)) holds a formula kept with its source."""
    return _F_MID in text


def terminal_text(text: str) -> str:
    """Text from render_text(..., keep_source=True) as render_text(...) gives it: each formula rendered."""
    return _F_RE.sub(r"\3", text) if _F_MID in text else text


def mathjax_text(text: str) -> str:
    """Text from render_text(..., keep_source=True) with each formula as MathJax source: ``\\(latex\\)``
    (``\\[latex\\]`` for a ``$$...$$`` one); the rest as terminal text, not HTML-escaped."""
    if _F_MID not in text:
        return text

    def source(m: re.Match[str]) -> str:
        return f"\\[{m.group(2)}\\]" if m.group(1) == _F_DISPLAY else f"\\({m.group(2)}\\)"

    return _F_RE.sub(source, text)


def _protect(text: str, keep_source: bool = False) -> tuple[str, list[str]]:
    """Replace code spans, escapes and $...$/$$...$$ formulas by placeholders (formulas rendered,
    kept with their source when ``keep_source``)."""
    slots: list[str] = []
    out: list[str] = []
    i, n = 0, len(text)
    closers: list[int] | None = None

    def slot(value: str) -> None:
        out.append(f"{_PH_OPEN}{len(slots)}{_PH_CLOSE}")
        slots.append(value)

    while i < n:
        m = _SPECIAL_RE.search(text, i)
        if m is None:
            out.append(text[i:])
            break
        if m.start() > i:
            out.append(text[i : m.start()])
            i = m.start()
        c = text[i]
        if c == "`":
            j = i
            while j < n and text[j] == "`":
                j += 1
            ticks = text[i:j]
            k = text.find(ticks, j)
            while k != -1 and k + len(ticks) < n and text[k + len(ticks)] == "`":
                k = text.find(ticks, k + len(ticks) + 1)
            if k == -1:
                out.append(ticks)
                i = j
                continue
            code = text[j:k].replace("\n", " ")
            if code.startswith(" ") and code.endswith(" ") and code.strip():
                code = code[1:-1]
            slot(code)
            i = k + len(ticks)
            continue
        if c == "\\" and i + 1 < n and text[i + 1] in _ESCAPABLE:
            slot(text[i + 1])
            i += 2
            continue
        if c == "$":
            if text.startswith("$$", i):
                k = text.find("$$", i + 2, i + _MAX_FORMULA)
                if k != -1:
                    slot(_formula(text[i + 2 : k], True, keep_source))
                    i = k + 2
                    continue
                out.append("$$")
                i += 2
                continue
            if closers is None:
                closers = [m.start() for m in _CLOSER_RE.finditer(text)]
            k = _closing_dollar(text, i, closers)
            if k != -1:
                slot(_formula(text[i + 1 : k], False, keep_source))
                i = k + 1
                continue
        out.append(c)
        i += 1
    return "".join(out), slots


_CLOSER_RE = re.compile(r"(?<=[^\s\\])\$(?!\d)")


def _closing_dollar(text: str, start: int, closers: list[int]) -> int:
    """Index of the $ closing an inline formula opened at ``start``, or -1 ($5 and $10 are not math).

    ``closers`` are the positions of every $ that may close a formula (not after a space or a
    backslash, not before a digit), so each opening costs one binary search, however odd the text.
    """
    n = len(text)
    if start + 1 >= n or text[start + 1].isspace():
        return -1
    idx = bisect.bisect_right(closers, start + 1)
    if idx == len(closers):
        return -1
    k = closers[idx]
    if k - start > _MAX_FORMULA or text.find("\n\n", start, k) != -1:
        return -1
    return k


def _strip_markup(text: str) -> str:
    if "<" in text:
        text = _BR_RE.sub("\n", text)
        text = _AUTOLINK_RE.sub(r"\1", text)
        text = _TAG_RE.sub("", text)
    if "[" in text:
        text = _IMAGE_RE.sub(r"\1", text)
        # Reference links ([text][ref]) are left alone: in ML notes "W2[0][0]" is an index, not a link.
        text = _LINK_RE.sub(r"\1", text)
    if "*" in text or "_" in text or "~~" in text:
        for _ in range(4):  # nested emphasis: ***x***, **a *b* c**
            before = text
            for rx in _EMPHASIS:
                text = rx.sub(r"\1", text)
            if text == before:
                break
        text = text.replace("**", "")
    return text


@lru_cache(maxsize=8192)
def render_text(markdown_inline: str, keep_source: bool = False) -> str:
    """A line or paragraph of markdown -> terminal text: formulas rendered, markup stripped, code kept.

    With ``keep_source`` each formula also carries its LaTeX (in private-use marks): terminal_text of
    the result is the text without ``keep_source``, mathjax_text the text for MathJax (Anki).
    """
    try:
        text = markdown_inline.translate(_F_CHARS).replace("\r\n", "\n")
        if not _MARKUP_CHARS.intersection(text):  # plain prose (most headings and answers): spaces only
            slots: list[str] = []
        else:
            text, slots = _protect(text, keep_source)
            text = _strip_markup(text)
            text = _PH_RE.sub(lambda m: slots[int(m.group(1))], text)
        lines = []
        for line in text.split("\n"):
            line = " ".join(line.split())
            if line.endswith("\\") and not line.endswith("\\\\"):
                line = line[:-1].rstrip()  # a markdown hard break
            lines.append(line)
        return "\n".join(lines).strip("\n")
    except Exception:  # never raise: show the text as written
        return markdown_inline


@lru_cache(maxsize=8192)
def render_formulas(text: str) -> str:
    """Only the ``$...$``/``$$...$$`` formulas of ``text`` rendered; everything else, ``**`` included, kept.

    For text that is not markdown, such as worked steps that may show ``(w - 3)**2``.
    """
    try:
        out: list[str] = []
        i, n = 0, len(text)
        closers: list[int] | None = None
        while i < n:
            k = text.find("$", i)
            if k == -1:
                out.append(text[i:])
                break
            out.append(text[i:k])
            if text.startswith("$$", k):
                end = text.find("$$", k + 2, k + _MAX_FORMULA)
                if end != -1:
                    out.append(render_math(text[k + 2 : end]))
                    i = end + 2
                    continue
                out.append("$$")
                i = k + 2
                continue
            if closers is None:
                closers = [m.start() for m in _CLOSER_RE.finditer(text)]
            end = _closing_dollar(text, k, closers)
            if end == -1:
                out.append("$")
                i = k + 1
                continue
            out.append(render_math(text[k + 1 : end]))
            i = end + 1
        return "".join(out)
    except Exception:  # never raise: show the text as written
        return text


def normalise(text: str) -> str:
    """Casefolded, punctuation dropped, whitespace collapsed: the key an auto id hashes."""
    folded = render_text(text).casefold()
    if folded.isascii():  # the same characters dropped, by one table instead of a lookup a character
        kept = folded.translate(_ASCII_PUNCTUATION)
    else:
        kept = "".join(c for c in folded if not unicodedata.category(c).startswith("P"))
    return " ".join(kept.split())


_ASCII_PUNCTUATION = {k: None for k in range(128) if unicodedata.category(chr(k)).startswith("P")}
"""The ASCII characters of Unicode's punctuation categories (not $ + < = > ^ ` | ~, which are symbols)."""
