"""Catalogue search the way people type Vietnamese on a phone.

Folding ignores accents, đ/d, tone-mark placement (hoà/hòa), case, extra spaces and the i/y
spelling both accepted after a consonant (kí/ký, lí/lý). Every subject word of the query must
match, in any order; the last word may be a prefix (live search while typing); a word of five
letters or more may carry one typo, a shorter one two swapped letters ("khia" for "khai").
Everyday words and abbreviations are rewritten through a synonym list ("hộ khẩu" → "thường trú",
"dk" → "đăng ký"); filler words ("làm", "xin", "giấy", "cho", "đăng ký") are optional and only
break ties. Ranking: the subject as a phrase in a name > all subject words in a name > words
only in the guide or documents; within each, more of the query's fillers in the name first.
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
from functools import cached_property
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")
PROCEDURE_CODE = re.compile(r"^[0-9]\.[0-9]{6}\Z")
MAX_TERMS = 12
TYPO_MIN_LENGTH = 5
SWAP_MIN_LENGTH = 3  # from here to TYPO_MIN_LENGTH, only two swapped neighbours are forgiven
MAX_VARIANTS = 8  # readings of one query through the synonym list

# Words people add around the name of a procedure; they may match but need not, and when they
# do they only order results that match the subject equally. Folded, many short words are
# several words at once, so a word stays out of this list when one of its readings is the
# subject of procedure names: bao (báo tử), sao (bản sao), to (yếu tố, tờ), can (căn cước),
# the (thẻ), dau (đầu tư), chi (chi trả), thi (thị thực, đô thị). Dropping such a word can
# leave a short prefix that matches half the catalogue. cho, con, bo, me (cho con, bố mẹ) and
# trong are here because they are never the whole subject: a name holding them ("nhận cha,
# mẹ, con", "nuôi con nuôi", "bổ sung", "cây trồng") still ranks through its other words, the
# phrase and the filler tiebreak.
# "dang ky" (spelt "dang ki", see spell()) and "thu tuc" open most names; the English ones
# come with English queries.
FILLER_WORDS = frozenset(
    (
        "lam xin toi minh em anh muon phai o nao gi nhieu giay thu tuc cua va ve de duoc nhu la"
        " cho con bo me dang ki chau trong"
        " how get apply for of a"
    ).split()
)
# Filler combinations tried as phrases: 2**n needles, so past this many only all or none.
MAX_PHRASE_FILLERS = 4
# English articles carry nothing: as fillers they would rank "re-registration of a birth" above
# "birth registration" for "register a birth". Dropped when other words remain. Not "an" nor
# "the": folded, they are the Vietnamese "an" (an sinh) and "thẻ".
NOISE_WORDS = frozenset(("a", "of"))
# i/y after a consonant at the end of a word: both spellings are official (kí/ký, lí/lý, mĩ/mỹ).
_CONSONANTS = frozenset("bcdghklmnprstvx")


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


def spell(word: str) -> str:
    """A folded word with a final y after a consonant written i, so that "ky" and "ki" meet."""
    if len(word) > 1 and word[-1] == "y" and word[-2] in _CONSONANTS:
        return word[:-1] + "i"
    return word


def terms(text: str) -> str:
    """Text as the index compares it: folded, each word spelt one way (see spell)."""
    return " ".join(spell(word) for word in fold(text).split())


def swaps(word: str) -> set[str]:
    """The word with two neighbouring letters swapped, every way."""
    return {
        word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        for i in range(len(word) - 1)
        if word[i] != word[i + 1]
    }


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
    text: Sequence[str] = ()  # the guide's wording; below the names
    papers: Sequence[str] = ()  # the papers to bring: named by many procedures, matched last
    facets: frozenset[str] = frozenset()  # e.g. "field:ho-tich", "online"
    popularity: int | None = None  # 1 = most used
    local: bool = True


@dataclass(frozen=True)
class Hit:
    key: str
    # 4 the code, 3 subject phrase in a name, 2 subject words in a name, 1 in the guide too,
    # 0 only in the papers to bring
    tier: int
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
    required: list[str]  # the subject: every one must match
    prefix_last: bool
    rewritten: bool = False  # read through the synonym list

    @property
    def fillers(self) -> list[str]:
        required = set(self.required)
        return list(dict.fromkeys(w for w in self.words if w not in required))

    def needles(self) -> list[str]:
        """The query as phrases to find in a name: every word, then with fillers left out.

        Every word, fillers too: "bản sao trích lục" is a phrase, "trích lục" another one.
        Without a trailing space the last word may be a prefix, as while typing.
        """
        last = len(self.words) - 1
        optional = [i for i, w in enumerate(self.words) if w not in self.required]
        if len(optional) > MAX_PHRASE_FILLERS:
            dropped_sets = [(), tuple(optional)]
        else:
            dropped_sets = [
                tuple(i for k, i in enumerate(optional) if mask >> k & 1)
                for mask in range(1 << len(optional))
            ]
        found = []
        for dropped in sorted(dropped_sets, key=len):
            kept = [i for i in range(len(self.words)) if i not in dropped]
            open_end = self.prefix_last and kept and kept[-1] == last
            found.append(" " + " ".join(self.words[i] for i in kept) + ("" if open_end else " "))
        return list(dict.fromkeys(found))


def bits(mask: int) -> list[int]:
    """The positions of the set bits of mask, lowest first."""
    if mask.bit_count() < 64:
        found = []
        while mask:
            low = mask & -mask
            found.append(low.bit_length() - 1)
            mask ^= low
        return found
    found = []
    for i, byte in enumerate(mask.to_bytes((mask.bit_length() + 7) // 8, "little")):
        if byte:
            base = i * 8
            found.extend(base + bit for bit in _BYTE_BITS[byte])
    return found


def mask_of(positions: Sequence[int]) -> int:
    """The bit set with these positions; one int built at the end, not one per position."""
    if len(positions) < 64:
        mask = 0
        for position in positions:
            mask |= 1 << position
        return mask
    buffer = bytearray(max(positions) // 8 + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


_BYTE_BITS = [tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)]


def bucket(tier: int, typos: int, fillers: int = 0) -> int:
    """A sort key, higher first: fewer typos, then a better tier, then more fillers in a name.

    Typos come first so that a procedure holding every word as typed, even only in its guide,
    ranks above one whose name matches only through a guessed typo. Fillers come last: they
    only order procedures that match the subject equally well.
    """
    return ((15 - min(typos, 15)) * 8 + tier) * 8 + min(fillers, 7)


def unbucket(key: int) -> tuple[int, int]:
    key //= 8
    return key % 8, 15 - key // 8


def named_as_typed(key: int) -> bool:
    """The bucket holds procedures with every subject word in a name, without a typo."""
    tier, typos = unbucket(key)
    return tier >= 2 and typos == 0


def count_masks(masks: Sequence[int], within: int) -> dict[int, int]:
    """Documents of `within` by how many of the masks hold them, as {count: mask}."""
    planes: list[int] = []  # bit-sliced counter: plane i holds bit i of each document's count
    for mask in masks:
        carry = mask & within
        for i, plane in enumerate(planes):
            planes[i], carry = plane ^ carry, plane & carry
            if not carry:
                break
        if carry:
            planes.append(carry)
    counts = {}
    for count in range(len(masks) + 1):
        mask = within
        for i, plane in enumerate(planes):
            mask &= plane if count >> i & 1 else ~plane
        if count >> len(planes):
            mask = 0
        if mask:
            counts[count] = mask
    return counts


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
        # A tuple of a few dozen words: looked through as it is, not made a set each time.
        own = self.index.entries[position].words
        found: set[str] = set()
        for query, expanded, mask in self.matched:
            if not mask >> position & 1:
                continue
            for word in query.words:
                if word in own:
                    found.add(word)
                else:
                    exact, fuzzy = expanded[word]
                    found |= exact.intersection(own) or fuzzy.intersection(own)
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
    own_postings: dict[str, int] = field(default_factory=dict)  # ... in a name or the guide
    facet_masks: dict[str, int] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    deletes: dict[str, set[str]] = field(default_factory=dict)
    browse_order: list[int] = field(default_factory=list)

    @cached_property
    def _phrases_by_first_word(self) -> list[tuple[str, str, Sequence[str]]]:
        # Each synonym's first word, split once: parse() skips most phrases by it.
        return [(p.split(" ", 1)[0], p, r) for p, r in self.synonyms.items()]

    @classmethod
    def build(
        cls, documents: Iterable[Document], synonyms: Mapping[str, Sequence[str]] | None = None
    ) -> SearchIndex:
        index = cls(
            synonyms={terms(k): [terms(v) for v in vs] for k, vs in (synonyms or {}).items()}
        )
        # One string object per distinct word, however many documents hold it; tuples, not
        # sets, while building: the whole national list passes through here at once.
        interned: dict[str, str] = {}
        prepared = []
        for doc in documents:
            names = [terms(doc.name)] + [terms(a) for a in doc.aliases]
            name_words = tuple({interned.setdefault(w, w) for n in names for w in n.split()})
            text_words = {interned.setdefault(w, w) for t in doc.text for w in terms(t).split()}
            own_words = tuple(text_words.union(name_words))
            paper_words = {interned.setdefault(w, w) for t in doc.papers for w in terms(t).split()}
            all_words = tuple(paper_words.union(own_words))
            popularity = doc.popularity if doc.popularity is not None else 10**6
            rank = (popularity, not doc.local, len(doc.name), doc.key)
            browse = (popularity, not doc.local, names[0], doc.key)
            entry = _Entry(doc.key, [f" {n} " for n in names if n], all_words)
            prepared.append((rank, browse, entry, doc.facets, name_words, own_words))
        prepared.sort(key=lambda item: item[0])
        postings: dict[str, int] = {}
        name_postings: dict[str, int] = {}
        own_postings: dict[str, int] = {}
        facet_masks: dict[str, int] = {}
        for position, (_, _, entry, facets, name_words, own_words) in enumerate(prepared):
            bit = 1 << position
            index.entries.append(entry)
            index.by_key[entry.key] = position
            for word in entry.words:
                postings[word] = postings.get(word, 0) | bit
            for word in name_words:
                name_postings[word] = name_postings.get(word, 0) | bit
            for word in own_words:
                own_postings[word] = own_postings.get(word, 0) | bit
            for facet in facets:
                facet_masks[facet] = facet_masks.get(facet, 0) | bit
        index.postings, index.name_postings, index.own_postings, index.facet_masks = (
            postings,
            name_postings,
            own_postings,
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
        folded = " ".join(terms(text).split()[:MAX_TERMS])
        prefix_last = bool(folded) and not text.rstrip("\n").endswith((" ", "\t"))
        # Each reading, and whether the synonym list made it; several phrases of one query
        # ("dk ks") are each rewritten, in every reading that holds them.
        variants = {folded: False}
        last_recognised = False  # the last word ends a known phrase: it is not being typed
        typed = set(folded.split())
        for first, phrase, replacements in self._phrases_by_first_word:
            if first not in typed:  # most phrases share no word with it
                continue
            for variant in list(variants):
                padded = f" {variant} "
                if f" {phrase} " not in padded:
                    continue
                last_recognised |= variant == folded and padded.endswith(f" {phrase} ")
                for replacement in replacements:
                    if len(variants) < MAX_VARIANTS:
                        reading = padded.replace(f" {phrase} ", f" {replacement} ").strip()
                        variants.setdefault(reading, True)
                        typed.update(replacement.split())
        typed_last = folded.rsplit(" ", 1)[-1]
        queries = []
        for variant, rewritten in variants.items():
            words = [w for w in variant.split() if w not in NOISE_WORDS] or variant.split()
            words = words[:MAX_TERMS]
            if not words:
                continue
            required = [w for w in words if w not in FILLER_WORDS] or words
            # A reading still ends with the word being typed, unless a known phrase took it.
            prefix = prefix_last and not last_recognised and words[-1] == typed_last
            queries.append(Query(words, required, prefix, rewritten))
        return queries

    def _expand(self, word: str, prefix: bool, typos: bool) -> tuple[set[str], set[str]]:
        """Document words that match a query word exactly (or as prefix) and with one typo.

        A word the catalogue knows is taken as typed: read as a typo too, "thường" would also
        be "phương", "chương" and "thông". Only with typos set (nothing matched as typed) is
        every long word also tried with one edit. A short word the catalogue does not know may
        have two letters swapped ("khia", "hno"); any other slip in three or four letters makes
        another real word too often ("khoi" for "khai" or "khối").
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
        elif SWAP_MIN_LENGTH <= len(word) < TYPO_MIN_LENGTH and not exact:
            fuzzy = {c for c in swaps(word) if c in self.postings}
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
        exact_masks, in_names, described = [], allowed, allowed
        for word in query.required:
            exact, fuzzy = expanded[word]
            exact_mask = union(self.postings, exact)
            candidates &= exact_mask | union(self.postings, fuzzy)
            if not candidates:
                return {}
            exact_masks.append(exact_mask)
            in_names &= union(self.name_postings, exact | fuzzy)
            described &= union(self.own_postings, exact | fuzzy)
        # Tier 1 may mix the name and the guide; tier 0 needs the papers for some word.
        return self._buckets(
            query, expanded, candidates, exact_masks, in_names & candidates, described & candidates
        )

    def _buckets(
        self,
        query: Query,
        expanded: Expansions,
        candidates: int,
        exact_masks: list[int],
        in_names: int,
        described: int,
    ) -> dict[int, int]:
        buckets: dict[int, int] = {}
        exact_all = candidates
        for mask in exact_masks:
            exact_all &= mask
        # How many of the query's fillers each candidate's names hold, as typed: the tiebreak.
        # Not their completions: "cho con" while typing is not "công".
        filler_masks = [self.name_postings.get(w, 0) for w in query.fillers]
        by_fillers = count_masks(filler_masks, candidates) if filler_masks else {0: candidates}

        def add(tier: int, typos: int, mask: int) -> None:
            for fillers, with_fillers in by_fillers.items():
                if mask & with_fillers:
                    key = bucket(tier, typos, 2 * fillers)
                    buckets[key] = buckets.get(key, 0) | mask & with_fillers

        add(1, 0, candidates & ~in_names & described & exact_all)
        add(0, 0, candidates & ~described & exact_all)
        # A document's typos: the subject words it holds only through a guessed typo.
        with_typos = candidates & ~exact_all
        misses = [with_typos & ~mask for mask in exact_masks]
        for typos, mask in count_masks(misses, with_typos).items():
            named = mask & in_names
            phrase = self._phrases_with_typos(query, expanded, named)
            add(1, typos, mask & ~in_names & described)
            add(0, typos, mask & ~described)
            add(2, typos, named & ~phrase)
            add(3, typos, phrase)
        exact_in_names = in_names & exact_all
        if len(query.words) == 1:
            add(3, 0, exact_in_names)  # one word in a name is a phrase in it
            return buckets
        # Among subject phrases only the whole query as a phrase ranks higher, and a rewritten
        # one most (it is what the synonym list meant): which fillers a name happens to hold
        # ("giấy", "cho") says less than how often people do this procedure.
        whole, phrase = self._phrases(query, expanded, exact_in_names)
        for bonus, mask in ((7 if query.rewritten else 1, whole), (0, phrase)):
            if mask:
                key = bucket(3, 0, bonus)
                buckets[key] = buckets.get(key, 0) | mask
        add(2, 0, exact_in_names & ~phrase & ~whole)
        return buckets

    def _phrases(self, query: Query, expanded: Expansions, within: int) -> tuple[int, int]:
        """Documents holding the whole query as a phrase in a name, and the subject only.

        Only names holding every filler can hold the whole phrase, and one subject word in a
        name is a phrase in it: while typing "đăng ký h", thousands of names hold an "h…"
        word, and testing each of them in Python would cost tens of milliseconds.
        """
        needles = query.needles()
        with_fillers = within
        for word in query.fillers:
            with_fillers &= union(self.name_postings, expanded[word][0])
        entries, first = self.entries, needles[0]
        whole = mask_of(
            [p for p in bits(with_fillers) if any(first in name for name in entries[p].names)]
        )
        if len(set(query.required)) == 1 or len(needles) == 1:
            return whole, (within & ~whole) if len(needles) > 1 else 0
        others = needles[1:]
        phrase = mask_of(
            [
                p
                for p in bits(within & ~whole)
                if any(needle in name for name in entries[p].names for needle in others)
            ]
        )
        return whole, phrase

    def _phrases_with_typos(self, query: Query, expanded: Expansions, within: int) -> int:
        """Documents holding the subject as a phrase in a name, each word as typed or not."""
        if not within:
            return 0
        per_word = [expanded[w][0] | expanded[w][1] for w in query.required]
        # Names are found by their first word with str.find, in C: a prefix such as "tr"
        # makes the other sets large, the first word's set is small (a typo's few readings).
        firsts = [f" {w} " for w in per_word[0]]
        rest = per_word[1:]
        found = 0
        for position in bits(within):
            for name in self.entries[position].names:
                if any(self._phrase_at(name, first, rest) for first in firsts):
                    found |= 1 << position
                    break
        return found

    @staticmethod
    def _phrase_at(name: str, first: str, rest: list[set[str]]) -> bool:
        start = name.find(first)
        while start >= 0:
            following = name[start + len(first) :].split(maxsplit=len(rest))[: len(rest)]
            if len(following) == len(rest) and all(
                word in words for word, words in zip(following, rest, strict=True)
            ):
                return True
            start = name.find(first, start + 1)
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
            readings = []
            for query in queries:
                expanded = self._expansions(query, forgive)
                readings.append((query, expanded, self._search_one(query, expanded, allowed)))
            # A recognised everyday word ("sổ đỏ") that the catalogue names says what was
            # meant: its letters as typed count only where they are a phrase of a name, not
            # where "sổ" and "đỏ…" lie apart in a name, and no reading counts for words found
            # only in a text (the papers of a permit name a land certificate too).
            understood = any(
                query.rewritten and any(named_as_typed(key) for key in found)
                for query, _, found in readings
            )
            # Keep each document in its best bucket only, across the synonym variants.
            for query, expanded, found in readings:
                found_here = 0
                for key, mask in found.items():
                    if understood and unbucket(key)[0] < (2 if query.rewritten else 3):
                        continue
                    best[key] = best.get(key, 0) | mask
                    found_here |= mask
                if found_here:
                    matched.append((query, expanded, found_here))
            if any(unbucket(key)[0] >= 1 for key in best):
                break
        # The papers to bring are named by many procedures ("hộ chiếu" as a proof of identity):
        # a match there alone counts only when nothing names or describes what was typed.
        if any(unbucket(key)[0] >= 1 for key in best):
            best = {key: mask for key, mask in best.items() if unbucket(key)[0] >= 1}
        order: list[int] = []
        ranked: dict[int, tuple[int, int]] = {}  # position → (tier, typos)
        taken = 0
        for key in sorted(best, reverse=True):
            mask = best[key] & ~taken
            taken |= mask
            tier, typos = unbucket(key)
            positions = bits(mask)
            order.extend(positions)
            ranked.update(dict.fromkeys(positions, (tier, typos)))
        return Results(self, order, ranked, matched)

    def browse(self, facets: Iterable[str] = ()) -> list[str]:
        """Every procedure with the facets, most used first: the list for an empty query."""
        allowed = set(bits(self._allowed(facets)))
        return [self.entries[p].key for p in self.browse_order if p in allowed]


