"""The demo's playbook settings and content library: something for every play to offer.

Dates are placeholders ({tour_day}, {d40}, ...) filled in relative to ``now`` by
``agent.demo.workspace.write_demo``, so the library never goes stale.
"""

# The engine's part of the demo config: something to offer, and a full day of plays.
PLAYBOOK_YAML = """\
cadence:
  stage: {hot: 7, stalled: 7, lost: 45}   # stalled deals get a weekly push to a decision
throttle: {per_account_per_week: 3, per_day: 10}
content_file: content.yaml
introductions:
  - name: jordan-reyes
    who: Jordan Reyes, COO of Baxter 3PL
    why: they automated two warehouses last year and are glad to compare notes
    tags: [warehouse-automation]
  - name: payments-peers
    who: Amara Osei, who chairs a payments operations peer group
    tags: [payments]
invitations:
  - name: joliet-tour
    kind: tour
    title: a tour of the Joliet plant that runs our line-side analytics
    when: {tour_day}
    where: Joliet, IL
    tags: [manufacturing, food]
  - name: supply-chain-breakfast
    kind: event
    title: the supply chain leaders' breakfast
    when: {breakfast_day}
    where: Chicago
    tags: [logistics]
insights:   # a give with no link, for when the library has nothing left for a tag
  freight: >-
    shippers who re-bid lanes quarterly instead of yearly are paying less this season, even
    with the same carriers.
"""

CONTENT_YAML = """\
# The demo's content library (see content_file in config.yaml).
- title: "Warehouse automation: the first-year numbers"
  url: https://northwind-analytics.com/papers/warehouse-automation-year-one
  kind: white_paper
  tags: [warehouse-automation, logistics]
  published: {d40}
- title: Cold-chain spoilage benchmarks 2026
  url: https://northwind-analytics.com/analysis/cold-chain-2026
  kind: analysis
  tags: [cold-chain, food]
  published: {d12}
- title: Plant-floor analytics for finance teams
  url: https://northwind-analytics.com/articles/plant-floor-finance
  kind: article
  tags: [manufacturing]
  published: {d25}
- title: "Real-time payments: what changed this year"
  url: https://northwind-analytics.com/analysis/real-time-payments
  kind: analysis
  tags: [payments, banking]
  published: {d45}
- title: Freight rate outlook, spring edition
  url: https://northwind-analytics.com/news/freight-outlook-spring
  kind: news
  tags: [freight, logistics]
  published: {d400}
- title: "After the outage: a hospital analytics case study"
  url: https://northwind-analytics.com/cases/hospital-outage
  kind: case_study
  tags: [healthcare]
  published: {d500}
  evergreen: true
"""
