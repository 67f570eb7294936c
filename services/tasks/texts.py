"""Task titles and reasons a person reads, in Simplified Chinese (default) and English.

Tasks store the rule and its parameters, not sentences, so the same task reads right in either
language and a wording fix reaches old tasks too.
"""
from shared.tiers import GRADE_WORDS, TIER_WORDS

CONTROL_TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {   # tasks the bank's controls raise
    "credit_submission": {
        "zh": ("限时服务：信贷档案 {cif} 须于 {due_date} 前提交审查",
               "信贷档案已于 {ready_on} 齐全（金额 {amount} 元），须在 {due_date} 前由客户经理与风险经理双签提交审查；"
               "逾期每天升级。"),
        "en": ("Time-limited service: submit loan file {cif} for review by {due_date}",
               "The loan file ({amount} CNY) was complete on {ready_on}; the RM and a risk manager must co-sign its "
               "submission by {due_date}. Escalated daily once late."),
    },
    "complaint_handling": {
        "zh": ("投诉处理（{severity}）：{cif}，时限 {due_date}",
               "客户投诉须在 {due_date} 前分清责任并处理完毕，记录客户反馈；逾期将升级至支行行长。"),
        "en": ("Complaint ({severity}): {cif}, due {due_date}",
               "Establish responsibility and resolve the complaint by {due_date}, with the customer's feedback; "
               "past the limit it goes to the branch head."),
    },
    "complaint_escalated": {
        "zh": ("投诉已超时限：{cif}（原时限 {due_date}）", "该投诉超过处理时限，已升级至您处理。"),
        "en": ("Complaint past its limit: {cif} (was due {due_date})", "This complaint ran past its handling "
               "limit and is escalated to you."),
    },
    "customer_callback": {
        "zh": ("客户回访：{cif}（{due_date} 前）", "本月抽取该客户进行独立回访（客户经理 {rm} 以外的人员），"
               "记录是否联系上、满意度和发现的问题。"),
        "en": ("Customer call-back: {cif} (by {due_date})", "This customer was drawn for this month's independent "
               "call-back (by someone other than their manager {rm}): record whether reached, satisfaction and issues."),
    },
}

CONTROL_CANCELLED = {
    "credit_submitted": ("档案已双签提交审查", "the file was co-signed and submitted for review"),
    "complaint_resolved": ("投诉已处理完毕", "the complaint is resolved"),
    "callback_recorded": ("回访结果已登记", "the call-back result is recorded"),
}


TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    **CONTROL_TEMPLATES,
    "loan_due": {
        "zh": ("到期催收：贷款 {loan_id} 将于 {loan_due_date} 到期",
               "核心系统通知贷款 {loan_id} 将于 {loan_due_date} 到期，应还本金 {principal_due} 元、"
               "利息 {interest_due} 元（贷款余额 {outstanding_balance} 元）。按规则须在到期前 {lead_days} 天"
               "发出催收通知并检查企业经营情况{government_note}。"),
        "en": ("Collection notice: loan {loan_id} falls due on {loan_due_date}",
               "Core banking reports loan {loan_id} falls due on {loan_due_date}: principal {principal_due} CNY, "
               "interest {interest_due} CNY due (outstanding {outstanding_balance} CNY). The rule asks for a "
               "collection notice and a company check {lead_days} days before the due date{government_note}."),
    },
    "loan_overdue": {
        "zh": ("逾期催收（紧急）：贷款 {loan_id} 已逾期 {days_overdue} 天",
               "核心系统报告贷款 {loan_id} 截至 {as_of} 逾期 {days_overdue} 天，逾期本金 {overdue_principal} 元、"
               "利息 {overdue_interest} 元。须当日催收，未完成每天升级；已抄送风险经理。"),
        "en": ("Overdue collection (urgent): loan {loan_id} is {days_overdue} days overdue",
               "Core banking reports loan {loan_id} overdue by {days_overdue} days as of {as_of}: principal "
               "{overdue_principal} CNY, interest {overdue_interest} CNY. Collect today; escalates daily until done; "
               "the risk manager is copied."),
    },
    "loan_downgraded": {
        "zh": ("风险复核：贷款 {loan_id} 五级分类下调为 {to_class}",
               "贷款 {loan_id} 于 {as_of} 由 {from_class} 下调为 {to_class}，须在 {business_days} 个工作日内完成风险复"
               "核。"),
        "en": ("Risk review: loan {loan_id} downgraded to {to_class}",
               "Loan {loan_id} was downgraded from {from_class} to {to_class} on {as_of}; review the risk within "
               "{business_days} business days."),
    },
    "control_industry_loan": {
        "zh": ("风险复核：限制类行业客户新增贷款 {loan_id}",
               "客户所属行业按行业政策为限制退出类，贷款 {loan_id}（{principal} 元）于 {disbursed_on} 发放，"
               "须在 {business_days} 个工作日内完成风险复核；已抄送风险经理。"),
        "en": ("Risk review: new loan {loan_id} in a control industry", "The customer's industry is control-and-exit "
               "under the industry policy; loan {loan_id} ({principal} CNY) was disbursed on {disbursed_on}: review "
               "the risk within {business_days} business days; the risk manager is copied."),
    },
    "post_loan_inspection": {
        "zh": ("贷后检查：贷款 {loan_id}", "贷款 {loan_id}（{product}，{principal} 元）于 {disbursed_on} 发放，"
               "须在 {within_days} 天内完成首次贷后检查，对公贷款此后每季度一次。"),
        "en": ("Post-loan inspection: loan {loan_id}", "Loan {loan_id} ({product}, {principal} CNY) was disbursed on "
               "{disbursed_on}; inspect within {within_days} days, then quarterly for corporate loans."),
    },
    "post_loan_inspection_quarterly": {
        "zh": ("季度贷后检查：贷款 {loan_id}", "对公贷款 {loan_id}（{principal} 元，{disbursed_on} 发放）每季度须做一次"
                                               "贷后检查。"),
        "en": ("Quarterly post-loan inspection: loan {loan_id}", "Corporate loan {loan_id} ({principal} CNY, disbursed "
               "{disbursed_on}) is inspected every quarter."),
    },
    "large_outflow": {
        "zh": ("挽留电话：账户 {account_id} 大额流出 {outflow} 元",
               "账户 {account_id} 当日流出 {outflow} 元，占日初余额 {opening_balance} 元的 {share_pct}%，"
               "须在 {business_days} 个工作日内电话挽留。"),
        "en": ("Retention call: {outflow} CNY left account {account_id}",
               "Account {account_id} lost {outflow} CNY in a day, {share_pct}% of its opening balance "
               "{opening_balance} CNY; call the customer within {business_days} business day(s)."),
    },
    "inflow_follow_up": {
        "zh": ("跟进致谢：账户 {account_id}", "{why}，须在 {business_days} 个工作日内跟进致谢。"),
        "en": ("Follow-up and thanks: account {account_id}",
               "{why}; follow up and thank the customer within {business_days} business day(s)."),
    },
    "first_business_thanks": {
        "zh": ("新客户致谢：{about}", "新客户首笔业务（{about}），按新客户认同计划须在 {hours} 小时内致谢；感谢信已拟好"
                                      "，确认后即可发送。"),
        "en": ("Thank a new customer: {about}", "A new customer's first business ({about}): thank them within {hours} "
               "hours; the letter is drafted, ready to send."),
    },
    "time_deposit_maturity": {
        "zh": ("到期提醒：定期存款 {account_id} 于 {maturity_date} 到期",
               "定期存款 {account_id} 将于 {maturity_date} 到期，须提前 {lead_days} 天联系客户安排续存。"),
        "en": ("Maturity call: time deposit {account_id} matures on {maturity_date}",
               "Time deposit {account_id} matures on {maturity_date}; call the customer {lead_days} days ahead."),
    },
    "tier_review": {
        "zh": ("关系复核：客户等级由 {from_tier} 变为 {to_tier}",
               "客户等级由 {from_tier} 变为 {to_tier}，须在 {business_days} 个工作日内复核客户关系与服务方案。"),
        "en": ("Relationship review: tier changed from {from_tier} to {to_tier}",
               "The customer's tier moved from {from_tier} to {to_tier}; review the relationship within "
               "{business_days} business days."),
    },
    "contact_remarketing": {
        "zh": ("重新营销拜访：关键联系人 {contact_name}（{contact_role}）变更",
               "客户关键联系人 {contact_name}（{contact_role}）发生变更（{change}），须在 {business_days} 个工作日内拜"
               "访。"),
        "en": ("Re-marketing visit: key contact {contact_name} ({contact_role}) changed",
               "The customer's key contact {contact_name} ({contact_role}) was {change}; visit within "
               "{business_days} business days."),
    },
    "maintenance_visit": {
        "zh": ("维护联系：{tier} 客户", "按维护计划，{tier} 客户每 {months} 个月联系一次（上次联系：{last_contact}）；"
               "一次联系计入客户所在的每个维护计划。"),
        "en": ("Maintenance contact: {tier} customer", "The maintenance plan contacts {tier} customers every {months} "
               "month(s) (last contact: {last_contact}); one contact counts for every plan the customer is in."),
    },
    "maintenance_plan": {
        "zh": ("维护计划：{period} {band} 及以上客户（{count} 户）",
               "每 {months} 个月为资产达到 {band} 档及以上的客户制定维护计划（{period}），协助网点负责人组织维护；"
               "计划列出每位客户的档次、上次联系和应联系日期。"),
        "en": ("Maintenance plan {period}: {band} customers and above ({count})",
               "Every {months} month(s) draw up the maintenance plan ({period}) for customers in the {band} band or "
               "above, with the outlet head who leads it; the plan lists each customer's band, last contact and "
               "when the next contact is due."),
    },
    "credit_rating_review": {
        "zh": ("年度信用评级：{year} 年", "对公客户每年须完成一次信用评级复核（{year} 年度）。"),
        "en": ("Annual credit rating review {year}", "Corporate customers are re-rated once a year ({year})."),
    },
    "monthly_report": {
        "zh": ("月度客户报告：{month}", "每月 {day} 日前提交上月客户报告，遇节假日顺延至下一工作日。"),
        "en": ("Monthly customer report: {month}",
               "The customer report is due on day {day} of each month, moved to the next working day on a holiday."),
    },
    "birthday": {
        "zh": ("生日问候：{birthday}", "客户将于 {birthday} 过生日，提前 {lead_days} 天准备问候。"),
        "en": ("Birthday greeting: {birthday}", "The customer's birthday is on {birthday}; greet them "
               "(prepared {lead_days} days ahead)."),
    },
    "qualitative_scoring": {
        "zh": ("定性考核评分：{subject}（{period}）", "考核计划 {plan_id} 请您在 {due_date} 前为 {subject} 的 {items} "
                                                      "评分；"
               "逾期未评将每天提醒并升级。"),
        "en": ("Qualitative appraisal: score {subject} ({period})", "Appraisal plan {plan_id} asks you to score "
               "{subject} on {items} by {due_date}; you are reminded and escalated daily once it is late."),
    },
    "missed_appointment": {
        "zh": ("预约跟进：{starts_at} 的预约未见走访记录", "与客户在 {place} 的预约（{purpose}）当天没有记录走访或联系，"
               "须在 {business_days} 个工作日内跟进。"),
        "en": ("Follow up a missed appointment of {starts_at}", "No visit or call was logged on the day of the "
               "appointment at {place} ({purpose}); follow up within {business_days} business day(s)."),
    },
    "b_manager_missing": {
        "zh": ("未配 B 岗：{tier} 客户（A 岗 {owner}）",
               "个人优质客户须配备 B 岗客户经理，实行相互监督；请在 {business_days} 个工作日内指定 B 岗，"
               "指定后本提醒自动关闭。"),
        "en": ("No B-manager: {tier} customer (A-manager {owner})", "Every retail premium customer has a second (B) "
               "manager for mutual supervision; assign one within {business_days} business days — this alert "
               "closes itself once one is assigned."),
    },
    "tier_above_grade": {
        "zh": ("客户等级超出客户经理职级：{tier} 客户（{owner}，{grade}）",
               "客户等级升为 {tier}，超出 {owner}（{grade}）可管理的范围；"
               "请在 {business_days} 个工作日内改派客户或提升客户经理职级。"),
        "en": ("Tier above the manager's grade: {tier} customer ({owner}, {grade})", "The customer's tier rose to "
               "{tier}, above what {owner} ({grade}) may hold; reassign the customer or upgrade the manager within "
               "{business_days} business days."),
    },
    "adhoc": {
        "zh": ("{title}", "由 {assigned_by} 指派的临时任务"),
        "en": ("{title}", "Ad-hoc task assigned by {assigned_by}"),
    },
}
WHY = {  # inflow follow-up: what brought the money in
    "new_wealth": ("客户新开理财账户", "The customer opened a wealth account"),
    "large_inflow": ("当日大额流入 {amount} 元", "A large inflow of {amount} CNY arrived today"),
}
CANCELLED = {  # why a task closed itself
    **CONTROL_CANCELLED,
    "loan_repaid": ("贷款已在到期前归还", "the loan was repaid before it fell due"),
    "loan_settled": ("贷款已结清", "the loan is settled"),
    "deposit_returned": ("流出资金已回流", "the money came back into the account"),
    "account_closed": ("账户已销户", "the account was closed"),
    "overdue_repaid": ("逾期贷款已归还", "the overdue loan was repaid"),
    "superseded": ("客户等级再次变化，由新的关系复核取代", "a later tier change replaced this review"),
    "b_manager_assigned": ("已指定 B 岗", "a B-manager was assigned"),
    "not_premium": ("客户已不属于优质客户", "the customer is no longer a premium customer"),
    "within_grade": ("客户等级已在客户经理职级范围内", "the tier is within the manager's grade now"),
}
NOTES = {
    "government": ("（涉及政府行为的贷款，提前 {lead_days} 天）",
                   " (a loan involving government action: {lead_days} days ahead)"),
    "": ("", ""),
}
RANK = {
    "overdue": ("已逾期 {days} 天，排在最前", "overdue by {days} days, so it comes first"),
    "due_today": ("今天到期", "due today"),
    "due_at": ("须在 {at} 前完成", "due by {at}"),
    "upcoming": ("{days} 天后到期", "due in {days} days"),
    "amount": ("；涉及金额 {amount} 元", "; exposure {amount} CNY"),
    "tier": ("；客户等级 {tier}", "; customer tier {tier}"),
    "risk": ("；风险分类 {risk}", "; risk class {risk}"),
    "order": ("第 {rank} 位：逾期优先（逾期中先按紧急程度），其次按到期时间、金额、客户等级、风险分类排序。",
              "Rank {rank}: overdue first (the most urgent of them first), then due time, exposure, customer tier, "
              "risk class. "),
    "escalated": ("；已升级至主管（第 {level} 级），原执行人 {assignee}", "; escalated to the lead (level {level}), "
                  "originally {assignee}'s"),
    "copied": ("；抄送给您（风险经理）", "; you are copied as risk manager"),
    "unassigned": ("；客户尚未分配客户经理，进入本机构待分配队列",
                   "; customer has no manager yet: in the unit's unassigned queue"),
}


