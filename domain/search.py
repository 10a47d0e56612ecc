"""Catalogue search the way people type Vietnamese on a phone.

Folding ignores accents, đ/d, tone-mark placement (hoà/hòa), case and extra spaces. Every word
of the query must match, in any order; the last word may be a prefix (live search while typing);
a word of five letters or more may carry one typo. Everyday phrases are rewritten through a
synonym list ("hộ khẩu" → "thường trú"), and filler words ("làm", "xin", "giấy") are optional.
Ranking: the whole query as a phrase in a name > all words in a name > words only in the guide
or documents.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

WORD = re.compile(r"[^\W_]+")
PROCEDURE_CODE = re.compile(r"^[0-9]\.[0-9]{6}\Z")
MAX_TERMS = 12
TYPO_MIN_LENGTH = 5

# Words people add around the name of a procedure; they may match but need not. Folded, many
# short words are several words at once, so a word stays out of this list when one of its
# readings is part of procedure names: bao (báo tử), sao (bản sao), to (yếu tố, tờ), cho,
# con, can (căn cước), the (thẻ), dau (đầu tư), chi (chi trả), thi (thị thực, đô thị).
# Dropping such a word can leave a short prefix that matches half the catalogue.
FILLER_WORDS = frozenset(
    "lam xin toi minh em anh muon phai o nao gi nhieu giay thu tuc cua va ve de duoc nhu la".split()
)


# Tab, line breaks and the like come from pasted text: they separate words, as a space does.
_WHITESPACE_CONTROLS = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85"


def clean_query(text: str, max_length: int) -> str:
    """The query as it may be searched and shown back: no control characters, at most max_length.

    Other control characters (U+0000, U+0001, escape sequences …) are dropped: echoed into the
    page they make it invalid HTML, and no one types them on purpose. Cut after cleaning, so
    the length shown back is the length searched.
    """
    kept = []
    for ch in text:
        if ch in _WHITESPACE_CONTROLS:
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs") and not _noncharacter(ch):
            kept.append(ch)
    return "".join(kept)[:max_length]


def _noncharacter(ch: str) -> bool:
    point = ord(ch)
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


def fold(text: str) -> str:
    """Lower case without diacritics, đ as d, words separated by single spaces."""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text.lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(WORD.findall(bare))


def within_one_edit(a: str, b: str) -> bool:
    """True when b is a, or a with one letter added, removed, changed or two neighbours swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class Document:
    """What the index knows of one procedure."""

    key: str
    name: str
    aliases: Sequence[str] = ()  # other names people use; they rank like the name
    text: Sequence[str] = ()  # guide and document wording; lowest rank
    facets: frozenset[str] = frozenset()  # e.g. "field:ho-tich", "online"
    popularity: int | None = None  # 1 = most used
    local: bool = True


@dataclass(frozen=True)
class Hit:
    key: str
    tier: int  # 4 the code, 3 phrase in a name, 2 all words in a name, 1 words elsewhere
    typos: int


@dataclass
class _Entry:
    """What stays in memory of a document after the build: no long texts."""

    key: str
    names: list[str]  # folded name and aliases, padded with spaces for phrase tests
    words: tuple[str, ...]  # every folded word of the document, for highlighting


@dataclass
class Query:
    """A query folded and split into words, after synonyms."""

    words: list[str]
    required: list[str]
    prefix_last: bool

    @property
    def phrase(self) -> str:
        # Every word, fillers too: "bản sao trích lục" is a phrase, "trích lục" another one.
        return " ".join(self.words)


def bits(mask: int) -> list[int]:
    """The positions of the set bits of mask, lowest first."""
    if mask.bit_count() < 64:
        found = []
        while mask:
            low = mask & -mask
            found.append(low.bit_length() - 1)
            mask ^= low
        return found
    return [i for i, digit in enumerate(reversed(bin(mask)[2:])) if digit == "1"]


def bucket(tier: int, typos: int) -> int:
    """A sort key, higher first: fewer typos, then a better tier.

    Typos come first so that a procedure holding every word as typed, even only in its guide,
    ranks above one whose name matches only through a guessed typo.
    """
    return (15 - min(typos, 15)) * 8 + tier


