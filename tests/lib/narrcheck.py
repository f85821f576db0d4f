"""narrcheck.py - sentences of the built-in narratives, for tests/func/41-narrative-variety.t:
numbers and quoted text removed, split at sentence ends."""
import re

QUOTE = re.compile("\u201c[^\u201d]*\u201d|\"[^\"]*\"")
NUMBER = re.compile(r"[\u2212+\-\u00b1$]?\d[\d,]*(?:\.\d+)?")


def sentences(text):
    text = QUOTE.sub("", text)
    out = []
    for s in re.split(r"(?<=[.!?])\s+", text.strip()):
        s = NUMBER.sub("", s)
        s = re.sub(r"\s+", " ", s).strip()
        if s:
            out.append(s)
    return out


def week_sentences(narrative):
    """The sentences of one week's narrative that are not frames: every
    sentence but the first and last of the summary, the self-summary and
    the coach notes."""
    summ = sentences(narrative["summary"])
    rest = summ[1:-1]
    rest += sentences(narrative.get("self_summary", ""))
    for note in narrative.get("coach_notes", []):
        rest += sentences(note)
    return set(rest)


def repeated(narratives):
    """Sentences found in every one of the narratives."""
    sets = [week_sentences(n) for n in narratives]
    common = set.intersection(*sets) if sets else set()
    return sorted(common)
