"""The words, names and places synthetic records are made of, and the text built from them.

Titles, summaries, excerpts and notes draw their words from a vocabulary of a few thousand words
(a core of real topical words plus pronounceable made-up ones) with probability proportional to
1 / rank^1.07, so that word frequencies follow Zipf's law as in real text.
"""

from __future__ import annotations

import random
import sys
from array import array

from dialogues.models import Side, VenueKind

# Zipf's exponent of words in natural language.
WORD_EXPONENT = 1.07
VOCABULARY_SIZE = 4_000

# Ordered by how often they host talks; several carry accents on purpose.
PLACES = (
    "Jerusalem",
    "Tel Aviv",
    "Amman",
    "Ramallah",
    "London",
    "Oslo",
    "Genève",
    "Cairo",
    "Washington",
    "Rome",
    "Paris",
    "New York",
    "Stockholm",
    "Montréal",
    "Haifa",
    "Bethlehem",
    "Nicosia",
    "Istanbul",
    "Madrid",
    "Brussels",
    "Berlin",
    "Vienna",
    "Copenhagen",
    "Helsinki",
    "Reykjavík",
    "Zürich",
    "Den Haag",
    "Athens",
    "Doha",
    "Rabat",
    "Beirut",
    "Gaza City",
    "Nablus",
    "Hebron",
    "Jericho",
    "Toronto",
    "Boston",
    "Cambridge",
    "Córdoba",
    "Kraków",
    "Malmö",
    "São Paulo",
    "Bogotá",
    "Pretoria",
)
FUNCTION_WORDS = "the of and to on in a for with between over about after".split()
FUNCTION_SET = frozenset(FUNCTION_WORDS)
TOPICAL_WORDS = """
    negotiations settlers refugees ceasefire water Jerusalem economy security prisoners borders
    talks peace trust delegates occupation statehood recognition violence elections
    reconciliation dialogue agreement proposal framework declaration withdrawal settlements
    sovereignty checkpoints trade aid education youth women religion holy sites Gaza Hebron
    Jordan Egypt Oslo leaders ministers envoys mediators channel secret informal official
    principles roadmap disengagement land annexation municipal infrastructure health
    reconstruction investment employment permits crossings fisheries electricity aquifer
    desalination archaeology heritage schools textbooks media incitement narratives memory
    compensation return citizenship residency identity minority rights courts detention
    amnesty militias policing intelligence coordination guarantees monitors timetable
""".split()
ONSETS = "b d f g h k l m n p r s t v z sh kh y".split()
# Slurs and obscenities that random syllables can spell; made-up words containing them are
# dropped, since the words end up in titles and names that people read.
UNPRINTABLE = "nazi kike rape homo paki dago hebe kafir zona niga nige fag kus shit fuk".split()
VOWELS = "a e i o u a e i o ai".split()
CODAS = ("", "", "", "n", "r", "l", "m", "s", "t")

FIRST_NAMES = {
    Side.ISRAELI: "Yossi Avi Yael Noa Shira Eitan Dafna Moshe Tamar Ariel Ronit Gideon Michal "
    "Amos Orly Uri Naama Ehud Talia Yonatan",
    Side.PALESTINIAN: "Ahmad Mahmoud Rania Leila Khalil Samir Huda Nabil Mariam Yasmin Omar "
    "Hanan Ziad Salim Dalia Fadi Nour Tariq Hiba Issa",
    Side.THIRD_PARTY: "José Renée Søren Zoë François Ólafur Jürgen Inés Łukasz Chloé Björn Ana "
    "Mário Henrik Siobhán Margarethe Pál Dóra Ingrid Kåre Thomas Helen David Sarah",
}
LAST_NAMES = {
    Side.ISRAELI: "Cohen Levi Mizrahi Peretz Biton Friedman Shapiro Katz Avraham Ben-David "
    "Golan Harel Barak Sharabi Segal Azoulay Dahan Ornstein Rosen",
    Side.PALESTINIAN: "Haddad Saleh Hamdan Mansour Odeh Qassis Shaheen Awad Darwish Najjar "
    "Sabbagh Tamimi Zaher Khalidi Jaber Nassar Salameh Khoury",
    Side.THIRD_PARTY: "Müller Søgaard Núñez Dubois Lefèvre Jónsson Åberg Nowak O'Brien Rossi "
    "García Petersen Novák Schröder Smith Johansen Lindqvist Carter Meyer Brennan",
}
GROUP_PATTERNS = (
    "{place} Forum for {Topic}",
    "Centre for {Topic} Studies",
    "{Pseudo} Institute",
    "Council on {Topic} and {Other}",
    "{Pseudo} Foundation",
)
PUBLICATIONS = (
    "Journal of {Topic} Studies",
    "The {Pseudo} Review",
    "{Pseudo} Quarterly",
    "Proceedings of the {Pseudo} Forum",
)
CONFLICT_NAMES = (
    ("Israeli–Palestinian conflict", "The conflict most synthetic dialogues belong to."),
    ("Israel–Lebanon conflict", "A second conflict, so that lists and filters have a choice."),
    ("Cyprus conflict", "A third conflict, rarely chosen."),
)