def unbucket(key: int) -> tuple[int, int]:
    return key % 8, 15 - key // 8


def union(postings: dict[str, int], words: Iterable[str]) -> int:
    mask = 0
    for word in words:
        mask |= postings.get(word, 0)
    return mask


Expansions = dict[str, tuple[set[str], set[str]]]  # query word → (exact or prefix, one typo)


@dataclass
class Results:
    """Ranked matches. Hits and matched words are made only for the results a page shows."""

    index: SearchIndex
    order: list[int] = field(default_factory=list)  # positions, best first
    found: dict[int, tuple[int, int]] = field(default_factory=dict)  # position → (tier, typos)
    # Per query variant (synonyms): its words, what each matched, and the documents it found.
    matched: list[tuple[Query, Expansions, int]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.order)

    def __iter__(self) -> Iterator[Hit]:
        return (self._hit(p) for p in self.order)

    def __getitem__(self, item: int) -> Hit:
        return self._hit(self.order[item])

    def _hit(self, position: int) -> Hit:
        return Hit(self.index.entries[position].key, *self.found[position])

    @property
    def keys(self) -> list[str]:
        entries = self.index.entries
        return [entries[p].key for p in self.order]

    def words(self, key: str) -> frozenset[str]:
        """The folded words of this procedure that matched, for highlighting.

        Per query word, only the closest reading this procedure holds: the word itself, else
        its completions (the last word while typing), else its one-typo variants. A prefix
        or typo reading that matched other procedures says nothing about this one: "tru"
        found "Trung" elsewhere, which must not light up here beside "trú".
        """
        position = self.index.by_key[key]
        own = set(self.index.entries[position].words)
        found: set[str] = set()
        for query, expanded, mask in self.matched:
            if not mask >> position & 1:
                continue
            for word in query.words:
                exact, fuzzy = expanded[word]
                if word in own:
                    found.add(word)
                else:
                    found |= (exact & own) or (fuzzy & own)
        return frozenset(found)


