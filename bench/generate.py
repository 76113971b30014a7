"""Synthetic but valid briefing projects, for measuring the build at scale.

Source articles are prose drawn from a fixed vocabulary by a seeded random
generator, so every run of a scale produces the same bytes. Every quote is cut
out of its source's text, so every fact cites a passage that really is there,
and `check` passes exactly as it does on edited content: each source states a
value for each unit a figure can have, and a figure quotes one of them.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FACTS_PER_TOPIC = 25
FIGURES_PER_TOPIC = 2
SOURCES_PER_TOPIC = 2.5  # 10, 100 and 1,000 sources for 4, 40 and 400 topics
HOME_SOURCES = 7  # a topic cites mostly the few sources about it, as a real one does
ELSEWHERE = 0.1  # and now and then any other
AS_OF = date(2026, 1, 31)

WORDS = """
Moscow Beijing Kremlin ministry pipeline gas oil trade yuan rouble sanctions export import
delegation summit agreement treaty partnership cooperation security border exercise naval
military technology semiconductor supply chain payment bank settlement currency reserve
visit talks statement spokesperson minister president premier council forum investment
energy nuclear reactor grid coal grain wheat soybean shipment port railway corridor Arctic
route freight tanker discount barrel cubic metre volume contract price demand growth
decline quarter annual record figure estimate analyst report official customs data
the the the the the a a an of of of to to in in on for with by from and and that
said says told noted added reported confirmed denied stressed expected agreed signed
planned announced declined rose fell reached exceeded doubled remained described
strategic bilateral joint new major key further broader closer stable long-term
economic political regional global western domestic foreign official unofficial
""".split()
ACCENTED = ["Ušakov", "Lavrov’s", "“strategic”", "Wang Yi’s", "café", "naïve", "‘no limits’", "Sergeï", "Zürich", "—"]
SPEAKERS = ["Vladimir Putin", "Xi Jinping", "Sergei Lavrov", "Wang Yi", "Yuri Ushakov", "Dmitry Peskov", "Mao Ning", "the outlet"]
PUBLISHERS = ["The Kyiv Independent", "Reuters", "Xinhua", "TASS", "Nikkei Asia", "The Moscow Times", None]
# `confirmed` needs a confirmer with a citation of its own; the synthetic content has none.
STATUSES = ["stated", "reported", "disputed", "denied"]
# Each unit a figure has, and how a source writes an amount in it (check reads the value back out of the quote).
UNIT_WORDS = {"USD billion": "${} billion", "%": "{}%", "bcm": "{} bcm", "million tonnes": "{} million tonnes", "units": "{} units"}
METRICS = [(f"metric-{n}", unit) for n, unit in enumerate(list(UNIT_WORDS) * 2)]
TOPICS_PER_METRIC = 40


@dataclass(frozen=True)
class Scale:
    """A project size: topics of 25 facts each, and the sources they cite."""

    topics: int

    @property
    def sources(self) -> int:
        return max(1, round(self.topics * SOURCES_PER_TOPIC))

    @property
    def facts(self) -> int:
        return self.topics * FACTS_PER_TOPIC


def generate_project(root: Path, scale: Scale, seed: int = 7) -> Path:
    """Write a complete project (content, templates, mkdocs.yml) of the given scale into root."""
    rng = random.Random(seed)
    for folder in ("briefings", "sources"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    texts, stated = {}, {}
    for number in range(scale.sources):
        source_id = f"source-{number:04d}"
        stated[source_id] = stated_figures(rng)
        texts[source_id] = text = article_text(rng, [sentence for _, _, sentence in stated[source_id]])
        (root / "sources" / f"{source_id}.md").write_text(source_file(rng, text), encoding="utf-8")
    source_ids = sorted(texts)
    for number in range(scale.topics):
        topic_id = f"topic-{number:03d}"
        sheet = fact_sheet(rng, topic_id, number, Citable(home_sources(source_ids, number, scale), source_ids), texts, stated)
        (root / "briefings" / f"{topic_id}.yaml").write_text(sheet, encoding="utf-8")
    return root


def sentence(rng: random.Random, numbers: bool = True) -> str:
    """Words from the vocabulary; with numbers, now and then a decimal among them (a fact's text has none its quote lacks)."""
    words = [rng.choice(ACCENTED) if rng.random() < 0.02 else rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
    if numbers and rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), f"{rng.randint(2, 990)}.{rng.randint(0, 9)}")
    return words[0][:1].upper() + " ".join(words)[1:] + rng.choice([".", ".", ".", "?", ";"])


def stated_figures(rng: random.Random) -> list[tuple[str, int, str]]:
    """(unit, value, sentence): one amount in each unit, for a source to state and a figure to quote."""
    return [(unit, value, f"The {rng.choice(WORDS)} figure reached {words.format(value)} that year.")
            for unit, words in UNIT_WORDS.items() for value in [rng.randint(1, 500)]]


def article_text(rng: random.Random, stating: list[str]) -> str:
    """An article of 3-5 KB: paragraphs of a few sentences, now and then a `## ` subheading; each of stating in a paragraph."""
    target = rng.randint(3000, 5000) - sum(len(line) + 1 for line in stating)  # the stated lines count within the 3-5 KB
    paragraphs: list[str] = []
    while sum(len(p) + 2 for p in paragraphs) < target:
        if paragraphs and rng.random() < 0.1:
            paragraphs.append("## " + sentence(rng).rstrip(".?;"))
        paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randint(2, 6))))
    prose = [index for index, paragraph in enumerate(paragraphs) if not paragraph.startswith("## ")]
    for line in stating:
        paragraphs[rng.choice(prose)] += " " + line
    return "\n\n".join(paragraphs) + "\n"


