"""Every text of the appraisal service a person reads, zh-CN and en: problems, and the notes on a card."""
from services.appraisal.rules import MONTH_PATTERN, PERIOD_FORMATS, PERIOD_FORMATS_ZH, PERIOD_PATTERN, KpiProblem
from shared.errors import Bilingual, register_messages
from shared.reasons import register_formats

register_formats({PERIOD_PATTERN: (PERIOD_FORMATS_ZH, PERIOD_FORMATS), MONTH_PATTERN: ("YYYY-MM，例如 2026-12",
                                                                                      "YYYY-MM, e.g. 2026-12")})

register_messages({
    "adjust_own_score": ("不能调整本人的考核得分（职责分离）", "You may not adjust your own score (separation of duties)"),
    "period_already_closed": ("考核期 {period} 已结算", "Period {period} is already closed"),
    "period_not_in_status": ("考核期 {period} 不在“{expected}”状态", "Period {period} is not {expected}"),
    "period_not_adjustable": ("考核期 {period} 未结算或已签署，不能调整", "Period {period} is not open for adjustments"),
    "unknown_item": ("未知的定性考核项：{items}", "Unknown qualitative item(s): {items}"),
    "points_out_of_range": ("分值应在 0 到 {max} 之间", "Points must be between 0 and {max}"),
    "targets_short_of_parent": ("下级目标合计 {children} 低于上级目标 {parent}",
                                "Children's targets add up to {children}, short of the parent's {parent}"),
    "target_contract_signed": ("{username} 的 {period} 目标责任书已签署，不能修改",
                               "{username}'s target contract for {period} is signed and cannot change"),
    "invalid_period": ("考核期“{value}”格式有误，应为 YYYY-MM（月）、YYYY-Qn（季度，n 为 1–4）或 YYYY（年）",
                       "Period \"{value}\" is not valid: use {formats}"),
    "period_not_over": ("考核期 {period} 尚未结束（最后一天 {last_day}），不能结算",
                        "Period {period} has not ended yet (last day {last_day}); it cannot be closed"),
    "decide_own_flag": ("不能对本人的末尾淘汰提名作出决定", "You may not decide on your own bottom-band proposal"),
    "no_bottom_flag_proposed": ("{username} 在 {period} 没有待决定的末尾淘汰提名",
                                "{username} has no open bottom-band proposal for {period}"),
    "decide_own_case": ("被问责人不能认定本人的责任", "A person named in a responsibility case may not decide it"),
    "case_decided": ("贷款 {loan_id} 的责任认定已有结论（{outcome}）",
                     "The responsibility case of loan {loan_id} is already {outcome}"),
    "loss_required": ("确认责任须填写损失金额", "Confirming a case needs the loss amount"),
    "invalid_kpis": ("考核指标定义有误：{problems}", "Invalid KPI definitions: {problems}"),
    "evaluator_not_in_chain": ("{evaluator} 不是 {subject} 的上级，不能担任评价人（职责分离）",
                               "{evaluator} is not above {subject} and may not evaluate them (separation of duties)"),
    "sign_off_own_close": ("结算人不能签署本人结算的考核期（职责分离）",
                           "The person who closed the period may not sign it off (separation of duties)"),
    "appeal_window_past": ("申诉截止日须晚于今天（{today}）", "The appeal window must end after today ({today})"),
    "responsibility_recorded": ("贷款 {loan_id} 对 {username} 的责任认定已登记",
                                "Responsibility for loan {loan_id} is already recorded against {username}"),
})

# validate_definitions' problems (rules.KpiProblem), listed in invalid_kpis; field names and codes stay as sent
KPI_PROBLEMS = {
    "missing": ("{code}：缺少 {fields}", "{code}: missing {fields}"),
    "duplicate_code": ("指标代码 {code} 重复", "duplicate code {code}"),
    "unknown_indicator": ("{code}：未知的指标 {indicator}", "{code}: unknown indicator {indicator}"),
    "unknown_scoring_kind": ("{code}：未知的计分方式（scoring.kind）", "{code}: unknown scoring kind"),
    "params_incomplete": ("{code}：params 须含 coefficients 和 split", "{code}: params need coefficients and split"),
    "weights_not_numbers": ("权重须为数字", "weights must be numbers"),
    "weights_not_100": ("权重合计为 {total}，应为 100", "weights add up to {total}, not 100"),
}


def kpi_problems(problems: list[KpiProblem]) -> Bilingual:
    """The problems of a KPI set as one sentence in each language, for the invalid_kpis answer."""
    zh = "；".join(KPI_PROBLEMS[code][0].format(**params) for code, params in problems)
    en = "; ".join(KPI_PROBLEMS[code][1].format(**params) for code, params in problems)
    return Bilingual(zh, en)


NOTES = {  # why a KPI has no score, shown on the card
    "no_target": ("目标未设定", "No target set"),
    "no_tasks": ("本期无已完成任务", "No task completed in the period"),
    "no_dues": ("本期无到期应收", "Nothing fell due in the period"),
}