@dataclass
class SearchIndex:
    """An in-memory index over a few thousand procedures; built once per catalogue version.

    A posting is a Python int used as a bit set, one bit a document; documents are numbered
    in their order among equal matches (most used first), so a set's bits read lowest first
    are already ranked. Whole-catalogue set algebra runs in C: a one-letter query that matches
    nearly everything costs about what a precise one does, and 5,670 documents fit in ~4 MB.
    """

    synonyms: Mapping[str, Sequence[str]] = field(default_factory=dict)
    entries: list[_Entry] = field(default_factory=list)
    by_key: dict[str, int] = field(default_factory=dict)
    postings: dict[str, int] = field(default_factory=dict)  # word → documents holding it
    name_postings: dict[str, int] = field(default_factory=dict)  # word → ... in a name
    facet_masks: dict[str, int] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    deletes: dict[str, set[str]] = field(default_factory=dict)
    browse_order: list[int] = field(default_factory=list)

    @classmethod
    def build(
        cls, documents: Iterable[Document], synonyms: Mapping[str, Sequence[str]] | None = None
    ) -> SearchIndex:
        index = cls(synonyms={fold(k): [fold(v) for v in vs] for k, vs in (synonyms or {}).items()})
        # One string object per distinct word, however many documents hold it; tuples, not
        # sets, while building: the whole national list passes through here at once.
        interned: dict[str, str] = {}
        prepared = []
        for doc in documents:
            names = [fold(doc.name)] + [fold(a) for a in doc.aliases]
            name_words = tuple({interned.setdefault(w, w) for n in names for w in n.split()})
            text_words = {interned.setdefault(w, w) for t in doc.text for w in fold(t).split()}
            all_words = tuple(text_words.union(name_words))
            popularity = doc.popularity if doc.popularity is not None else 10**6
            rank = (popularity, not doc.local, len(doc.name), doc.key)
            browse = (popularity, not doc.local, names[0], doc.key)
            entry = _Entry(doc.key, [f" {n} " for n in names if n], all_words)
            prepared.append((rank, browse, entry, doc.facets, name_words))
        prepared.sort(key=lambda item: item[0])
        postings: dict[str, int] = {}
        name_postings: dict[str, int] = {}
        facet_masks: dict[str, int] = {}
        for position, (_, _, entry, facets, name_words) in enumerate(prepared):
            bit = 1 << position
            index.entries.append(entry)
            index.by_key[entry.key] = position
            for word in entry.words:
                postings[word] = postings.get(word, 0) | bit
            for word in name_words:
                name_postings[word] = name_postings.get(word, 0) | bit
            for facet in facets:
                facet_masks[facet] = facet_masks.get(facet, 0) | bit
        index.postings, index.name_postings, index.facet_masks = (
            postings,
            name_postings,
            facet_masks,
        )
        index.vocabulary = sorted(postings)
        index.browse_order = sorted(range(len(prepared)), key=lambda p: prepared[p][1])
        for word in index.vocabulary:
            if len(word) >= TYPO_MIN_LENGTH - 1:
                for variant in deletions(word):
                    index.deletes.setdefault(variant, set()).add(word)
        return index

    def __len__(self) -> int:
        return len(self.entries)

    # --- query side -----------------------------------------------------------------------------

    def parse(self, text: str, max_length: int = 200) -> list[Query]:
        """The query and its synonym variants, each split into words."""
        text = text[:max_length]
        folded = fold(text)
        prefix_last = bool(folded) and not text.rstrip("\n").endswith((" ", "\t"))
        variants = [folded]
        padded = f" {folded} "
        for phrase, replacements in self.synonyms.items():
            if f" {phrase} " in padded:
                variants.extend(
                    padded.replace(f" {phrase} ", f" {r} ").strip() for r in replacements
                )
        queries = []
        for variant in dict.fromkeys(variants):
            words = variant.split()[:MAX_TERMS]
            if not words:
                continue
            required = [w for w in words if w not in FILLER_WORDS] or words
            queries.append(Query(words, required, prefix_last and variant == folded))
        return queries

    def _expand(self, word: str, prefix: bool, typos: bool) -> tuple[set[str], set[str]]:
        """Document words that match a query word exactly (or as prefix) and with one typo.

        A word the catalogue knows is taken as typed: read as a typo too, "thường" would also
        be "phương", "chương" and "thông". Only with typos set (nothing matched as typed) is
        every long word also tried with one edit.
        """
        exact = {word} if word in self.postings else set()
        if prefix:
            start = bisect.bisect_left(self.vocabulary, word)
            for candidate in self.vocabulary[start:]:
                if not candidate.startswith(word):
                    break
                exact.add(candidate)
        fuzzy: set[str] = set()
        if len(word) >= TYPO_MIN_LENGTH and (typos or not exact):
            candidates = set(self.deletes.get(word, ()))
            for variant in deletions(word):
                if variant in self.postings:
                    candidates.add(variant)
                candidates |= self.deletes.get(variant, set())
            fuzzy = {c for c in candidates if c not in exact and within_one_edit(word, c)}
        return exact, fuzzy

    def _expansions(self, query: Query, typos: bool) -> Expansions:
        last = len(query.words) - 1
        expanded: Expansions = {}
        for i, word in enumerate(query.words):
            if word not in expanded or i == last:
                prefix = query.prefix_last and i == last
                expanded[word] = self._expand(word, prefix, typos)
        return expanded

    def _search_one(self, query: Query, expanded: Expansions, allowed: int) -> dict[int, int]:
        """Bit set of documents per (tier, typos) bucket, as {bucket(tier, typos): mask}."""
        candidates = allowed
        exact_masks, in_names = [], allowed
        for word in query.required:
            exact, fuzzy = expanded[word]
            exact_mask = union(self.postings, exact)
            candidates &= exact_mask | union(self.postings, fuzzy)
            if not candidates:
                return {}
            exact_masks.append(exact_mask)
            in_names &= union(self.name_postings, exact | fuzzy)
        return self._buckets(query, expanded, candidates, exact_masks, in_names & candidates)

    def _buckets(
        self,
        query: Query,
        expanded: Expansions,
        candidates: int,
        exact_masks: list[int],
        in_names: int,
    ) -> dict[int, int]:
        buckets: dict[int, int] = {}

        def add(tier: int, typos: int, mask: int) -> None:
            if mask:
                key = bucket(tier, typos)
                buckets[key] = buckets.get(key, 0) | mask

        exact_all = candidates
        for mask in exact_masks:
            exact_all &= mask
        add(1, 0, candidates & ~in_names & exact_all)
        for position in bits(candidates & ~exact_all):
            bit = 1 << position
            typos = sum(1 for mask in exact_masks if not mask & bit)
            tier = 1
            if in_names & bit:
                tier = 3 if self._phrase_with_typos(query, expanded, position) else 2
            add(tier, typos, bit)
        exact_in_names = in_names & exact_all
        if len(query.words) == 1:
            add(3, 0, exact_in_names)  # one word in a name is a phrase in it
            return buckets
        # Without a trailing space the last word may be a prefix, as while typing.
        needle = " " + query.phrase + ("" if query.prefix_last else " ")
        phrase = 0
        for position in bits(exact_in_names):
            if any(needle in name for name in self.entries[position].names):
                phrase |= 1 << position
        add(3, 0, phrase)
        add(2, 0, exact_in_names & ~phrase)
        return buckets

    def _phrase_with_typos(self, query: Query, expanded: Expansions, position: int) -> bool:
        per_word = [expanded[w][0] | expanded[w][1] for w in query.words]
        size = len(per_word)
        for name in self.entries[position].names:
            tokens = name.split()
            for start in range(len(tokens) - size + 1):
                if all(tokens[start + k] in per_word[k] for k in range(size)):
                    return True
        return False

    def _allowed(self, facets: Iterable[str]) -> int:
        mask = (1 << len(self.entries)) - 1
        for facet in facets:
            mask &= self.facet_masks.get(facet, 0)
        return mask

    def search(self, text: str, facets: Iterable[str] = (), max_length: int = 200) -> Results:
        """All procedures matching the text, best first; facets must all be present."""
        allowed = self._allowed(facets)
        code = text.strip()
        if PROCEDURE_CODE.match(code) and code in self.by_key:
            position = self.by_key[code]
            if not allowed >> position & 1:
                return Results(self)
            return Results(self, [position], {position: (4, 0)})
        queries = self.parse(text, max_length)
        best: dict[int, int] = {}
        matched: list[tuple[Query, Expansions, int]] = []
        for forgive in (False, True):
            # Keep each document in its best bucket only, across the synonym variants.
            for query in queries:
                expanded = self._expansions(query, forgive)
                found_here = 0
                for key, mask in self._search_one(query, expanded, allowed).items():
                    best[key] = best.get(key, 0) | mask
                    found_here |= mask
                if found_here:
                    matched.append((query, expanded, found_here))
            if best:
                break
        order: list[int] = []
        found: dict[int, tuple[int, int]] = {}
        taken = 0
        for key in sorted(best, reverse=True):
            mask = best[key] & ~taken
            taken |= mask
            tier, typos = unbucket(key)
            positions = bits(mask)
            order.extend(positions)
            found.update(dict.fromkeys(positions, (tier, typos)))
        return Results(self, order, found, matched)

    def browse(self, facets: Iterable[str] = ()) -> list[str]:
        """Every procedure with the facets, most used first: the list for an empty query."""
        allowed = set(bits(self._allowed(facets)))
        return [self.entries[p].key for p in self.browse_order if p in allowed]


def highlight(text: str, words: Iterable[str]) -> list[tuple[str, bool]]:
    """Split text into (piece, matched) pairs, marking the words whose folded form matched."""
    wanted = set(words)
    if not wanted:
        return [(text, False)]
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for match in WORD.finditer(text):
        if fold(match.group()) in wanted:
            if match.start() > cursor:
                pieces.append((text[cursor : match.start()], False))
            pieces.append((match.group(), True))
            cursor = match.end()
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces
