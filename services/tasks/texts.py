"""Task titles and reasons a person reads, in Simplified Chinese (default) and English.

Tasks store the rule and its parameters, not sentences, so the same task reads right in either
language and a wording fix reaches old tasks too.
"""
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "loan_due": {
        "zh": ("到期催收：贷款 {loan_id} 将于 {loan_due_date} 到期",
               "核心系统通知贷款 {loan_id} 将于 {loan_due_date} 到期，应还本金 {principal_due} 元、利息 {interest_due} 元"
               "（贷款余额 {outstanding_balance} 元）。按规则须在到期前 {lead_days} 天发出催收通知并检查企业经营情况"
               "{government_note}。"),
        "en": ("Collection notice: loan {loan_id} falls due on {loan_due_date}",
               "Core banking reports loan {loan_id} falls due on {loan_due_date}: principal {principal_due} CNY, "
               "interest {interest_due} CNY due (outstanding {outstanding_balance} CNY). The rule asks for a collection "
               "notice and a company check {lead_days} days before the due date{government_note}."),
    },
    "adhoc": {
        "zh": ("{title}", "由 {assigned_by} 指派的临时任务"),
        "en": ("{title}", "Ad-hoc task assigned by {assigned_by}"),
    },
}
NOTES = {
    "government": ("（政府类客户，提前 60 天）", " (government-related borrower: 60 days ahead)"),
    "": ("", ""),
}
RANK = {
    "overdue": ("已逾期 {days} 天，排在最前", "overdue by {days} days, so it comes first"),
    "due_today": ("今天到期", "due today"),
    "upcoming": ("{days} 天后到期", "due in {days} days"),
    "amount": ("，涉及金额 {amount} 元", ", exposure {amount} CNY"),
    "unassigned": ("客户尚未分配客户经理，进入本机构待分配队列", "customer has no manager yet: in the unit's unassigned queue"),
}


def render(rule: str, params: dict, english: bool) -> tuple[str, str]:
    lang = "en" if english else "zh"
    note = NOTES[params.get("government_note_key", "")][english]
    title, reason = TEMPLATES.get(rule, TEMPLATES["adhoc"])[lang]
    values = {**params, "government_note": note}
    return title.format_map(_Lenient(values)), reason.format_map(_Lenient(values))


def rank_text(key: str, english: bool, **params) -> str:
    return RANK[key][english].format(**params)


class _Lenient(dict):
    def __missing__(self, key):  # an old task lacking a newer parameter still reads
        return "—"
