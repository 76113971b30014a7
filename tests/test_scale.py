"""What keeps a large briefing's build linear: the navigation stops listing topics past a limit."""

from __future__ import annotations

from types import SimpleNamespace

from brief.pipeline import NAV_TOPICS_MAX, site_nav


def briefing_with(count: int) -> SimpleNamespace:
    topics = [SimpleNamespace(id=f"topic-{n}", sheet=SimpleNamespace(title=f"Topic <{n}>")) for n in range(count)]
    return SimpleNamespace(topics=topics, glossary=())


def test_the_navigation_lists_each_topic_up_to_the_limit():
    nav = site_nav(briefing_with(NAV_TOPICS_MAX))
    (topics,) = [entry["Topics"] for entry in nav if "Topics" in entry]
    assert topics[0] == {"Topic &lt;0&gt;": "topics/topic-0.md"}
    assert len(topics) == NAV_TOPICS_MAX


def test_past_the_limit_the_overview_leads_to_the_topics():
    nav = site_nav(briefing_with(NAV_TOPICS_MAX + 1))
    assert not any("Topics" in entry for entry in nav)
    assert nav[0] == {"Overview": "index.md"}
