"""Products, and a plausible quantity of one on a quotation or order line."""

from __future__ import annotations

import random
from decimal import Decimal

from ..models import Product
from .context import Ctx, money
from .data.products import PRODUCTS


def add_products(ctx: Ctx) -> None:
    for code, name, unit, price, cost in PRODUCTS:
        p = ctx.add(Product(code=code, name=name, unit=unit, list_price=money(price),
                            unit_cost=money(cost)))
        ctx.products.append(p)
        ctx.product_by_code[code] = p


def quantity(rng: random.Random, p: Product) -> Decimal:
    price = p.list_price
    if price < 200:
        return Decimal(rng.randrange(50, 501, 10))
    if price < 1000:
        return Decimal(rng.randrange(10, 121, 5))
    if price < 5000:
        return Decimal(rng.randint(2, 40))
    return Decimal(rng.randint(1, 8))