LABELS = {  # codes a sentence names, in words: loan classes (五级分类), tiers, task states, grades, severity
    "normal": ("正常", "normal"), "special_mention": ("关注", "special mention"), "substandard": ("次级", "substandard"),
    "doubtful": ("可疑", "doubtful"), "loss": ("损失", "loss"),
    **TIER_WORDS,
    "booked": ("已预约", "booked"), "kept": ("已履约", "kept"), "missed": ("已失约", "missed"),
    "open": ("待办", "open"), "in_progress": ("办理中", "in progress"), "done": ("已完成", "done"),
    "cancelled": ("已撤销", "cancelled"),
    **GRADE_WORDS, "high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low"),
}
LABELLED = ("from_class", "to_class", "from_tier", "to_tier", "tier", "band", "grade", "severity")


def label(code: str, english: bool) -> str:
    """A code in words; an unknown code (a bank's own tier, say) reads as itself."""
    return LABELS.get(code, (code, code))[english]


def state_label(status: str, english: bool) -> str:
    """'已完成' reads "任务已完成"; the English wording is "already done"."""
    return label(status, english) if english else {"done": "已完成", "cancelled": "已撤销"}.get(
        status, "当前为" + label(status, english))


def render(rule: str, params: dict, english: bool) -> tuple[str, str]:
    lang = "en" if english else "zh"
    note = NOTES[params.get("government_note_key", "")][english].format_map(_Lenient(params))
    title, reason = TEMPLATES.get(params.get("template", rule), TEMPLATES["adhoc"])[lang]
    values = {**params, "government_note": note}
    values.update((k, label(params[k], english)) for k in LABELLED if isinstance(params.get(k), str))
    if "why_key" in params:
        values["why"] = WHY[params["why_key"]][english].format_map(_Lenient(params))
    return title.format_map(_Lenient(values)), reason.format_map(_Lenient(values))