class Words:
    """A stream of words from a Zipf-weighted vocabulary, drawn in blocks for speed.

    Drawing ten million words one bisect at a time would take seconds; instead each word gets
    a share of a table of 65,536 slots in proportion to its weight, and a block of random
    16-bit numbers is turned into words by a C-level map. With 4,000 words the rarest one's
    share is 1.3 slots, so every word keeps a slot and the head of the curve is exact.
    """

    TABLE_SIZE = 1 << 16
    BLOCK = 65_536

    def __init__(self, vocabulary: list[str], rng: random.Random):
        self.vocabulary = vocabulary
        self.rng = rng
        weights = [1 / rank**WORD_EXPONENT for rank in range(1, len(vocabulary) + 1)]
        total = sum(weights)
        slots = [max(1, round(weight / total * self.TABLE_SIZE)) for weight in weights]
        slots[0] += self.TABLE_SIZE - sum(slots)
        self.table = [
            word for word, count in zip(vocabulary, slots, strict=True) for _ in range(count)
        ]
        self.buffer: list[str] = []
        self.position = 0

    def _refill(self, n: int) -> None:
        count = max(self.BLOCK, n)
        numbers = array("H")
        numbers.frombytes(self.rng.getrandbits(16 * count).to_bytes(2 * count, "little"))
        if sys.byteorder == "big":  # the bytes are little-endian, for the same words everywhere
            numbers.byteswap()
        self.buffer = list(map(self.table.__getitem__, numbers))
        self.position = 0

    def take(self, n: int) -> list[str]:
        if self.position + n > len(self.buffer):
            self._refill(n)
        words = self.buffer[self.position : self.position + n]
        self.position += n
        return words

    def content(self, n: int) -> list[str]:
        """Take n words, skipping function words: Zipf's law still holds for the rest."""
        words: list[str] = []
        while len(words) < n:
            words.extend(word for word in self.take(2 * n) if word not in FUNCTION_SET)
        return words[:n]

    def phrase(self, low: int, high: int) -> str:
        # random() is several times cheaper than randint(), and this runs a million times.
        return " ".join(self.take(low + int(self.rng.random() * (high - low + 1))))

    def sentence(self, low: int, high: int) -> str:
        text = self.phrase(low, high)
        return text[0].upper() + text[1:] + "."

    def sentences(self, low: int, high: int, count_low: int, count_high: int) -> str:
        count = self.rng.randint(count_low, count_high)
        return " ".join(self.sentence(low, high) for _ in range(count))


def build_vocabulary(rng: random.Random, size: int = VOCABULARY_SIZE) -> list[str]:
    """Return `size` words in rank order: function words, then topical words among made-up ones.

    The topical words are scattered over the first few hundred ranks, so that they are common
    without all crowding the top.
    """
    core = set(word.casefold() for word in FUNCTION_WORDS + TOPICAL_WORDS)
    made_up: list[str] = []
    seen = set(core)
    while len(made_up) < size - len(core):
        syllables = rng.choice((2, 2, 2, 3))
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
        word += rng.choice(CODAS)
        if len(word) >= 4 and word not in seen and not any(bad in word for bad in UNPRINTABLE):
            seen.add(word)
            made_up.append(word)
    spread = len(FUNCTION_WORDS) + 4 * len(TOPICAL_WORDS)
    slots = sorted(rng.sample(range(len(FUNCTION_WORDS), spread), len(TOPICAL_WORDS)))
    ranked = list(FUNCTION_WORDS)
    topical = iter(TOPICAL_WORDS)
    made = iter(made_up)
    slot_set = set(slots)
    for rank in range(len(FUNCTION_WORDS), size):
        ranked.append(next(topical) if rank in slot_set else next(made))
    return ranked


# --- Pieces of text -------------------------------------------------------------------------


def pseudo(words: Words) -> str:
    """Return a capitalised made-up word, for the names of institutes, hotels and eras."""
    # Made-up words sit below the topical ones, so a draw from the tail gives one.
    return words.vocabulary[
        words.rng.randrange(len(words.vocabulary) // 2, len(words.vocabulary))
    ].capitalize()


def person_name(rng: random.Random, side) -> str:
    first = rng.choice(FIRST_NAMES[side].split())
    last = rng.choice(LAST_NAMES[side].split())
    if rng.random() < 0.3:
        return f"{first} {rng.choice('ABCDEFGHIJKLMNOPRSTVWZ')}. {last}"
    return f"{first} {last}"


def title(rng: random.Random, words: Words, place: str) -> str:
    a, b, c = words.content(3)
    roll = rng.random()
    if place and roll < 0.35:
        return f"{place} talks on {a} and {b}"
    if roll < 0.55:
        return f"Workshop on {a}, {b} and {c}"
    if roll < 0.75:
        return f"{a[0].upper()}{a[1:]} and {b}: a {c} dialogue"
    if roll < 0.9:
        return f"Meeting on {a} {b}"
    return f"Seminar on {a} and {b}"


def venue(rng: random.Random, words: Words, kind, place: str) -> str:
    if kind == VenueKind.NOT_STATED:
        return ""
    if kind == VenueKind.HOTEL:
        return f"Hotel {pseudo(words)}"
    if kind == VenueKind.THINK_TANK:
        (topic,) = words.content(1)
        return f"{pseudo(words)} Institute for {topic.capitalize()} Studies"
    if kind == VenueKind.UNIVERSITY:
        return f"University of {place}" if place else "A university"
    if kind == VenueKind.HOTEL_OR_THINK_TANK:
        return "A hotel or think-tank meeting room"
    if kind == VenueKind.GOVERNMENT:
        return rng.choice(("A government guest house", "The foreign ministry"))
    if kind == VenueKind.PRIVATE:
        return "A private residence"
    return "A video call"
