"""How high a customer's tier reaches, how high an RM's grade may reach (分级设立), and which customers
need a B岗 — the rules both the customer service (who may own whom, the customer's missing-B flag) and
the tasks service (the lead's alerts) decide by. One place, so the two services cannot drift apart.

One scale for both kinds of customer: one-to-one service (corporate) ranks with platinum.
"""
TIER_HEIGHT = {"standard": 0, "gold": 1, "platinum": 2, "one_to_one": 2, "private": 3}
GRADE_REACH = {"junior": 1, "intermediate": 2, "senior": 3, "expert": 3}   # the highest tier height a grade may own
# 个人优质客户: a retail customer from this tier up (the first AUM band) needs a B岗 manager (domain.md,
# Ownership); corporate customers need none.
BACKUP_REQUIRED_FROM = "gold"
# The tiers and grades in words, (zh, en), for every service's messages: a person reads "金卡", never "gold".
TIER_WORDS = {"standard": ("普通", "standard"), "gold": ("金卡", "gold"), "platinum": ("白金", "platinum"),
              "one_to_one": ("一对一", "one-to-one"), "private": ("私人银行", "private banking")}
GRADE_WORDS = {"junior": ("初级", "junior"), "intermediate": ("中级", "intermediate"), "senior": ("高级", "senior"),
               "expert": ("资深", "expert")}


def tier_height(tier: str | None) -> int:
    return TIER_HEIGHT.get(tier or "", 0)


def grade_reach(grade: str | None) -> int | None:
    """The highest tier height an RM of this grade may own; None for no grade or one the bank has not set."""
    return GRADE_REACH.get(grade) if grade else None


def needs_backup(kind: str | None, tier: str | None) -> bool:
    """A retail premium customer must have a B岗 manager (mutual supervision)."""
    return kind == "retail" and tier_height(tier) >= TIER_HEIGHT[BACKUP_REQUIRED_FROM]