LETTERS = {  # drafted for the RM, so thanking a new customer is one step
    "thank_you": ("尊敬的客户：\n感谢您选择我行{business_zh}。您的客户经理 {owner} 将竭诚为您服务，如有任何需要，欢迎随"
                  "时联系。\n"
                  "此致\n敬礼",
                  "Dear customer,\nThank you for choosing us for your {business_en}. Your relationship manager {owner} "
                  "is at your service; please contact us whenever you need anything.\nYours sincerely"),
}
BUSINESS = {"deposit": ("开立账户", "new account"), "loan": ("贷款业务", "loan")}


def render_letter(params: dict, english: bool) -> str:
    zh, en = BUSINESS.get(params.get("business", ""), ("业务", "business"))
    return LETTERS[params["letter"]][english].format_map(_Lenient({**params, "business_zh": zh, "business_en": en}))


def rank_text(key: str, english: bool, **params) -> str:
    return RANK[key][english].format(**params)


class _Lenient(dict):
    def __missing__(self, key):  # an old task lacking a newer parameter still reads
        return "—"


def cancel_text(code: str | None, english: bool) -> str | None:
    return CANCELLED.get(code, (code, code))[english] if code else None


# Problems the RM's-day routes answer with (registered by services/tasks/api/day.py).
RM_DAY_MESSAGES = {
    "rm_only": ("只有客户经理可以制定当日计划和小结", "Only a relationship manager keeps a day plan and summaries"),
    "book_needs_rm_or_lead": ("只有客户经理或其团队主管可以预约客户", "Only an RM or their team lead books appointments"),
    "appointment_ends_first": ("结束时间须晚于开始时间", "The end must come after the start"),
    "appointment_clash": ("与 {at} 的预约时间冲突", "Clashes with the appointment at {at}"),
    "appointment_not_booked": ("预约已是「{state_zh}」状态", "The appointment is already {state_en}"),
    "plan_item_twice": ("同一事项在计划中出现了两次", "An item appears twice in the plan"),
    "bad_week": ("周应写作 YYYY-Www，例如 2026-W49", "A week is written YYYY-Www, e.g. 2026-W49"),
    "summaries_need_lead": ("只有主管可以查看他人的小结", "Only a lead reads another person's summaries"),
    "rm_needed": ("请指定客户经理（rm）", "Name the RM (rm)"),
}

# Problems the audit route answers with (registered by services/tasks/api/audit.py).
AUDIT_MESSAGES = {
    "auditors_only": ("审计记录仅供稽核人员和系统管理员查阅", "The audit trail is for auditors and admins"),
}
