"""Market research: reports, competitors, their prices and countermeasures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ..models import Competitor, CompetitorPrice, Countermeasure, MarketReport
from .context import Ctx, round_to
from .data.market import COMPETITORS, COUNTERMEASURES, LEVEL_FACTOR, MARKET_REPORTS, PRICE_REFERENCES


def add_market(ctx: Ctx) -> None:
    rng, today = ctx.rng, ctx.today
    e = ctx.emp
    for i, (title, region, industry, author, reviewer) in enumerate(MARKET_REPORTS):
        end = today - timedelta(days=30 + 110 * i)
        ctx.add(MarketReport(
            title=title, region=region, industry=industry,
            period_start=end - timedelta(days=90), period_end=end,
            findings=f"{region}{industry}客户约六成设备使用超过8年，存在能效升级需求；"
                     "价格敏感度高，交期与售后响应是选择供应商的前两项因素。",
            author=e[author], reviewer=e[reviewer] if reviewer else None,
        ))
    comps = []
    for i, (name, products, level, strategy, strengths, weaknesses) in enumerate(COMPETITORS):
        c = ctx.add(Competitor(name=name, main_products=products, price_level=level,
                               marketing_strategy=strategy, strengths=strengths,
                               weaknesses=weaknesses))
        comps.append(c)
        for j in range(2):
            label, base = PRICE_REFERENCES[(i + j) % len(PRICE_REFERENCES)]
            for k in range(6):
                drift = 1 - 0.01 * k + rng.uniform(-0.02, 0.02)
                ctx.add(CompetitorPrice(
                    competitor=c, product=label,
                    price=round_to(Decimal(str(base * LEVEL_FACTOR[level] * drift)), 10),
                    observed_on=today - timedelta(days=700 - 120 * k + rng.randint(0, 20)),
                    source=rng.choice(("客户提供的报价单", "展会获取", "经销商反馈", "电商平台公开价")),
                ))
    for i, (text, proposer, status) in enumerate(COUNTERMEASURES):
        ctx.add(Countermeasure(competitor=comps[i % len(comps)], proposal=text,
                               proposer=ctx.emp[proposer], status=status))
