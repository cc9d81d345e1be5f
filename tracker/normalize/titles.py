"""Role family and seniority from a job title (see ../shared/taxonomy.md).

The title is cut into segments (the main role, then qualifiers after commas, dashes, "for", ...).
Within the main segment the head noun wins: the rightmost role noun ("Machine Learning *Data Engineer*",
"Data Science *Recruiter*"); generic heads (manager, head, lead, intern, ...) and generic engineers
("Software Engineer") take their family from the domain words around them, then from the qualifiers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from tracker.normalize.tables import word_set

MAX_TITLE_CHARS = 300

FAMILIES = ("data_scientist", "ml_engineer", "ai_engineer", "applied_scientist", "data_analyst", "data_engineer", "other")
SENIORITIES = ("intern", "junior", "mid", "senior", "staff", "principal", "manager", "director")
_RANK = {s: i for i, s in enumerate(SENIORITIES)}


@dataclass(frozen=True, slots=True)
class TitleInfo:
    """Family and seniority of one title."""

    family: str
    seniority: str


# --- normalization -----------------------------------------------------------------------------------

_PRE_SUBS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\ba\.\s?i\.?(?![a-z])", re.I), " ai "),
    (re.compile(r"\bm\.\s?l\.?(?![a-z])", re.I), " ml "),
    (re.compile(r"\(\s*(?:m|f|w|d|h|x|all|gn|mwd|fmd|divers)(?:\s*/\s*(?:m|f|w|d|h|x|i|n|divers))*\s*\)", re.I), " "),
    (re.compile(r"\ball\s+genders?\b", re.I), " "),
    (re.compile(r"&"), " and "),
    (re.compile(r"\bco-op\b", re.I), " coop "),
    (re.compile(r"\b(?:sr|jr|snr|jnr|mgr|dir|assoc|eng|engr|sci)\.", re.I), lambda m: m.group(0)[:-1] + " "),
    (re.compile(r"\b(?:assistant\s+|associate\s+|senior\s+|executive\s+)?vice[\s-]+president\b", re.I), " vp "),
    (re.compile(r"\bentry[\s-]+level\b", re.I), " entrylevel "),
    (re.compile(r"\bmid[\s-]+level\b", re.I), " midlevel "),
    (re.compile(r"\bnew[\s-]+grad(?:uate)?s?\b", re.I), " newgrad "),
    (re.compile(r"\bearly[\s-]+career\b", re.I), " newgrad "),
    (re.compile(r"\bmember\s+of\s+(?:the\s+)?technical\s+staff\b", re.I), " mts "),
    # "DE" / "RE" abbreviate data / research engineer only in capitals and not as the Romance preposition
    # opening a phrase ("Ingeniero de Datos", "INGENIERO DE MACHINE LEARNING", "Responsable de Data Science").
    (re.compile(r"\b(?:DE|RE)\b(?![-'’]|\s+[^\W\d_]{3,})"), lambda m: " data engineer " if m.group(0) == "DE" else " research engineer "),
    (re.compile(r"\bhead\s+of\b", re.I), " headof "),
    (re.compile(r"\bchief\s+of\s+staff\b", re.I), " chiefofstaff "),
]
# Segment separators: punctuation, spaced dashes, and prepositions that open a qualifier.
_SEGMENT_SPLIT = re.compile(
    r"\s*(?:[,|:;()\[\]{}]|\s[-–—/]\s|[–—]|\s-|-\s|\s(?:for|in|on|at|with|within|supporting|to|of\s+the)\s)\s*",
    re.I,
)
_TOKEN = re.compile(r"[a-z0-9+#]+(?:-[a-z0-9+#]+)*")

_ABBREV: dict[str, tuple[str, ...]] = {
    "sr": ("senior",), "snr": ("senior",), "sen": ("senior",), "jr": ("junior",), "jnr": ("junior",),
    "ml": ("machine", "learning"), "mle": ("machine", "learning", "engineer"), "mles": ("machine", "learning", "engineer"),
    "swe": ("software", "engineer"), "sde": ("software", "engineer"), "sdes": ("software", "engineer"),
    "eng": ("engineer",), "engr": ("engineer",), "engg": ("engineer",), "mgr": ("manager",), "dir": ("director",),
    "assoc": ("associate",), "sci": ("scientist",), "ds": ("data", "science"),
    "bi": ("business", "intelligence"), "cv": ("computer", "vision"), "dl": ("deep", "learning"),
    "genai": ("generative", "ai"), "gen-ai": ("generative", "ai"), "llms": ("llm",), "nlu": ("nlp",), "nlg": ("nlp",),
    "pm": ("product", "manager"), "tpm": ("technical", "program", "manager"), "svp": ("vp",), "evp": ("vp",),
    "avp": ("vp",), "vps": ("vp",), "cto": ("chief",), "cdo": ("chief",), "cio": ("chief",), "caio": ("chief",),
    "ceo": ("chief",), "cso": ("chief",), "coo": ("chief",), "mlops": ("mlops",), "ml-ops": ("mlops",),
    "llmops": ("llm", "ops"), "llm-ops": ("llm", "ops"),
    "aiml": ("ai", "machine", "learning"), "ai-ml": ("ai", "machine", "learning"), "ml-ai": ("machine", "learning", "ai"),
    "ai-ops": ("aiops",), "dataops": ("data",), "devops": ("devops",), "internship": ("intern",), "interns": ("intern",),
    "co-op": ("coop",), "werkstudent": ("intern",), "werkstudentin": ("intern",), "praktikant": ("intern",),
    "praktikantin": ("intern",), "praktikum": ("intern",), "stagiaire": ("intern",), "alternance": ("intern",),
    "alternant": ("intern",), "apprenticeship": ("apprentice",), "trainee": ("intern",), "scientists": ("scientist",),
    "engineers": ("engineer",), "analysts": ("analyst",), "developers": ("developer",), "managers": ("manager",),
    "ingenieur": ("engineer",), "ingénieur": ("engineer",), "ingeniero": ("engineer",), "ingeniera": ("engineer",),
    "développeur": ("developer",), "developpeur": ("developer",), "engenheiro": ("engineer",),
    "engenheira": ("engineer",), "analista": ("analyst",), "cientifico": ("scientist",), "cientifica": ("scientist",),
    "cientista": ("scientist",), "datos": ("data",), "dados": ("data",), "donnees": ("data",), "entwickler": ("developer",), "datenanalyst": ("data", "analyst"),
    "l1": ("1",), "l2": ("2",), "l3": ("3",), "l4": ("4",), "l5": ("5",), "l6": ("6",),
    "rs": ("research", "scientist"), "mts": ("mts",),
}

# --- vocabulary ---------------------------------------------------------------------------------------

# Domain phrases (longest first); values: DS, ML, AI, DATA, ANALYTICS, RESEARCH, APPLIED
_DOMAIN_PHRASES: dict[tuple[str, ...], str] = {
    ("data", "science"): "DS", ("data", "sciences"): "DS", ("decision", "science"): "DS", ("decision", "sciences"): "DS",
    ("machine", "learning"): "ML", ("deep", "learning"): "ML", ("computer", "vision"): "ML", ("nlp",): "ML",
    ("natural", "language", "processing"): "ML", ("natural", "language"): "ML", ("mlops",): "ML",
    ("machine", "intelligence"): "ML", ("perception",): "ML", ("speech", "recognition"): "ML",
    ("reinforcement", "learning"): "ML", ("recommendation",): "ML", ("recommendations",): "ML",
    ("recommender",): "ML", ("ml",): "ML",
    ("ai",): "AI", ("artificial", "intelligence"): "AI", ("generative", "ai"): "AI", ("llm",): "AI",
    ("large", "language", "model"): "AI", ("large", "language", "models"): "AI", ("prompt",): "AI",
    ("agentic",): "AI", ("gpt",): "AI", ("conversational", "ai"): "AI", ("aiops",): "AI", ("genai",): "AI",
    ("data",): "DATA", ("big", "data"): "DATA_ENG", ("etl",): "DATA_ENG", ("elt",): "DATA_ENG",
    ("data", "warehouse"): "DATA_ENG", ("data", "warehousing"): "DATA_ENG", ("data", "platform"): "DATA_ENG",
    ("data", "platforms"): "DATA_ENG", ("data", "infrastructure"): "DATA_ENG", ("data", "pipeline"): "DATA_ENG",
    ("data", "pipelines"): "DATA_ENG", ("data", "engineering"): "DATA_ENG", ("data", "integration"): "DATA_ENG",
    ("analytics", "engineering"): "DATA_ENG",
    ("analytics",): "ANALYTICS", ("business", "intelligence"): "ANALYTICS", ("insights",): "ANALYTICS",
    ("reporting",): "ANALYTICS", ("data", "analytics"): "ANALYTICS", ("data", "analysis"): "ANALYTICS",
    ("tableau",): "ANALYTICS", ("looker",): "ANALYTICS", ("power", "bi"): "ANALYTICS", ("research",): "RESEARCH", ("applied",): "APPLIED", ("applied", "science"): "APPLIED_SCIENCE",
}
_MAX_PHRASE = max(len(k) for k in _DOMAIN_PHRASES)

_SCIENTIST = frozenset({"scientist", "researcher", "statistician"})
_ENGINEER = frozenset({"engineer", "developer", "programmer", "architect", "modeler", "modeller", "mts", "engineering"})
_ANALYST = frozenset({"analyst"})
_GENERIC = frozenset(
    {"manager", "director", "headof", "head", "lead", "leader", "vp", "chief", "officer", "intern", "specialist",
     "consultant", "expert", "associate", "fellow", "student", "practitioner", "apprentice", "coop",
     "supervisor", "president", "owner", "partner", "resident", "strategist"}
)
# Roles that are never one of the tracked families, whatever qualifier they carry.
_NON_TECH = word_set(
    """recruiter recruiting sourcer talent designer writer copywriter editor counsel attorney lawyer paralegal
    evangelist advocate representative executive coordinator administrator assistant technician tutor trainer
    annotator labeler labeller rater teacher instructor professor lecturer accountant nurse physician clinician
    marketer marketing sales account salesperson buyer planner auditor recruiters sourcers hr economist biologist
    chemist physicist geneticist epidemiologist mathematician"""
)
_NON_TECH_MANAGER_PREFIX = word_set(
    """product program programme project account accounts success community relationship release territory
    portfolio campaign category channel partner partnerships brand content delivery"""
)
_CUSTOMER_ENGINEER = word_set(
    "sales solutions solution support customer presales pre-sales field applications application"
)
_NON_SOFTWARE_ENGINEER = word_set(
    """hardware electrical mechanical firmware asic fpga silicon chip rf manufacturing verification physical
    civil chemical process network networking test qa quality validation structural industrial optical
    photonics packaging thermal power facilities construction"""
)
_NON_TECH_AREAS = word_set(
    """sales marketing recruiting recruitment talent hr people finance legal partnerships partnership product
    program programme project operations communications design customer account accounts business growth
    community brand content events facilities office procurement"""
)
_NON_DATA_ANALYST = word_set(
    """security cyber cybersecurity soc threat network it support helpdesk legal policy compliance kyc aml credit
    investment equity tax payroll procurement hr talent recruiting qa test systems programmer financial finance
    accounting treasury intelligence"""
)

# --- seniority ------------------------------------------------------------------------------------------

_SENIORITY_WORDS: dict[str, str] = {
    "intern": "intern", "coop": "intern", "apprentice": "intern", "student": "intern",
    "junior": "junior", "entrylevel": "junior", "associate": "junior", "newgrad": "junior", "graduate": "junior",
    "grad": "junior", "midlevel": "mid", "intermediate": "mid",
    "senior": "senior",
    "staff": "staff", "lead": "staff", "leader": "staff",
    "principal": "principal", "distinguished": "principal", "fellow": "principal",
    "manager": "manager", "management": "manager", "supervisor": "manager",
    "director": "director", "headof": "director", "head": "director", "vp": "director", "chief": "director",
    "president": "director", "chiefofstaff": "director",
}
_LEVELS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5,
           "6": 6, "7": 7, "8": 8, "9": 9}
_LEVEL_SENIORITY = {1: "junior", 2: "mid", 3: "senior", 4: "staff"}
_FELLOW_NOT_PRINCIPAL = frozenset({"postdoctoral", "postdoc", "graduate", "summer", "research", "residency", "phd"})


def _tokens(segment: str) -> list[str]:
    out: list[str] = []
    for tok in _TOKEN.findall(segment):
        exp = _ABBREV.get(tok)
        if exp:
            out.extend(exp)
            continue
        if "-" in tok and tok not in ("co-op", "pre-sales"):
            for part in tok.split("-"):
                out.extend(_ABBREV.get(part, (part,)))
            continue
        out.append(tok)
    return out


def _domains(tokens: list[str]) -> list[tuple[int, str]]:
    """(position, domain) for domain phrases in a token list, longest phrase first."""
    found: list[tuple[int, str]] = []
    i = 0
    n = len(tokens)
    while i < n:
        for size in range(min(_MAX_PHRASE, n - i), 0, -1):
            dom = _DOMAIN_PHRASES.get(tuple(tokens[i : i + size]))
            if dom:
                found.append((i + size - 1, dom))
                i += size
                break
        else:
            i += 1
    return found


def _domain_family(domains: list[str], role: str) -> str | None:
    """Family for a role kind given the domains around it (nearest first)."""
    if not domains:
        return None
    has_ml = "ML" in domains
    for dom in domains:
        if role == "engineer":
            if dom in ("DATA", "DATA_ENG", "ANALYTICS"):
                return "data_engineer"
            if dom == "ML":
                return "ml_engineer"
            if dom == "AI":
                return "ml_engineer" if has_ml else "ai_engineer"
            if dom == "DS":
                return "data_scientist"
            if dom == "APPLIED_SCIENCE":
                return "applied_scientist"
            continue  # RESEARCH / APPLIED qualify; keep looking
        if role == "generic":
            if dom == "DS":
                return "data_scientist"
            if dom in ("ML", "AI"):
                if "RESEARCH" in domains or "APPLIED_SCIENCE" in domains:
                    return "applied_scientist"
                if dom == "AI" and not has_ml:
                    return "ai_engineer"
                return "ml_engineer"
            if dom == "APPLIED_SCIENCE":
                return "applied_scientist"
            if dom == "ANALYTICS":
                return "data_scientist" if "DS" in domains else "data_analyst"
            if dom == "DATA_ENG":
                return "data_engineer"
            continue
    return None


def _nearest_domains(domains: list[tuple[int, str]], head: int) -> list[str]:
    """Domains ordered by distance from the head noun: words before it first (compounds), then after."""
    before = sorted((d for d in domains if d[0] < head), key=lambda d: head - d[0])
    after = sorted((d for d in domains if d[0] > head), key=lambda d: d[0] - head)
    return [d for _, d in before] + [d for _, d in after]


def _head(tokens: list[str]) -> tuple[int, str] | None:
    """Rightmost role noun and its kind: scientist, engineer, analyst, nontech, generic."""
    specific: tuple[int, str] | None = None
    generic: tuple[int, str] | None = None
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i > 0 else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        kind: str | None = None
        if tok in _SCIENTIST:
            kind = "scientist"
        elif tok in _ENGINEER:
            if tok == "engineering" and nxt in ("manager", "director", "lead", "leader", "intern", "vp", "head", "headof"):
                kind = None  # "Engineering Manager": the manager is the head
            elif tok == "engineering":
                kind = None
            else:
                kind = "engineer"
        elif tok in _ANALYST:
            kind = "analyst"
        elif (tok == "manager" and prev in _NON_TECH_MANAGER_PREFIX) or (tok == "owner" and prev == "product"):
            kind = "nontech"
        elif tok in _NON_TECH:
            if tok in ("executive", "account", "sales", "marketing") and nxt in _GENERIC | _ENGINEER | _SCIENTIST:
                kind = None  # "Sales Engineer" etc. handled at the engineer; "Marketing Data Scientist"
            elif tok == "talent" and nxt not in ("", "partner", "acquisition", "manager", "lead"):
                kind = None
            else:
                kind = "nontech"
        elif tok in _GENERIC:
            if tok == "associate" and nxt in _GENERIC | _ENGINEER | _SCIENTIST | _ANALYST | {"product"}:
                kind = None  # "Associate Director": a modifier
            elif tok in ("lead", "head", "chief") and nxt:
                kind = None  # "Lead Data Scientist", "Chief Data Officer": a modifier
            elif tok == "fellow" and prev in _FELLOW_NOT_PRINCIPAL:
                kind = "generic"
            else:
                kind = "generic"
        if kind is None:
            continue
        if kind == "generic":
            generic = (i, kind)
        else:
            specific = (i, kind)
    if specific and generic and generic[0] > specific[0]:
        # "Data Scientist Lead", "ML Engineer Intern": the specific role still decides the family
        return specific
    return specific or generic


def _segment_family(tokens: list[str]) -> tuple[str | None, bool]:
    """(family or None, decided) for one segment. decided=False means 'generic: look at qualifiers'."""
    head = _head(tokens)
    doms = _domains(tokens)
    if head is None:
        return None, False
    pos, kind = head
    near = _nearest_domains(doms, pos)
    prev = tokens[pos - 1] if pos > 0 else ""
    if kind == "nontech":
        return "other", True
    if kind == "scientist":
        word = tokens[pos]
        if prev in ("data", "decision") or word == "statistician" or (near and near[0] == "DS"):
            return "data_scientist", True
        if word == "scientist" and prev in ("product", "quantitative", "analytics"):
            return "data_scientist", True
        if any(d in ("ML", "AI", "RESEARCH", "APPLIED", "APPLIED_SCIENCE") for d in near):
            if near and near[0] == "DATA" and prev == "data":
                return "data_scientist", True
            return "applied_scientist", True
        if "DATA" in near:
            return "data_scientist", True
        return None, False  # bare "Scientist": qualifiers may say
    if kind == "analyst":
        analyst_modifiers = set(tokens[max(0, pos - 3) : pos])
        if analyst_modifiers & _NON_DATA_ANALYST and not analyst_modifiers & {"data", "analytics", "business", "product"}:
            return "other", True
        return "data_analyst", True
    if kind == "engineer":
        modifiers = tokens[max(0, pos - 3) : pos]
        if prev in _CUSTOMER_ENGINEER or (len(modifiers) >= 2 and modifiers[-2] in _CUSTOMER_ENGINEER and prev in ("ai", "ml", "machine", "learning", "data", "cloud", "technical")):
            return "other", True
        if prev in _NON_SOFTWARE_ENGINEER and not any(d in ("ML", "AI", "DATA", "DATA_ENG") for d in near):
            return "other", True
        fam = _domain_family(near, "engineer")
        if fam:
            return fam, True
        if prev == "research" or (len(modifiers) >= 1 and "research" in modifiers):
            return "ml_engineer", False
        return None, False
    # generic head: manager, director, head of, lead, intern, specialist...
    fam = _domain_family(near, "generic")
    if fam:
        return fam, True
    if any(t in _NON_TECH_AREAS for t in tokens):
        return "other", True  # "Sales Manager", "Director of Product"
    # "Data Scientist Lead" is handled by _head; "Engineering Manager" stays generic
    return None, False


def _family(segments: list[list[str]]) -> str:
    main_index = next((i for i, seg in enumerate(segments) if _head(seg) is not None), None)
    if main_index is None:
        # no role noun at all: a bare domain title ("Machine Learning", "Data Science")
        for seg in segments:
            fam = _domain_family([d for _, d in _domains(seg)], "generic")
            if fam:
                return fam
        return "other"
    main = segments[main_index]
    fam, decided = _segment_family(main)
    if decided and fam:
        return fam
    head = _head(main)
    kind = head[1] if head else "generic"
    role = "engineer" if kind == "engineer" else "generic"
    if kind == "generic":
        # "Intern - Applied Scientist", "Lead - Data Engineer": a qualifier naming a specific role decides
        for seg in segments[main_index + 1 :]:
            sub = _head(seg)
            if sub is not None and sub[1] != "generic":
                sub_fam, sub_decided = _segment_family(seg)
                if sub_decided and sub_fam:
                    return sub_fam
    for seg in segments[main_index + 1 :] + segments[:main_index]:
        doms = [d for _, d in _domains(seg)]
        if kind == "scientist":
            if "DS" in doms or (doms and doms[0] == "DATA"):
                return "data_scientist"
            if any(d in ("ML", "AI", "RESEARCH", "APPLIED", "APPLIED_SCIENCE") for d in doms):
                return "applied_scientist"
            continue
        if role == "generic" and any(d in ("RESEARCH", "APPLIED_SCIENCE") for _, d in _domains(main)):
            doms = doms + ["RESEARCH"]  # "Head of Research - Machine Learning"
        q = _domain_family(doms, role)
        if q:
            if role == "engineer" and q == "data_scientist":
                return "ml_engineer"
            return q
    if fam:
        return fam
    if kind == "scientist":
        tokens = main
        if "research" in tokens or "applied" in tokens:
            return "applied_scientist"
    return "other"


def _not_a_marker(tok: str, prev: str, nxt: str, prev2: str = "") -> bool:
    """Seniority words that are not markers here: "Product Manager", "Postdoctoral Fellow", "Lead Generation"."""
    if tok in ("manager", "management") and prev in _NON_TECH_MANAGER_PREFIX:
        return True
    if tok == "manager" and prev == "marketing" and prev2 in ("product", "program", "programme", "project"):
        return True  # "Product Marketing Manager": an individual contributor, like the product manager
    if tok == "fellow" and prev in _FELLOW_NOT_PRINCIPAL:
        return True
    return (tok == "lead" and nxt in ("generation", "gen")) or (tok == "staff" and prev in ("medical", "nursing"))


def _seniority(tokens: list[str]) -> str | None:
    best: str | None = None
    intern = False
    role_seen = False
    n = len(tokens)
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i > 0 else ""
        nxt = tokens[i + 1] if i + 1 < n else ""
        level: str | None = None
        if tok in _SENIORITY_WORDS:
            level = _SENIORITY_WORDS[tok]
            if _not_a_marker(tok, prev, nxt, tokens[i - 2] if i > 1 else ""):
                level = None
        elif role_seen and tok in _LEVELS and (nxt == "" or nxt in _LEVELS or nxt in ("and", "or")):
            lvl = _LEVELS[tok]
            level = _LEVEL_SENIORITY.get(lvl, "staff")
        elif tok == "level" and nxt in _LEVELS:
            level = _LEVEL_SENIORITY.get(_LEVELS[nxt], "staff")
        if tok in _SCIENTIST or tok in _ENGINEER or tok in _ANALYST or tok in _GENERIC or tok in _NON_TECH or tok in ("manager",):
            role_seen = True
        if level is None:
            continue
        if level == "intern":
            intern = True
            continue
        if best is None or _RANK[level] > _RANK[best]:
            best = level
    if intern:
        return "intern"
    return best


def _fold_accents(text: str) -> str:
    """Drop combining accents ("Sênior" -> "senior", "Científico" -> "cientifico"); other characters stay."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _segments(title: str) -> tuple[list[list[str]], list[str]]:
    text = " ".join(title[:MAX_TITLE_CHARS].split())
    for pattern, repl in _PRE_SUBS:
        text = pattern.sub(repl, text)
    text = text.lower()
    if not text.isascii():
        text = _fold_accents(text)
    parts = [p for p in _SEGMENT_SPLIT.split(text) if p and p.strip()]
    segments: list[list[str]] = []
    for part in parts:
        if "/" in part:
            # "Data Scientist/ML Engineer": alternatives; the first listed is the main role
            pieces = [_tokens(x) for x in part.split("/")]
            if len(pieces) > 1 and _head(pieces[0]) is not None and any(_head(x) for x in pieces[1:]):
                segments.extend(x for x in pieces if x)
                continue
        toks = _tokens(part)
        if toks in (["stage"], ["stagiaire"]):
            toks = ["intern"]  # French: "Stage - Data Scientist"
        if toks:
            segments.append(toks)
    flat = [t for s in segments for t in s]
    return segments, flat


def classify_title(title: str) -> TitleInfo:
    """Classify a job title into a role family and a seniority level (taxonomy values)."""
    if not isinstance(title, str) or not title.strip():
        return TitleInfo("other", "mid")
    return _classify(title)


@lru_cache(maxsize=8192)
def _classify(title: str) -> TitleInfo:
    """classify_title for a non-blank string; titles repeat a lot, and the result is immutable."""
    segments, flat = _segments(title)
    if not segments:
        return TitleInfo("other", "mid")
    seniority: str | None = None
    for seg in segments:
        s = _seniority(seg)
        if s == "intern":
            seniority = "intern"
            break
        if s is not None and (seniority is None or _RANK[s] > _RANK[seniority]):
            seniority = s
    return TitleInfo(_family(segments), seniority or "mid")