def source_file(rng: random.Random, text: str) -> str:
    published = AS_OF - timedelta(days=rng.randint(30, 2000))
    publisher = rng.choice(PUBLISHERS)
    front = {
        "title": sentence(rng).rstrip(".?;"),
        "publisher": publisher,
        "author": rng.choice([None, "Anna Petrova", "Li Wei", "John Smith"]),
        "published": published.isoformat(),
        "url": f"https://example.org/{rng.randrange(10**8)}" if publisher else None,
        "archived": AS_OF.isoformat(),
    }
    lines = [f"{key}: {yaml_value(value)}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + text


def quote_from(rng: random.Random, text: str) -> str:
    """A run of 6 to 16 whole words out of the text's prose, never a subheading."""
    prose = [p for p in text.split("\n\n") if p.strip() and not p.startswith("## ")]
    words = rng.choice(prose).split()
    length = min(len(words), rng.randint(6, 16))
    start = rng.randint(0, len(words) - length)
    return " ".join(words[start : start + length])


@dataclass(frozen=True)
class Citable:
    """The sources a topic cites: mostly its own few, sometimes any."""

    home: list[str]
    everything: list[str]

    def pick(self, rng: random.Random, count: int) -> list[str]:
        pool = self.everything if rng.random() < ELSEWHERE else self.home
        return rng.sample(pool, k=min(len(pool), count))


def home_sources(source_ids: list[str], number: int, scale: Scale) -> list[str]:
    """A window of sources that moves along with the topic number, so each source has a few topics citing it."""
    first = number * len(source_ids) // scale.topics
    return [source_ids[(first + offset) % len(source_ids)] for offset in range(min(HOME_SOURCES, len(source_ids)))]


THEMES = ("Talks", "Trade and payments", "Energy", "Security")


def fact_sheet(
    rng: random.Random, topic_id: str, number: int, sources: Citable, texts: dict[str, str], stated: dict[str, list[tuple[str, int, str]]]
) -> str:
    title = f"Topic {number}: " + " ".join(rng.choice(WORDS) for _ in range(3))
    lines = [
        f"title: {yaml_value(title)}",
        f"order: {number}",
        "summary:",
        f"  - text: {yaml_value(sentence(rng, numbers=False) + ' *Judgement* stands.')}",
        f"    based_on: [{topic_id}-fact-00]",
        f"  - text: {yaml_value(sentence(rng, numbers=False))}",
        f"    based_on: [{topic_id}-fact-01, {topic_id}-fact-02]",
        f"as_of: {AS_OF.isoformat()}",
        "figures:",
    ]
    for index in range(FIGURES_PER_TOPIC):
        metric, unit = rng.choice(METRICS)
        # A metric is given by the topics of one stretch of 40, about 8 values each at every scale: every value of
        # a metric is shown beside the others, on each page that shows one, so one metric for all 400 topics
        # would put 80 values on every topic page, which no briefing has.
        metric = f"{metric}-{number // TOPICS_PER_METRIC}"
        (source,) = sources.pick(rng, 1)
        value, quote = next((value, line.rstrip(".")) for stated_unit, value, line in stated[source] if stated_unit == unit)
        lines += [
            f"  - metric: {metric}",
            f"    label: {yaml_value(' '.join(rng.choice(WORDS) for _ in range(4)))}",
            f"    value: {value}",
            f"    unit: {yaml_value(unit)}",
            f"    period: {yaml_value(str(rng.randint(2020, 2025)))}",
            f"    said_by: {yaml_value(rng.choice(SPEAKERS))}",
            f"    status: {rng.choice(STATUSES)}",
            "    cite:",
            f"      - source: {source}",
            f"        quote: {yaml_value(quote)}",
        ]
    lines.append("facts:")
    for index in range(FACTS_PER_TOPIC):
        lines += fact_lines(rng, f"{topic_id}-fact-{index:02d}", sources, texts)
    return "\n".join(lines) + "\n"


def fact_lines(rng: random.Random, fact_id: str, sources: Citable, texts: dict[str, str]) -> list[str]:
    lines = [
        f"  - id: {fact_id}",
        f"    date: {yaml_value(fact_date(rng))}",
        f"    text: {yaml_value(sentence(rng, numbers=False) + (' See [the report](https://example.org/report).' if rng.random() < 0.1 else ''))}",
        f"    said_by: {yaml_value(rng.choice(SPEAKERS))}",
        f"    status: {rng.choice(STATUSES)}",
        f"    theme: {rng.choice(THEMES)}",  # a sheet of more than 12 facts groups them by theme
    ]
    if rng.random() < 0.2:
        lines.append(f"    note: {yaml_value(sentence(rng))}")
    lines.append("    cite:")
    for source in sources.pick(rng, rng.choice([1, 1, 1, 2])):
        lines += [f"      - source: {source}", f"        quote: {yaml_value(quote_from(rng, texts[source]))}"]
    return lines


def fact_date(rng: random.Random) -> str | None:
    """Mostly full dates, some known only to the month or the year, a few undated."""
    day = AS_OF - timedelta(days=rng.randint(0, 2000))
    return rng.choice([day.isoformat()] * 8 + [day.isoformat()[:7], str(day.year), None])


def yaml_value(value: str | None) -> str:
    """A YAML scalar: JSON's double-quoted strings are YAML too, and keep every character as written."""
    return "null" if value is None else json.dumps(value, ensure_ascii=False)