# The words of procedure names are few (a few thousand across the national list), and folding
# each one was the largest cost of a search page after its template.
_word_terms = lru_cache(maxsize=16384)(terms)


def word_pieces(text: str) -> tuple[tuple[str, str | None], ...]:
    """Text cut into its words and what lies between, each word with its folded form.

    Joined again the pieces are the text. A name's pieces do not depend on the query, so a
    search page cuts each name once and only compares folded words per request.
    """
    pieces: list[tuple[str, str | None]] = []
    cursor = 0
    for match in WORD.finditer(text):
        if match.start() > cursor:
            pieces.append((text[cursor : match.start()], None))
        pieces.append((match.group(), _word_terms(match.group())))
        cursor = match.end()
    if cursor < len(text):
        pieces.append((text[cursor:], None))
    return tuple(pieces)


def highlight(text: str, words: Iterable[str]) -> list[tuple[str, bool]]:
    """Split text into (piece, matched) pairs, marking the words whose folded form matched."""
    wanted = set(words)
    if not wanted:
        return [(text, False)]
    pieces: list[tuple[str, bool]] = []
    plain = ""
    for piece, folded in word_pieces(text):
        if folded is not None and folded in wanted:
            if plain:
                pieces.append((plain, False))
                plain = ""
            pieces.append((piece, True))
        else:
            plain += piece
    if plain:
        pieces.append((plain, False))
    return pieces
